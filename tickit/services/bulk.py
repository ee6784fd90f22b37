"""Bulk actions on the ticket list: one change applied to many tickets, each through its own service.

- A bulk action is a loop over tickets, never a second write path: assigning goes through
  `ticket_detail.assign`, priority through `ticket_detail.set_priority`, a status move and a
  close through `workflow.move` (so only legal moves happen), tags through `tags.change_tags`.
  Each ticket is one transaction with one activity entry, as if changed on its page: the caller
  commits after each `apply`, so a ticket that cannot take the change leaves the others changed.
- What does not apply is reported per ticket, with the service's reason ("HH-3 cannot move from
  Done to Triaged…"); a ticket that already is as asked is reported as unchanged, not as a failure.
- "Close" moves a ticket to a legal done status that closes it, else to a legal done status;
  a ticket with neither among its moves is reported.
- A selection holds at most SELECTION_MAX tickets ("all matching" takes the first that many).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from tickit.models import Priority, StatusCategory, Ticket, TicketStatus
from tickit.services import tags, ticket_detail, workflow
from tickit.services.access import ticket_for
from tickit.services.actors import UserPublic
from tickit.services.errors import ServiceError, ValidationFailed

SELECTION_MAX = 1_000
ASSIGN, PRIORITY, STATUS, ADD_TAGS, REMOVE_TAGS, CLOSE = (
    "assign",
    "priority",
    "status",
    "add_tags",
    "remove_tags",
    "close",
)
ACTIONS = (ASSIGN, PRIORITY, STATUS, ADD_TAGS, REMOVE_TAGS, CLOSE)
ASSIGN_ME, UNASSIGN = "me", "none"


class Unchanged(ServiceError):
    """The ticket already is as the change asks."""


@dataclass(frozen=True)
class BulkChange:
    """What to do to each ticket: `action` (one of ACTIONS) and its value.

    assign: an agent's user id, "me" or "none"; priority: a priority; status: a status key (each
    ticket's type must have it); add_tags / remove_tags: tag names, comma-separated; close: no value.
    """

    action: str
    value: str = ""

    def check(self) -> None:
        """ValidationFailed (`action`) when the change cannot apply to any ticket."""
        if self.action not in ACTIONS:
            raise ValidationFailed({"action": f"Choose one of: {', '.join(ACTIONS)}."})
        if self.action == PRIORITY and self.value not in tuple(Priority):
            raise ValidationFailed({"action": "Choose a priority."})
        if self.action == ASSIGN and self.value not in (ASSIGN_ME, UNASSIGN) and not self.value.isdigit():
            raise ValidationFailed({"action": "Choose an agent."})
        if self.action == STATUS and not self.value:
            raise ValidationFailed({"action": "Choose a status."})
        if self.action in (ADD_TAGS, REMOVE_TAGS) and not self.tag_names():
            raise ValidationFailed({"action": "Name at least one tag."})

    def tag_names(self) -> list[str]:
        """The tags the change names, normalised (ValidationFailed `tag` for one that is not a tag)."""
        return [tags.normalise(name) for name in self.value.split(",") if name.strip()]


@dataclass(frozen=True)
class NotApplied:
    """A ticket the change did not apply to, and why."""

    number: str
    reason: str


def apply(*, session: Session, actor: UserPublic, number: str, change: BulkChange) -> None:
    """Apply `change` to ticket `number` through the service that owns it; the caller commits.

    Raises what that service raises (NotFound, PermissionDenied, IllegalTransition, ValidationFailed),
    and Unchanged when the ticket already is as asked.
    """
    change.check()
    ticket = ticket_for(session, actor, number)
    match change.action:
        case "assign":
            assignee = (
                None if change.value == UNASSIGN else actor.id if change.value == ASSIGN_ME else int(change.value)
            )
            if ticket.assignee_id == assignee:
                raise Unchanged(f"{number} is already {'unassigned' if assignee is None else 'assigned so'}.")
            ticket_detail.assign(session=session, actor=actor, number=number, assignee_id=assignee)
        case "priority":
            if ticket.priority == change.value:
                raise Unchanged(f"{number} already has priority {change.value}.")
            ticket_detail.set_priority(session=session, actor=actor, number=number, priority=change.value)
        case "status":
            _move(session, actor, number, change.value)
        case "close":
            _move(session, actor, number, _closing_status(session, actor, ticket, number))
        case "add_tags" | "remove_tags":
            names = change.tag_names()
            adding = change.action == ADD_TAGS
            before = set(tags.tags_of(session, ticket.id))
            if (adding and before >= set(names)) or (not adding and not before & set(names)):
                raise Unchanged(f"{number} {'already has' if adding else 'has none of'} those tags.")
            tags.change_tags(
                session=session, actor=actor, number=number, add=names if adding else (), remove=() if adding else names
            )


def _move(session: Session, actor: UserPublic, number: str, to_status: str) -> None:
    try:
        workflow.move(session=session, actor=actor, number=number, to_status=to_status)
    except ValidationFailed as exc:
        if "already in" in exc.errors.get("status", ""):
            raise Unchanged(exc.errors["status"]) from None
        raise


def _closing_status(session: Session, actor: UserPublic, ticket: Ticket, number: str) -> str:
    current = session.get(TicketStatus, ticket.status_id)
    if current.category == StatusCategory.DONE and current.closes:
        raise Unchanged(f"{number} is already closed.")
    done = [
        status for status in workflow.allowed_targets(session=session, actor=actor, number=number) if status.is_done
    ]
    target = next((status for status in done if status.closes), done[0] if done else None)
    if target is None:
        raise ValidationFailed({"status": f"{number} cannot be closed from {current.name}."})
    return target.key
