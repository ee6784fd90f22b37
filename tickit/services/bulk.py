"""Bulk actions on the ticket list: one change applied to many tickets, each through its own service.

- A bulk action is a loop over tickets, never a second write path: assigning goes through
  `ticket_detail.assign`, priority through `ticket_detail.set_priority`, a status move and a
  close through `workflow.move` (so only legal moves happen), tags through `tags.change_tags`.
  Each ticket is one transaction with one activity entry, as if changed on its page: the caller
  commits after each `apply`, so a ticket that cannot take the change leaves the others changed.
- What does not apply is reported per ticket, with the service's reason ("HH-3 cannot move from
  Done to Triaged…"); a ticket that already is as asked is reported as unchanged, not as a failure.
- A macro applies to each ticket through `macros.apply_macro`, as on the ticket page: all of it
  or none of it per ticket. A macro belongs to one project, so a selection it applies to spans one
  project (`macro_choices` says which macros, or why none).
- "Close" moves a ticket to a legal done status that closes it, else to a legal done status;
  a ticket with neither among its moves is reported.
- A selection holds at most SELECTION_MAX tickets ("all matching" takes the first that many).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from tickit.models import CannedReply, Priority, StatusCategory, Ticket, TicketStatus
from tickit.services import canned_replies, macros, tags, ticket_detail, workflow
from tickit.services.access import parse_ticket_number, ticket_for
from tickit.services.actors import UserPublic
from tickit.services.canned_replies import ReplyOption
from tickit.services.errors import ServiceError, ValidationFailed

SELECTION_MAX = 1_000
ASSIGN, PRIORITY, STATUS, ADD_TAGS, REMOVE_TAGS, CLOSE, MACRO = (
    "assign",
    "priority",
    "status",
    "add_tags",
    "remove_tags",
    "close",
    "macro",
)
ACTIONS = (ASSIGN, PRIORITY, STATUS, ADD_TAGS, REMOVE_TAGS, CLOSE, MACRO)
ASSIGN_ME, UNASSIGN = "me", "none"


class Unchanged(ServiceError):
    """The ticket already is as the change asks."""


@dataclass(frozen=True)
class BulkChange:
    """What to do to each ticket: `action` (one of ACTIONS) and its value.

    assign: an agent's user id, "me" or "none"; priority: a priority; status: a status key (each
    ticket's type must have it); add_tags / remove_tags: tag names, comma-separated; close: no value;
    macro: the macro's id.
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
        if self.action == MACRO and not (self.value.isdigit() and 0 < int(self.value) < 2**31):
            raise ValidationFailed({"action": "Choose a macro."})

    def tag_names(self) -> list[str]:
        """The tags the change names, normalised (ValidationFailed `tag` for one that is not a tag)."""
        return [tags.normalise(name) for name in self.value.split(",") if name.strip()]


@dataclass(frozen=True)
class MacroChoices:
    """The macros a selection may take: those of its one project the actor may use, or why there are none."""

    project_key: str
    macros: tuple[ReplyOption, ...]
    refusal: str = ""  # set when no macro can apply to the selection as a whole


def macro_choices(*, session: Session, actor: UserPublic, numbers: Sequence[str]) -> MacroChoices:
    """The macros (not plain replies) the actor may apply to every ticket of the selection `numbers`.

    A macro belongs to one project: a selection across projects gets a refusal naming them.
    """
    keys = sorted({parse_ticket_number(number)[0] for number in numbers})
    if not keys:
        return MacroChoices(project_key="", macros=(), refusal="Select tickets first.")
    if len(keys) > 1:
        named = ", ".join(keys[:-1]) + f" and {keys[-1]}"
        return MacroChoices(
            project_key="",
            macros=(),
            refusal=f"The selection holds tickets of {named}; a macro belongs to one project. "
            "Filter the list by project to apply one.",
        )
    options = canned_replies.replies_for(session=session, actor=actor, project_key=keys[0])
    found = tuple(option for option in options if option.is_macro)
    if not found:
        return MacroChoices(
            project_key=keys[0], macros=(), refusal=f"{keys[0]} has no macro you may use yet (Canned replies)."
        )
    return MacroChoices(project_key=keys[0], macros=found)


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
        case "macro":
            macro = session.get(CannedReply, int(change.value))
            if macro is not None and macro.project_id != ticket.project_id:
                raise ValidationFailed({"macro": f"{number} is not in the macro's project."})
            # The macro's own reply, rendered for this ticket; all of it or none of it (the caller rolls back).
            macros.apply_macro(session=session, actor=actor, number=number, reply_id=int(change.value))
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
