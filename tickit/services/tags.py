"""Free tags on tickets: one vocabulary per project, put on and taken off by the project's agents.

- A tag's name is normalised before anything else: trimmed, lower case, inner spaces as hyphens
  ("Billing  issue" is `billing-issue`), 1 to NAME_MAX letters, digits, `-`, `_` or `.`. So two
  agents typing "VIP" and "vip" put on one tag.
- A tag exists once per project; putting a new name on a ticket creates it. Tags no ticket
  carries stay offered (autocomplete) until an admin renames them away.
- Every change of a ticket's tags is one activity entry (`tags_changed`) listing what was added
  and removed; a change that changes nothing is not logged.
- Admins rename a tag; renaming it to a name the project already has merges the two. Each ticket
  whose tags read differently afterwards gets its activity entry, and the rename its audit entry.
As everywhere in the services, the caller commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from tickit.models import Tag, Ticket, TicketTag, utcnow
from tickit.services import activity, audit, ticket_stamp
from tickit.services.access import can_work, get_project, project_to_configure, ticket_for
from tickit.services.actors import Actor, UserPublic
from tickit.services.errors import PermissionDenied, ValidationFailed

NAME_MAX = 40
TAGS_PER_TICKET_MAX = 30
SUGGESTIONS_MAX = 20
_NAME = re.compile(r"[\w][\w.-]*")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class TagUse:
    """A project's tag and how many tickets carry it."""

    name: str
    tickets: int


@dataclass(frozen=True)
class RenamedTag:
    """A tag after a rename: its name, its tickets, and whether it was merged into a tag that existed."""

    name: str
    tickets: int
    merged: bool


def normalise(name: str) -> str:
    """The stored form of a tag name; ValidationFailed (`tag`) when it cannot be one."""
    cleaned = _SPACES.sub("-", str(name).strip().lower())
    if not cleaned:
        raise ValidationFailed({"tag": "Give the tag a name."})
    if len(cleaned) > NAME_MAX:
        raise ValidationFailed({"tag": f"Keep a tag under {NAME_MAX + 1} characters."})
    if not _NAME.fullmatch(cleaned):
        raise ValidationFailed({"tag": f"“{name}” is not a tag: use letters, digits, “-”, “_” or “.”."})
    return cleaned


def tags_of(session: Session, ticket_id: int) -> list[str]:
    """The ticket's tags, by name."""
    return list(
        session.exec(
            select(Tag.name)
            .join(TicketTag, TicketTag.tag_id == Tag.id)
            .where(TicketTag.ticket_id == ticket_id)
            .order_by(Tag.name)
        ).all()
    )


def tags_by_ticket(session: Session, ticket_ids: Iterable[int]) -> dict[int, list[str]]:
    """The tags of several tickets at once (a list page), by ticket id; tickets without tags left out."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return {}
    found: dict[int, list[str]] = {}
    rows = session.exec(
        select(TicketTag.ticket_id, Tag.name)
        .join(Tag, Tag.id == TicketTag.tag_id)
        .where(TicketTag.ticket_id.in_(ids))
        .order_by(TicketTag.ticket_id, Tag.name)
    ).all()
    for ticket_id, name in rows:
        found.setdefault(ticket_id, []).append(name)
    return found


def change_tags(
    *, session: Session, actor: UserPublic, number: str, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> list[str]:
    """Put tags on ticket `number` and take others off; returns its tags afterwards.

    The project's agents only (PermissionDenied otherwise; NotFound if the actor may not see it).
    ValidationFailed (`tag`) for a name that is not a tag or a ticket past TAGS_PER_TICKET_MAX tags.
    """
    ticket = ticket_for(session, actor, number, for_update=True)
    if not can_work(session, actor, ticket.project_id):
        raise PermissionDenied("Only the project's agents may tag this ticket.")
    return apply_tags(session, actor, ticket, add=[normalise(n) for n in add], remove=[normalise(n) for n in remove])


def apply_tags(session: Session, actor: UserPublic, ticket: Ticket, *, add: list[str], remove: list[str]) -> list[str]:
    """Change the tags of a ticket the caller has checked and locked, from normalised names; one activity entry."""
    before = tags_of(session, ticket.id)
    wanted = sorted((set(before) | set(add)) - set(remove))
    if wanted == before:
        return before
    if len(wanted) > TAGS_PER_TICKET_MAX:
        raise ValidationFailed({"tag": f"A ticket carries at most {TAGS_PER_TICKET_MAX} tags."})
    added, removed = sorted(set(wanted) - set(before)), sorted(set(before) - set(wanted))
    if removed:
        gone = select(Tag.id).where(Tag.project_id == ticket.project_id, Tag.name.in_(removed))
        session.exec(delete(TicketTag).where(TicketTag.ticket_id == ticket.id, TicketTag.tag_id.in_(gone)))
    for tag in _tags_named(session, ticket.project_id, added):
        session.add(TicketTag(ticket_id=ticket.id, tag_id=tag.id))
    _log(session, actor, ticket, before, {"tags": wanted, "added": added, "removed": removed}, utcnow())
    return wanted


def tag_new_ticket(session: Session, *, ticket_id: int, project_id: int, names: list[str]) -> None:
    """Put normalised tags on a ticket being filed (its `created` activity entry lists them)."""
    for tag in _tags_named(session, project_id, names):
        session.add(TicketTag(ticket_id=ticket_id, tag_id=tag.id))
    if names:
        session.flush()


def suggestions(*, session: Session, actor: UserPublic, project_key: str, prefix: str = "") -> list[str]:
    """The project's tag names starting with `prefix`, most used first (autocomplete); agents of the project only."""
    project = get_project(session, project_key)
    if not can_work(session, actor, project.id):
        raise PermissionDenied("Only the project's agents see its tags.")
    query = (
        select(Tag.name)
        .outerjoin(TicketTag, TicketTag.tag_id == Tag.id)
        .where(Tag.project_id == project.id)
        .group_by(Tag.id, Tag.name)
        .order_by(func.count(TicketTag.ticket_id).desc(), Tag.name)
        .limit(SUGGESTIONS_MAX)
    )
    start = _SPACES.sub("-", prefix.strip().lower())
    if start:
        query = query.where(col(Tag.name).startswith(start, autoescape=True))
    return list(session.exec(query).all())


def project_tags(*, session: Session, actor: Actor, project_key: str) -> list[TagUse]:
    """Every tag of the project with its number of tickets, by name (its admins' tag list)."""
    project = project_to_configure(session, actor, project_key)
    rows = session.exec(
        select(Tag.name, func.count(TicketTag.ticket_id))
        .outerjoin(TicketTag, TicketTag.tag_id == Tag.id)
        .where(Tag.project_id == project.id)
        .group_by(Tag.id, Tag.name)
        .order_by(Tag.name)
    ).all()
    return [TagUse(name=name, tickets=count) for name, count in rows]


def rename_tag(*, session: Session, actor: UserPublic, project_key: str, name: str, new_name: str) -> RenamedTag:
    """Rename a project's tag; into a name it already has, merge the two (admins and the project's admins)."""
    project = project_to_configure(session, actor, project_key)
    old, new = normalise(name), normalise(new_name)
    tag = session.exec(select(Tag).where(Tag.project_id == project.id, Tag.name == old)).first()
    if tag is None:
        raise ValidationFailed({"tag": f"{project.key} has no tag “{old}”."})
    if new == old:
        return _renamed(session, tag, merged=False)
    target = session.exec(select(Tag).where(Tag.project_id == project.id, Tag.name == new)).first()
    ticket_ids = list(session.exec(select(TicketTag.ticket_id).where(TicketTag.tag_id == tag.id)).all())
    tickets = (
        session.exec(select(Ticket).where(Ticket.id.in_(ticket_ids)).with_for_update()).all() if ticket_ids else []
    )
    befores = {ticket.id: tags_of(session, ticket.id) for ticket in tickets}
    if target is None:
        tag.name = new
        session.add(tag)
        target = tag
    else:
        carried = set(session.exec(select(TicketTag.ticket_id).where(TicketTag.tag_id == target.id)).all())
        for ticket_id in ticket_ids:
            if ticket_id not in carried:
                session.add(TicketTag(ticket_id=ticket_id, tag_id=target.id))
        session.flush()
        session.exec(delete(TicketTag).where(TicketTag.tag_id == tag.id))
        session.delete(tag)
    session.flush()
    now = utcnow()
    for ticket in tickets:
        after = {"tags": tags_of(session, ticket.id), "renamed": {"from": old, "to": new}}
        _log(session, actor, ticket, befores[ticket.id], after, now)
    audit.record(
        session,
        actor=actor,
        action=audit.TAG_RENAMED,
        target=f"{project.key} · {old}",
        before={"name": old},
        after={"name": new, "merged": target is not tag, "tickets": len(tickets)},
    )
    return _renamed(session, target, merged=target is not tag)


def tag_ids_named(session: Session, names: Iterable[str], project_ids: Iterable[int] | None) -> list[int]:
    """Ids of the tags with these (normalised) names, in the given projects or in all of them."""
    query = select(Tag.id).where(Tag.name.in_(sorted(set(names))))
    if project_ids is not None:
        query = query.where(Tag.project_id.in_(sorted(project_ids)))
    return sorted(session.exec(query).all())


def _log(session: Session, actor: UserPublic, ticket: Ticket, before: list[str], after: dict, now: datetime) -> None:
    ticket_stamp.touch(ticket, now)
    session.add(ticket)
    session.flush()
    activity.record(session, ticket, actor, "tags_changed", before={"tags": before}, after=after, now=now)


def _tags_named(session: Session, project_id: int, names: list[str]) -> list[Tag]:
    """The project's tags with these names, created where missing."""
    if not names:
        return []
    found = {
        t.name: t for t in session.exec(select(Tag).where(Tag.project_id == project_id, Tag.name.in_(names))).all()
    }
    for name in names:
        if name in found:
            continue
        # Two agents putting on the same new tag at once: the unique constraint lets one create it,
        # and the other takes that one.
        try:
            with session.begin_nested():
                tag = Tag(project_id=project_id, name=name)
                session.add(tag)
                session.flush()
        except IntegrityError:
            tag = session.exec(select(Tag).where(Tag.project_id == project_id, Tag.name == name)).one()
        found[name] = tag
    return [found[name] for name in names]


def _renamed(session: Session, tag: Tag, *, merged: bool) -> RenamedTag:
    count = session.exec(select(func.count()).select_from(TicketTag).where(TicketTag.tag_id == tag.id)).one()
    return RenamedTag(name=tag.name, tickets=count, merged=merged)
