"""Applying a macro: a canned reply plus changes, all through the services each change has alone.

One transaction, refused whole: the status move is judged (`workflow`) before anything is
written, so an illegal move leaves the ticket untouched; any later refusal raises, and the
caller's transaction rolls back. The reply is posted first and the status moved last, so the
macro's status is the final word over the type's reply rule (a staff reply moving the ticket to
"waiting"). Each change writes its own activity entry, as it does when made by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from tickit.models import TicketStatus
from tickit.services import canned_replies, comments, tags, ticket_detail, workflow
from tickit.services.access import format_ticket_number, parse_ticket_number, ticket_for
from tickit.services.actors import UserPublic
from tickit.services.sanitize import plain_text


@dataclass(frozen=True)
class MacroApplied:
    number: str
    title: str
    changes: tuple[str, ...]  # in words, for the toast: "status → Solved", "reply posted"


def apply_macro(
    *, session: Session, actor: UserPublic, number: str, reply_id: int, reply_html: str | None = None
) -> MacroApplied:
    """Apply macro (or canned reply) `reply_id` to ticket `number`.

    `reply_html` is the reply as the agent left it in the editor after the macro filled it; None
    posts the macro's own reply rendered for this ticket, "" posts none. NotFound for a macro the
    actor may not use; IllegalTransition (nothing written) when its status move is not legal;
    ValidationFailed when a change is refused (a ticket past the tag limit), and the caller rolls back.
    """
    key, n = parse_ticket_number(number)
    number = format_ticket_number(key, n)
    ticket = ticket_for(session, actor, number, for_update=True)
    macro = canned_replies.usable_reply(session, actor, ticket, reply_id)
    values = canned_replies.placeholder_values(session, ticket, actor)
    if macro.set_status:
        legal = workflow.allowed_targets(session=session, actor=actor, number=number)
        current = session.get(TicketStatus, ticket.status_id)
        if macro.set_status != current.key and macro.set_status not in {s.key for s in legal}:
            workflow.move(session=session, actor=actor, number=number, to_status=macro.set_status, locked=ticket)
    reply = canned_replies.render(macro.body_html, values) if reply_html is None else reply_html
    note = canned_replies.render(macro.internal_note_html, values) if macro.internal_note_html else ""
    done: list[str] = []
    if plain_text(reply):
        comments.add_comment(session=session, actor=actor, number=number, body_html=reply)
        done.append("reply posted")
    if note:
        comments.add_comment(session=session, actor=actor, number=number, body_html=note, internal=True)
        done.append("internal note added")
    if macro.set_priority and macro.set_priority != ticket.priority:
        ticket_detail.set_priority(session=session, actor=actor, number=number, priority=macro.set_priority)
        done.append(f"priority → {macro.set_priority}")
    if macro.set_assignee_id is not None and macro.set_assignee_id != ticket.assignee_id:
        ticket_detail.assign(session=session, actor=actor, number=number, assignee_id=macro.set_assignee_id)
        done.append("assigned")
    # The names were normalised when the macro was saved; the ticket is locked above.
    tag_changes = macro.tag_changes or {}
    add, remove = list(tag_changes.get("add", ())), list(tag_changes.get("remove", ()))
    if add or remove:
        before = tags.tags_of(session, ticket.id)
        if tags.apply_tags(session, actor, ticket, add=add, remove=remove) != before:
            done.append("tags changed")
    if macro.set_status and session.get(TicketStatus, ticket.status_id).key != macro.set_status:
        moved = workflow.move(session=session, actor=actor, number=number, to_status=macro.set_status, locked=ticket)
        done.append(f"status → {moved.to_status.name}")
    return MacroApplied(number=number, title=macro.title, changes=tuple(done))
