"""A ticket's life after filing: status follows the conversation, resolved then closed, the
reopen window and follow-ups, and what a requester may do to their own ticket.

Definitions the rest of the app relies on:
- Resolved and closed. Entering a done status resolves a ticket; a done status flagged `closes`
  also closes it (`workflow.apply_status_change` keeps the times). Reopening clears both.
- The reopen window (per project, `reopen_window_days`, default 14) runs from the moment the
  ticket was closed; a ticket resolved but not yet closed is always inside it. A requester's reply
  inside the window reopens the ticket; after it, the reply becomes the first comment of a new
  ticket, filed through `tickets.file_ticket` and linked to the old one ("follow-up of HH-42").
  A window of 0 days means a closed ticket never reopens by a reply.
- Reply rules (per type, optional): a public staff reply moves an open ticket to
  `staff_reply_status`; the requester's reply moves an in-progress ticket to
  `requester_reply_status` (one still to do stays: nobody has picked it up), and reopens a done
  ticket to it, else to the type's initial status. Each is taken only when the workflow has
  that transition (whatever role it is limited to: the rule is the workflow's own, not the
  replier's choice) and is logged as the replier's move, like any other; otherwise nothing moves.
- Auto-close (per project, `auto_close_days`, default 7, 0 = never): a ticket resolved that many
  days ago and still not closed moves, as TickIt, along a transition of its workflow to a status
  that closes; a type with no such transition from the ticket's status is skipped and reported.
As everywhere in the services, the caller commits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from tickit.models import (
    ActivityEntry,
    Project,
    Source,
    StatusCategory,
    Ticket,
    TicketStatus,
    TicketTransition,
    TicketType,
    utcnow,
)
from tickit.services import audit, ticket_stamp, tickets, workflow
from tickit.services.access import can_work, format_ticket_number, project_to_configure, ticket_for
from tickit.services.actors import SYSTEM, Actor, UserPublic
from tickit.services.errors import ValidationFailed
from tickit.services.lifecycle_settings import LifecycleSettings, check_settings, settings_of

AUTO_CLOSE_BATCH = 500  # tickets per run: each run's transaction stays short, the next run goes on
FOLLOW_UP_TITLE_MAX = 300


# --- settings ------------------------------------------------------------------------------


def get_settings(*, session: Session, actor: Actor, project_key: str) -> LifecycleSettings:
    """The project's lifecycle settings (admins and its project admins)."""
    return settings_of(project_to_configure(session, actor, project_key))


def update_settings(*, session: Session, actor: Actor, project_key: str, settings: LifecycleSettings) -> None:
    """Save the project's lifecycle settings (admins and its project admins); they hold from the next check on."""
    project = project_to_configure(session, actor, project_key)
    checked = check_settings(settings.__dict__)
    before = settings_of(project)
    project.sqlmodel_update(checked.__dict__)
    session.add(project)
    session.flush()
    audit.record_change(
        session,
        actor=actor,
        action=audit.LIFECYCLE_EDITED,
        target=project.key,
        before=asdict(before),
        after=asdict(checked),
    )


# --- status follows the conversation -------------------------------------------------------


def after_reply(*, session: Session, actor: UserPublic, ticket: Ticket, from_staff: bool, now: datetime) -> None:
    """Apply the type's reply rule to a public reply just added to the (locked) ticket, if the workflow allows it."""
    ticket_type = session.get(TicketType, ticket.type_id)
    current = session.get(TicketStatus, ticket.status_id)
    done = current.category == StatusCategory.DONE
    if from_staff:
        # A staff reply on a solved ticket is a last word, not a question for the requester.
        wanted = None if done else ticket_type.staff_reply_status
        reason = "after a staff reply"
    elif not (done or current.pauses_sla or current.key == ticket_type.staff_reply_status):
        # The ticket is not waiting on the requester: new, or someone is working on it. Their
        # added detail starts no work and must not pull a ticket back out of an agent's hands.
        return
    else:
        wanted = ticket_type.requester_reply_status
        if done and wanted is None:
            wanted = _initial_key(session, ticket.type_id)
        reason = "reopened by the requester's reply" if done else "after the requester's reply"
    if wanted is None or wanted == current.key:
        return
    target = _transition_target(session, current, wanted)
    if target is None:
        return
    if done and target.category == StatusCategory.DONE:
        return  # a rule leading to another done status reopens nothing
    workflow.apply_status_change(
        session=session, actor=actor, ticket=ticket, current=current, target=target, now=now, reason=reason
    )


def reply_files_follow_up(session: Session, ticket: Ticket, works: bool, now: datetime) -> bool:
    """Whether a reply now, by someone who works the ticket (`works`) or not, belongs on a new ticket instead."""
    if works or ticket.closed_at is None:
        return False
    window = session.get(Project, ticket.project_id).reopen_window_days
    return now >= ticket.closed_at + timedelta(days=window)


def file_follow_up(*, session: Session, actor: UserPublic, ticket: Ticket, now: datetime) -> str:
    """File the ticket the requester's late reply starts, linked to the closed `ticket`; returns its number.

    Filed through `tickets.file_ticket` (same project, type and field values, the old title), so
    every filing rule holds; the caller then adds the reply to it as its first comment.
    """
    project = session.get(Project, ticket.project_id)
    ticket_type = session.get(TicketType, ticket.type_id)
    old_number = format_ticket_number(project.key, ticket.number)
    title = f"Follow-up: {ticket.title}"[:FOLLOW_UP_TITLE_MAX]
    try:
        filed = tickets.file_ticket(
            session=session,
            actor=actor,
            source=Source.WEB,
            project_key=project.key,
            type_key=ticket_type.key,
            title=title,
            description=f"Follow-up of {old_number}, which was closed.",
            reporter_id=ticket.reporter_id,
            # The old answers fill the type's form, so its required fields do not refuse the reply.
            field_values=dict(ticket.fields),
        )
    except ValidationFailed:
        raise ValidationFailed(
            {"body": f"{old_number} is closed, and a new request cannot be filed for you in {project.name}."}
        ) from None
    follow_up = session.get(Ticket, filed.id)
    follow_up.follow_up_of_id = ticket.id
    for on, after in ((follow_up, {"follow_up_of": old_number}), (ticket, {"follow_up": filed.reference})):
        ticket_stamp.touch(on, now)
        session.add(on)
        session.add(
            ActivityEntry(ticket_id=on.id, actor_user_id=actor.id, action="follow_up", after=after, created_at=now)
        )
    session.flush()
    return filed.reference


def follow_up_of(session: Session, ticket: Ticket) -> str:
    """`HH-42` when the ticket follows up an earlier one, else ""."""
    if ticket.follow_up_of_id is None:
        return ""
    found = session.exec(
        select(Project.key, Ticket.number)
        .join(Project, Project.id == Ticket.project_id)
        .where(Ticket.id == ticket.follow_up_of_id)
    ).first()
    return format_ticket_number(*found) if found else ""


# --- the requester closes and reopens ------------------------------------------------------


@dataclass(frozen=True)
class RequesterChoices:
    """What the requester may do to their ticket's status from the portal (None: not offered)."""

    close_to: str | None  # "This is solved": the status key it moves to
    reopen_to: str | None  # "Reopen": the status key it moves to
    reopen_until: datetime | None  # when the reopen window ends (None: while it stays unclosed)


def requester_choices(*, session: Session, actor: UserPublic, number: str) -> RequesterChoices:
    """The close and reopen moves the type's transitions allow the requester now (NotFound if hidden)."""
    ticket = ticket_for(session, actor, number)
    # An address in copy reads and answers the ticket; closing and reopening stay its requester's.
    if can_work(session, actor, ticket.project_id) or ticket.reporter_id != actor.id:
        return RequesterChoices(None, None, None)
    current = session.get(TicketStatus, ticket.status_id)
    targets = workflow.allowed_targets(session=session, actor=actor, number=number)
    if current.category != StatusCategory.DONE:
        done = [t for t in targets if t.is_done]
        # Closing beats resolving: "This is solved" from the requester needs no survey about it.
        choice = next((t for t in done if t.closes), done[0] if done else None)
        return RequesterChoices(choice.key if choice else None, None, None)
    until = _reopen_until(session, ticket)
    if until is not None and utcnow() >= until:
        return RequesterChoices(None, None, until)
    reopen = next((t for t in targets if not t.is_done), None)
    return RequesterChoices(None, reopen.key if reopen else None, until)


def close_by_requester(*, session: Session, actor: UserPublic, number: str) -> None:
    """ "This is solved": the requester moves their ticket to the done status the workflow offers them."""
    choice = requester_choices(session=session, actor=actor, number=number).close_to
    if choice is None:
        raise ValidationFailed({"status": f"{number} cannot be closed from here; reply to ask the team to close it."})
    workflow.move(session=session, actor=actor, number=number, to_status=choice)


def reopen_by_requester(*, session: Session, actor: UserPublic, number: str) -> None:
    """Reopen the requester's done ticket within the reopen window, where the workflow offers them a way back."""
    choices = requester_choices(session=session, actor=actor, number=number)
    if choices.reopen_to is None:
        if choices.reopen_until is not None and utcnow() >= choices.reopen_until:
            raise ValidationFailed(
                {"status": f"{number} was closed too long ago to reopen; reply to start a new request."}
            )
        raise ValidationFailed({"status": f"{number} cannot be reopened from here; reply to tell the team why."})
    workflow.move(session=session, actor=actor, number=number, to_status=choices.reopen_to)


def _reopen_until(session: Session, ticket: Ticket) -> datetime | None:
    if ticket.closed_at is None:
        return None
    return ticket.closed_at + timedelta(days=session.get(Project, ticket.project_id).reopen_window_days)


# --- auto-close ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AutoCloseReport:
    closed: list[str]
    skipped: list[str]  # "HH-7: Resolved has no move to a status that closes"


def auto_close_due(*, session: Session, now: datetime | None = None) -> AutoCloseReport:
    """Close the tickets resolved longer ago than their project's `auto_close_days`, as TickIt.

    Only along a transition of the ticket's workflow to a done status that closes (the first in
    board order); a ticket with none is left as it is and named in the report.
    """
    now = now or utcnow()
    closed: list[str] = []
    skipped: list[str] = []
    projects = session.exec(select(Project).where(Project.auto_close_days > 0).order_by(Project.id)).all()
    for project in projects:
        cutoff = now - timedelta(days=project.auto_close_days)
        due = session.exec(
            select(Ticket)
            .where(Ticket.project_id == project.id, Ticket.closed_at.is_(None), Ticket.resolved_at <= cutoff)
            .order_by(Ticket.resolved_at, Ticket.id)
            .limit(AUTO_CLOSE_BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        for ticket in due:
            number = format_ticket_number(project.key, ticket.number)
            current = session.get(TicketStatus, ticket.status_id)
            if current.category != StatusCategory.DONE:
                continue  # resolved_at is only ever set in done statuses; a row from before the rule
            target = _closing_target(session, current)
            if target is None:
                skipped.append(f"{number}: {current.name} has no move to a status that closes")
                continue
            days = project.auto_close_days
            workflow.apply_status_change(
                session=session,
                actor=SYSTEM,
                ticket=ticket,
                current=current,
                target=target,
                now=now,
                reason=f"closed automatically after {days} day{'s' if days != 1 else ''}",
            )
            closed.append(number)
    session.flush()
    return AutoCloseReport(closed=closed, skipped=skipped)


# --- helpers -------------------------------------------------------------------------------


def _transition_target(session: Session, current: TicketStatus, key: str) -> TicketStatus | None:
    """Status `key` of the ticket's type when the workflow has a transition to it from `current`."""
    return session.exec(
        select(TicketStatus)
        .join(TicketTransition, TicketTransition.to_status_id == TicketStatus.id)
        .where(TicketTransition.from_status_id == current.id, TicketStatus.key == key)
        .where(TicketStatus.type_id == current.type_id)
    ).first()


def _closing_target(session: Session, current: TicketStatus) -> TicketStatus | None:
    return session.exec(
        select(TicketStatus)
        .join(TicketTransition, TicketTransition.to_status_id == TicketStatus.id)
        .where(
            TicketTransition.from_status_id == current.id,
            TicketStatus.category == StatusCategory.DONE,
            TicketStatus.closes == True,  # noqa: E712
        )
        .order_by(TicketStatus.sort_order, TicketStatus.id)
    ).first()


def _initial_key(session: Session, type_id: int) -> str | None:
    return session.exec(
        select(TicketStatus.key).where(TicketStatus.type_id == type_id, TicketStatus.is_initial == True)  # noqa: E712
    ).first()
