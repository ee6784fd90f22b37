"""The SLA sweep: warnings and breaches that fire exactly once, and what a breach escalates to.

One pass selects, through the partial index on `tickets.sla_next_check_at`, the tickets whose
earliest pending warning or due time has passed; open tickets with nothing due are never read.
Each (ticket, cycle, target, kind) fires once: the insert into `sla_events` that records it is
the act of firing (ON CONFLICT DO NOTHING), so a second consumer racing, or a task retried after
a crash, finds the row there and stays quiet. On PostgreSQL the selection also skips rows another
sweep holds (FOR UPDATE SKIP LOCKED), so two consumers share the work instead of queueing on it.

A breach, per policy, raises the priority one step and/or hands the ticket to a named agent, or
back to the queue (unassigned) for auto-assignment; each action writes an activity entry by
TickIt (no user actor), and staff hear of it through the outbox (bell, push, mail).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from tickit.models import (
    ActivityEntry,
    Priority,
    Project,
    SlaEscalationContact,
    SlaEvent,
    SlaPolicy,
    Ticket,
    User,
    utcnow,
)
from tickit.services import notifications, reporting, sla, ticket_stamp, webhook_events
from tickit.services.access import can_work, format_ticket_number
from tickit.services.actors import SYSTEM, UserPublic

BATCH = 500  # tickets per transaction
_RAISED = {Priority.LOW: Priority.NORMAL, Priority.NORMAL: Priority.HIGH, Priority.HIGH: Priority.URGENT}


@dataclass(frozen=True)
class Fired:
    """A warning or breach that fired in this pass, and what it did."""

    number: str
    target: str
    kind: str
    due_at: datetime
    actions: tuple[str, ...]

    def __str__(self) -> str:
        what = "warning" if self.kind == sla.WARNING else "breached"
        done = f"; {', '.join(self.actions)}" if self.actions else ""
        return f"{self.number} {self.target.replace('_', ' ')} {what} (due {self.due_at:%Y-%m-%d %H:%M} UTC){done}"


def due_tickets_query(now: datetime, limit: int):
    """The selection a pass runs: tickets whose next check has come, earliest first, through the index."""
    return (
        select(Ticket)
        .where(Ticket.sla_next_check_at.is_not(None), Ticket.sla_next_check_at <= now)
        .order_by(Ticket.sla_next_check_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


def sweep_batch(*, session: Session, now: datetime | None = None, limit: int = BATCH) -> tuple[int, list[Fired]]:
    """Fire what is due on up to `limit` tickets; the caller commits. Returns (tickets examined, what fired).

    A handful of statements whatever the batch's size: the ledger rows in one insert, the
    notifications in another, the tickets' next checks in one flush.
    """
    now = now or utcnow()
    tickets = session.exec(due_tickets_query(now, limit)).all()
    due = {ticket.id: [event for event in sla.pending_events(ticket) if event[0] <= now] for ticket in tickets}
    newly = _record(session, [(ticket_id, *event[1:]) for ticket_id, events in due.items() for event in events], now)
    fired: list[Fired] = []
    alerts: list[notifications.SlaAlert] = []
    keys = dict(
        session.exec(select(Project.id, Project.key).where(Project.id.in_({t.project_id for t in tickets}))).all()
    )
    for ticket in tickets:
        events = [event for event in due[ticket.id] if (ticket.id, *event[1:]) in newly]
        number = format_ticket_number(keys[ticket.project_id], ticket.number)
        fired += _fire(session, ticket, number, events, now, alerts)
    notifications.stage_sla_alerts(session, alerts)
    session.flush()
    return len(tickets), fired


def sweep(*, unit_of_work: Callable[[], AbstractContextManager[Session]], now: datetime | None = None) -> list[Fired]:
    """One pass (the periodic task's, `tickit sla check`): batches in units of work of their own until none is due.

    Every examined ticket's next check moves past `now`, so the batches run out.
    """
    now = now or utcnow()
    fired: list[Fired] = []
    while True:
        with unit_of_work() as session:
            examined, batch = sweep_batch(session=session, now=now)
        fired += batch
        if examined < BATCH:
            return fired


def _fire(
    session: Session,
    ticket: Ticket,
    number: str,
    events: list[tuple[datetime, int, str, str]],
    now: datetime,
    alerts: list[notifications.SlaAlert],
) -> list[Fired]:
    """Escalate and tell of the events that just fired for `ticket`, then schedule its next check."""
    fired: list[Fired] = []
    # A breach says all a warning would: when both are due at once (a sweep that was down), only the breach is told.
    breached_targets = {target for _, _, target, kind in events if kind == sla.BREACH}
    for at, cycle, target, kind in events:
        if kind == sla.WARNING and target in breached_targets:
            continue
        breach = kind == sla.BREACH
        if breach:
            reporting.on_breach(session, ticket, target, cycle, at)
        actions = _escalate(session, ticket, target, now) if breach else ()
        alerts.append(
            notifications.SlaAlert(
                ticket_id=ticket.id,
                kind=notifications.SLA_BREACH if breach else notifications.SLA_WARNING,
                target=target,
                due_at=f"{at:%Y-%m-%d %H:%M} UTC",
                contact_ids=tuple(_contact_ids(session, ticket.project_id)) if breach else (),
            )
        )
        webhook_events.publish(
            session,
            project_id=ticket.project_id,
            ticket_id=ticket.id,
            event=webhook_events.SLA_BREACHED if breach else webhook_events.SLA_WARNING,
            data={"target": target, "due_at": at.isoformat()},
        )
        fired.append(Fired(number, target, kind, at, actions))
    if any(action.startswith("priority raised") for f in fired for action in f.actions):
        sla.recompute(session, ticket, now)  # a raised priority has other targets, maybe another policy
    else:
        # Everything due by `now` is in the ledger now (fired here, or before): the next check is later.
        ticket.sla_next_check_at = next((at for at, *_ in sla.pending_events(ticket) if at > now), None)
        session.add(ticket)
    return fired


def _record(session: Session, keys: list[tuple[int, int, str, str]], now: datetime) -> set[tuple[int, int, str, str]]:
    """Insert the ledger rows; the keys whose insert made it, which only one caller ever gets back."""
    if not keys:
        return set()
    rows = [
        {"ticket_id": t, "cycle": c, "target": target, "kind": kind, "fired_at": now} for t, c, target, kind in keys
    ]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(SlaEvent)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(SlaEvent.ticket_id, SlaEvent.cycle, SlaEvent.target, SlaEvent.kind)
    )
    return {tuple(row) for row in session.connection().execute(statement)}


def _escalate(session: Session, ticket: Ticket, target: str, now: datetime) -> tuple[str, ...]:
    """What the policy does on a breach, applied and logged; returns the actions in words."""
    policy = session.get(SlaPolicy, ticket.sla_policy_id) if ticket.sla_policy_id is not None else None
    label = "first response" if target == sla.FIRST_RESPONSE else "resolution"
    actions: list[str] = []
    before: dict = {}
    after: dict = {"target": target}
    if policy is not None and policy.raise_priority and ticket.priority in _RAISED:
        before["priority"], ticket.priority = ticket.priority, _RAISED[Priority(ticket.priority)].value
        after["priority"] = ticket.priority
        actions.append(f"priority raised to {ticket.priority}")
    if policy is not None and policy.reassign:
        new_assignee = _reassign_target(session, policy, ticket)
        if new_assignee != ticket.assignee_id:
            before["assignee"] = _person(session, ticket.assignee_id)
            after["assignee"] = _person(session, new_assignee)
            previous_id, ticket.assignee_id = ticket.assignee_id, new_assignee
            webhook_events.publish_assigned(session, ticket=ticket, previous_assignee_id=previous_id)
            actions.append(f"reassigned to {after['assignee']['name']}" if new_assignee else "back to the queue")
    ticket_stamp.touch(ticket, now, internal=True)
    session.add(ticket)
    session.add(
        ActivityEntry(
            ticket_id=ticket.id,
            actor_user_id=None,
            action="sla_breached",
            before=before,
            after={**after, "actions": actions, "label": label},
            created_at=now,
        )
    )
    if "assignee" in after and ticket.assignee_id is not None:
        notifications.stage_assigned(session, ticket=ticket, actor=SYSTEM)
    return tuple(actions)


def _reassign_target(session: Session, policy: SlaPolicy, ticket: Ticket) -> int | None:
    if policy.reassign == "queue":
        return None
    agent = session.get(User, policy.reassign_to_id) if policy.reassign_to_id else None
    # An agent who left the project or was deactivated gets nothing; the ticket stays where it is.
    if agent is None or not agent.is_active or not can_work(session, UserPublic.of(agent), ticket.project_id):
        return ticket.assignee_id
    return agent.id


def _person(session: Session, user_id: int | None) -> dict | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return {"id": user_id, "name": user.name if user else "a former user"}


def _contact_ids(session: Session, project_id: int) -> list[int]:
    return list(
        session.exec(select(SlaEscalationContact.user_id).where(SlaEscalationContact.project_id == project_id)).all()
    )
