"""Agents following a ticket: they hear what its assignee hears (`notifications`), until they stop.

Only those who work the ticket's project follow it; each follow and unfollow is one activity entry,
shown to staff only (who watches a ticket is the team's business).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from tickit.models import Ticket, TicketFollower, User, utcnow
from tickit.services import activity, ticket_stamp
from tickit.services.access import can_work, ticket_for
from tickit.services.actors import UserPublic
from tickit.services.errors import PermissionDenied


@dataclass(frozen=True)
class Followers:
    """Who follows a ticket (names, in the order they started), and whether the reader is one of them."""

    names: tuple[str, ...]
    following: bool


def followers_of(*, session: Session, actor: UserPublic, number: str) -> Followers:
    """The followers of ticket `number`, for those who work it (PermissionDenied for anyone else)."""
    ticket = _workable(session, actor, number, for_update=False)
    return _view(session, ticket, actor)


def follow(*, session: Session, actor: UserPublic, number: str, on: bool) -> Followers:
    """Start (`on`) or stop following ticket `number`; doing what is already so changes nothing."""
    ticket = _workable(session, actor, number, for_update=True)
    row = session.get(TicketFollower, (ticket.id, actor.id))
    if on and row is None:
        session.add(TicketFollower(ticket_id=ticket.id, user_id=actor.id))
    elif not on and row is not None:
        session.delete(row)
    else:
        return _view(session, ticket, actor)
    now = utcnow()
    ticket_stamp.touch(ticket, now, internal=True)
    session.add(ticket)
    activity.record(session, ticket, actor, "followed" if on else "unfollowed", now=now)
    return _view(session, ticket, actor)


def follower_users(session: Session, ticket_id: int) -> list[User]:
    """The active accounts following a ticket (whether they still work it is the caller's check)."""
    return list(
        session.exec(
            select(User)
            .join(TicketFollower, TicketFollower.user_id == User.id)
            .where(TicketFollower.ticket_id == ticket_id, User.is_active == True)  # noqa: E712
            .order_by(TicketFollower.created_at, User.id)
        ).all()
    )


def _workable(session: Session, actor: UserPublic, number: str, *, for_update: bool) -> Ticket:
    ticket = ticket_for(session, actor, number, for_update=for_update)
    if not can_work(session, actor, ticket.project_id):
        raise PermissionDenied("Only the project's agents follow its tickets.")
    return ticket


def _view(session: Session, ticket: Ticket, actor: UserPublic) -> Followers:
    users = follower_users(session, ticket.id)
    return Followers(names=tuple(u.name for u in users), following=any(u.id == actor.id for u in users))
