"""The staff ticket page /tickets/[number]: the ticket with its side panel, and its comment thread.

Two sibling states, each small: `TicketState` (the ticket, its fields, activity and files) and
`TicketCommentsState` (the thread and the composer, the `CommentThread` mixin it shares with the
portal page). Both admit agents and admins only, so internal notes (which the services show to those
who work the project) never reach a client's browser; clients get their own portal page.

While the page is open, its ticker fires `TicketState.watch` every POLL_SECONDS, which compares the
ticket's stamp (checking the viewer's access again, see `state.live`) and reloads both states when
someone else changed the ticket.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.config import get_settings
from tickit.labels import SOURCE_LABELS, priority_color, status_color
from tickit.models import Priority, Role
from tickit.services import attachments, followers, tags, ticket_cc, ticket_detail, workflow
from tickit.services.actors import UserPublic
from tickit.services.ticket_stamp import ticket_stamp
from tickit.state import comment_thread as thread
from tickit.state import live
from tickit.state.canned_menu import CannedMenu
from tickit.state.comment_thread import ActivityRow, CommentThread, ThreadFile, number_from_route, refused
from tickit.state.formatting import iso
from tickit.state.session import SessionState
from tickit.state.sla_badge import sla_badge_fields
from tickit.state.ticket_cc import CcEditor

PRIORITIES = [p.value for p in Priority]
UNASSIGNED = "none"
POLL_SECONDS = 2.0


@dataclasses.dataclass
class FieldRow:
    key: str
    label: str
    type: str
    required: bool
    options: list[list[str]]  # [key, label]
    value: str  # for a text-like input or a select
    checked: bool
    shown: str
    chosen: list[str]  # a multi-select's option keys
    error: str = ""


@dataclasses.dataclass
class MailOriginalRow:
    label: str
    url: str  # a backend route: opened as a document, never by the app's router
    received_at: str


@dataclasses.dataclass
class LinkRow:
    id: int
    label: str  # as this ticket reads it: "blocked by"
    number: str
    title: str
    status_name: str
    done: bool
    url: str


@dataclasses.dataclass
class StatusButton:
    key: str
    name: str
    color: str


def _field_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclasses.dataclass(frozen=True)
class _TicketView:
    """What the side panel shows, read in one transaction."""

    detail: ticket_detail.TicketDetail
    agents: list[ticket_detail.Person]
    history: list[ticket_detail.ActivityView]
    files: list[ThreadFile]
    stamp: str
    reader_id: int
    ccs: ticket_cc.CcList
    followers: followers.Followers


def _read_ticket(session: Session, actor: UserPublic, number: str) -> _TicketView:
    return _TicketView(
        detail=ticket_detail.ticket_detail(session=session, actor=actor, number=number),
        agents=ticket_detail.assignable_agents(session=session, actor=actor, number=number),
        history=ticket_detail.activity(session=session, actor=actor, number=number),
        files=thread.ticket_files(session, actor, number),
        stamp=ticket_stamp(session=session, actor=actor, number=number),
        reader_id=actor.id,
        ccs=ticket_cc.cc_list(session=session, actor=actor, number=number),
        followers=followers.followers_of(session=session, actor=actor, number=number),
    )


class TicketState(CcEditor, SessionState):
    """The ticket and its side panel: status moves, assignee, priority, custom fields, CCs and followers,
    activity, files."""

    number: str = ""
    found: bool = False
    title: str = ""
    description: str = ""
    description_html: str = ""  # sanitised rich text once edited; "" while the description is plain text
    editable: bool = False
    project_name: str = ""
    type_name: str = ""
    status_name: str = ""
    status_color: str = "gray"
    moves: list[StatusButton] = []
    priority: str = "normal"
    assignee: str = UNASSIGNED  # a user id as text, or UNASSIGNED
    assignee_name: str = ""
    agents: list[list[str]] = []  # [user id, name]
    my_id: str = ""
    can_take: bool = False  # the reader is one of the agents the ticket may go to, and does not have it
    reporter_name: str = ""
    reporter_email: str = ""
    reporter_organisation: str = ""
    source: str = ""
    created_at: str = ""  # ISO 8601, like the times below
    updated_at: str = ""
    first_responded_at: str = ""
    resolved_at: str = ""
    closed_at: str = ""
    satisfaction: str = ""  # the requester's latest survey answer, in words
    follow_up_of: str = ""
    sla_text: str = ""  # the SLA badge; empty: none
    sla_color: str = "gray"
    sla_detail: str = ""
    first_response_due_at: str = ""
    resolution_due_at: str = ""
    fields: list[FieldRow] = []
    activity: list[ActivityRow] = []
    files: list[ThreadFile] = []  # attached to the ticket itself
    mail_originals: list[MailOriginalRow] = []  # staff only: the mails behind the ticket ("show original")
    links: list[LinkRow] = []
    stamp: str = ""  # the ticket's change stamp as shown
    follower_names: list[str] = []
    following: bool = False  # the reader follows the ticket
    tags: list[str] = []
    tag_suggestions: list[str] = []  # the project's tags starting with what the tag input holds
    project_key: str = ""
    upload_limit: int = 0  # bytes; the upload control warns before sending a larger file

    @rx.var
    def upload_url(self) -> str:
        return routes.attachments_upload(self.number) if self.number else ""

    @rx.var
    def priority_color(self) -> str:
        return priority_color(self.priority)

    def _show(self, view: _TicketView, errors: dict[str, str] | None = None) -> None:
        detail = view.detail
        self.found = True
        self.files, self.stamp = view.files, view.stamp
        self.title, self.description = detail.title, detail.description
        self.description_html, self.editable = detail.description_html, detail.editable
        self.project_name, self.type_name = detail.project_name, detail.type_name
        self.project_key, self.tags = detail.project_key, list(detail.tags)
        self.status_name = detail.status.name
        self.status_color = status_color(detail.status.color, detail.status.category)
        self.moves = [StatusButton(m.key, m.name, status_color(m.color, m.category)) for m in detail.legal_moves]
        self.priority = detail.priority
        self.assignee = str(detail.assignee.id) if detail.assignee else UNASSIGNED
        self.assignee_name = detail.assignee.name if detail.assignee else ""
        self.agents = [[str(p.id), p.name] for p in view.agents]
        self.my_id = str(view.reader_id)
        self.can_take = view.reader_id in {p.id for p in view.agents} and self.assignee != self.my_id
        self.reporter_name, self.reporter_email = detail.reporter_name, detail.reporter_email
        self.reporter_organisation = detail.reporter_organisation
        self.source = SOURCE_LABELS.get(detail.source, detail.source)
        self.created_at, self.updated_at = iso(detail.created_at), iso(detail.updated_at)
        self.first_responded_at = iso(detail.first_responded_at)
        self.resolved_at = iso(detail.resolved_at)
        self.closed_at = iso(detail.closed_at)
        self.satisfaction, self.follow_up_of = detail.satisfaction, detail.follow_up_of
        self.mail_originals = [MailOriginalRow(m.label, m.url, iso(m.received_at)) for m in detail.mail_originals]
        self.links = [
            LinkRow(v.id, v.label, v.number, v.title, v.status_name, v.done, routes.ticket_page(v.number))
            for v in detail.links
        ]
        badge = sla_badge_fields(detail.sla)
        self.sla_text, self.sla_color, self.sla_detail = badge["sla_text"], badge["sla_color"], badge["sla_detail"]
        self.first_response_due_at = iso(detail.first_response_due_at)
        self.resolution_due_at = iso(detail.resolution_due_at)
        errors = errors or {}
        self.fields = [
            FieldRow(
                key=f.key,
                label=f.label,
                type=f.field_type,
                required=f.required,
                options=[[k, label] for k, label in f.options],
                # A number reads as shown, in its field's decimal places (89.90, not 89.9).
                value=f.shown if f.field_type == "number" else _field_value(f.value),
                checked=f.value is True,
                shown=f.shown,
                chosen=[str(v) for v in f.value] if isinstance(f.value, list) else [],
                error=errors.get(f"fields.{f.key}", ""),
            )
            for f in detail.fields
            if not f.archived
        ]
        self.activity = [ActivityRow(a.actor_name, a.text, iso(a.created_at)) for a in view.history]
        self.upload_limit = get_settings().upload_limit_bytes
        self._show_ccs(view.ccs)
        self.follower_names, self.following = list(view.followers.names), view.followers.following

    def _cc_changed(self) -> Any:
        return TicketState.reload

    async def _refresh(self, errors: dict[str, str] | None = None) -> Any:
        """Show the ticket as it now is; returns the event to send when it may no longer be shown."""
        number = self.number
        outcome = await self.read(lambda session, actor: _read_ticket(session, actor, number))
        if outcome.ok:
            self._show(outcome.value, errors)
        return None if outcome.ok else refused(outcome)

    async def _change(self, change: Callable[[Session, UserPublic], object], done: Any = None) -> Any:
        """Run one edit through its service and show the ticket as it then is; `done` is sent on success.

        A refusal shows the ticket as it now is too (someone may have moved it meanwhile), with a custom
        field's errors beneath that field and any other refusal as a toast.
        """
        number = self.number

        def change_and_read(session: Session, actor: UserPublic) -> _TicketView:
            change(session, actor)
            return _read_ticket(session, actor, number)

        outcome = await self.run(change_and_read)
        if outcome.ok:
            self._show(outcome.value)
            return done
        if not outcome.errors:
            return outcome.event
        field_errors = all(key.startswith("fields.") for key in outcome.errors)
        event = await self._refresh(outcome.errors if field_errors else None)
        return event or (None if field_errors else refused(outcome))

    @rx.event
    async def load(self):
        self.number = number = number_from_route(self)
        outcome = await self.admit_and_read(
            (Role.AGENT, Role.ADMIN), lambda session, actor: _read_ticket(session, actor, number)
        )
        if outcome is None:
            self.found, self.fields, self.activity, self.files, self.agents = False, [], [], [], []
            return self.refusal()
        if not outcome.ok:
            self.found = False
            return None if outcome.errors else outcome.event
        if merged_into := outcome.value.detail.merged_into:
            # A merged ticket's page is its target's: its conversation lives there now, and the
            # target's activity says what was merged into it.
            return rx.redirect(routes.ticket_page(merged_into), replace=True)
        self._show(outcome.value)
        return None

    @rx.event
    async def reload(self):
        return await self._refresh()

    @rx.event
    async def files_uploaded(self, views: list[dict[str, Any]]):
        """The upload control stored `views` and says so itself: list the ticket's files (and log) anew."""
        return await self._refresh()

    @rx.event
    async def remove_file(self, attachment_id: int):
        """Remove an attachment; the service decides who may (its uploader, or the ticket's agents)."""
        name = next((f.name for f in self.files if f.id == attachment_id), "the file")
        return await self._change(
            lambda session, actor: attachments.remove_attachment(
                session=session, actor=actor, attachment_id=attachment_id
            ),
            done=rx.toast.success(f"Removed {name}."),
        )

    @rx.event
    async def watch(self):
        """One tick of the page's ticker: show what others changed in this ticket since it was shown."""
        if not self.found:
            return None
        number, shown = self.number, self.stamp
        return await live.tick(
            self,
            lambda session, actor: ticket_stamp(session=session, actor=actor, number=number),
            lambda stamp: None if stamp == shown else [TicketState.reload, TicketCommentsState.reload],
            refused=TicketState.load,
        )

    @rx.event
    async def move(self, status_key: str):
        number = self.number
        return await self._change(
            lambda session, actor: workflow.move(session=session, actor=actor, number=number, to_status=status_key)
        )

    @rx.event
    async def assign(self, user_id: str):
        number, assignee = self.number, None if user_id in ("", UNASSIGNED) else int(user_id)
        return await self._change(
            lambda session, actor: ticket_detail.assign(
                session=session, actor=actor, number=number, assignee_id=assignee
            )
        )

    @rx.event
    async def toggle_follow(self):
        """Follow the ticket, or stop following it."""
        number, on = self.number, not self.following
        return await self._change(
            lambda session, actor: followers.follow(session=session, actor=actor, number=number, on=on),
            done=rx.toast.success("You follow this ticket now." if on else "You no longer follow this ticket."),
        )

    @rx.event
    async def assign_to_me(self):
        return await self.assign(self.my_id)

    @rx.event
    async def set_priority(self, priority: str):
        number = self.number
        return await self._change(
            lambda session, actor: ticket_detail.set_priority(
                session=session, actor=actor, number=number, priority=priority
            )
        )

    @rx.event
    async def add_tag(self, form_data: dict[str, str]):
        """The tag input's Enter: put the tag it names on the ticket (several, comma-separated)."""
        number, names = self.number, [n for n in str(form_data.get("tag", "")).split(",") if n.strip()]
        if not names:
            return None
        return await self._change(
            lambda session, actor: tags.change_tags(session=session, actor=actor, number=number, add=names),
            done=rx.set_value("ticket-tag-input", ""),
        )

    @rx.event
    async def remove_tag(self, name: str):
        number = self.number
        return await self._change(
            lambda session, actor: tags.change_tags(session=session, actor=actor, number=number, remove=[name])
        )

    @rx.event
    async def suggest_tags(self, prefix: str):
        """Autocomplete: the project's tags that start with what is typed, most used first."""
        project_key, prefix = self.project_key, prefix[: tags.NAME_MAX]
        outcome = await self.read(
            lambda session, actor: tags.suggestions(
                session=session, actor=actor, project_key=project_key, prefix=prefix
            )
        )
        if outcome.ok:
            self.tag_suggestions = [name for name in outcome.value if name not in self.tags]
        return None

    @rx.event
    async def toggle_option(self, key: str, option: str, on: bool):
        """Tick or untick one option of a multi-select field, saving the field with the rest as they were."""
        current = next((f for f in self.fields if f.key == key), None)
        if current is None:
            return None
        chosen = [k for k, _ in current.options if (k == option and on) or (k != option and k in current.chosen)]
        return await self.save_field(key, chosen)

    @rx.event
    async def save_field(self, key: str, value: Any):
        """Save one custom field; a validation error is shown beneath that field."""
        current = next((f for f in self.fields if f.key == key), None)
        if current is not None and current.type != "checkbox" and str(value) == current.value and not current.error:
            return None  # a blur without a change
        number = self.number
        event = await self._change(
            lambda session, actor: ticket_detail.set_field(
                session=session, actor=actor, number=number, key=key, value=value
            ),
            done=rx.toast.success("Saved."),
        )
        for row in self.fields:
            if row.key == key and row.error:
                row.value = str(value)  # keep what was typed, to correct it
        return event


class TicketCommentsState(CannedMenu, CommentThread, SessionState):
    """The ticket's comment thread and the composer (comments, internal notes, replies, edits, their files),
    with the composer's canned replies and macros (`CannedMenu`)."""

    def _ticket_side(self) -> Any:
        return TicketState.reload

    @rx.event
    async def load(self):
        if not await self._open(Role.AGENT, Role.ADMIN):
            return self.refusal()
        return await self._load_menu()
