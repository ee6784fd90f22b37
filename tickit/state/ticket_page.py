"""The staff ticket page /tickets/[number]: the ticket with its side panel, and its comment thread.

Two sibling states, each small: `TicketState` (the ticket, its fields, activity and files) and
`TicketCommentsState` (the thread and the composer, its logic shared with the portal page in
`state.comment_thread`). Both admit agents and admins only, so internal notes (which the services
show to those who work the project) never reach a client's browser; clients get their own portal page.

While the page is open, `TicketState.watch` compares the ticket's stamp every POLL_SECONDS and
reloads both states when someone else changed the ticket. The stamp query runs once per ticket per
process per interval, however many tabs show that ticket.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any

import reflex as rx

from tickit import routes
from tickit.config import get_settings
from tickit.db import session_scope
from tickit.models import Priority, Role
from tickit.services import attachments, ticket_detail, workflow
from tickit.services.actors import UserPublic
from tickit.services.errors import ServiceError, ValidationFailed
from tickit.services.ticket_stamp import ticket_stamp
from tickit.state import comment_thread as thread
from tickit.state.comment_thread import ActivityRow, ThreadComment, ThreadFile, message, number_from_route
from tickit.state.formatting import PRIORITY_COLORS, ago, timestamp
from tickit.state.session import SessionState

PRIORITIES = [p.value for p in Priority]
UNASSIGNED = "none"
POLL_SECONDS = 2.0

# ticket number -> (when checked, stamp): one stamp query per ticket per process every POLL_SECONDS.
_stamps: dict[str, tuple[float, str]] = {}


def _shared_stamp(actor: UserPublic, number: str) -> str:
    checked_at, stamp = _stamps.get(number, (0.0, ""))
    if time.monotonic() - checked_at >= POLL_SECONDS * 0.9:
        with session_scope() as session:
            stamp = ticket_stamp(session=session, actor=actor, number=number)
        _stamps[number] = (time.monotonic(), stamp)
    return stamp


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


class TicketState(SessionState):
    """The ticket and its side panel: status moves, assignee, priority, custom fields, activity, files."""

    number: str = ""
    found: bool = False
    title: str = ""
    description: str = ""
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
    reporter_name: str = ""
    reporter_email: str = ""
    source: str = ""
    created_at: str = ""
    updated_at: str = ""
    first_responded_at: str = ""
    resolved_at: str = ""
    fields: list[FieldRow] = []
    activity: list[ActivityRow] = []
    files: list[ThreadFile] = []  # attached to the ticket itself
    stamp: str = ""  # the ticket's change stamp as shown
    _watcher: int = 0
    upload_limit: int = 0  # bytes; the upload control warns before sending a larger file

    @rx.var
    def upload_url(self) -> str:
        return routes.attachments_upload(self.number) if self.number else ""

    @rx.var
    def priority_color(self) -> str:
        return PRIORITY_COLORS.get(self.priority, "gray")

    def _reload(self, actor: UserPublic, errors: dict[str, str] | None = None) -> None:
        with session_scope() as session:
            detail = ticket_detail.ticket_detail(session=session, actor=actor, number=self.number)
            agents = ticket_detail.assignable_agents(session=session, actor=actor, number=self.number)
            history = ticket_detail.activity(session=session, actor=actor, number=self.number)
            self.files = thread.ticket_files(session, actor, self.number, works=True)
            self.stamp = ticket_stamp(session=session, actor=actor, number=self.number)
        self.found = True
        self.title, self.description = detail.title, detail.description
        self.project_name, self.type_name = detail.project_name, detail.type_name
        self.status_name, self.status_color = detail.status.name, detail.status.color or "gray"
        self.moves = [StatusButton(m.key, m.name, m.color or "gray") for m in detail.legal_moves]
        self.priority = detail.priority
        self.assignee = str(detail.assignee.id) if detail.assignee else UNASSIGNED
        self.assignee_name = detail.assignee.name if detail.assignee else ""
        self.agents = [[str(p.id), p.name] for p in agents]
        self.my_id = str(actor.id)
        self.reporter_name, self.reporter_email = detail.reporter_name, detail.reporter_email
        self.source = detail.source
        self.created_at, self.updated_at = timestamp(detail.created_at), timestamp(detail.updated_at)
        self.first_responded_at = timestamp(detail.first_responded_at)
        self.resolved_at = timestamp(detail.resolved_at)
        errors = errors or {}
        self.fields = [
            FieldRow(
                key=f.key,
                label=f.label,
                type=f.field_type,
                required=f.required,
                options=[[k, label] for k, label in f.options],
                value=_field_value(f.value),
                checked=f.value is True,
                shown=f.shown,
                chosen=[str(v) for v in f.value] if isinstance(f.value, list) else [],
                error=errors.get(f"fields.{f.key}", ""),
            )
            for f in detail.fields
            if not f.archived
        ]
        self.activity = [ActivityRow(a.actor_name, a.text, ago(a.created_at), timestamp(a.created_at)) for a in history]
        self.upload_limit = get_settings().upload_limit_bytes

    async def _change(self, change) -> Any:
        """Run one edit through a service, then show the ticket as it now is."""
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        try:
            with session_scope() as session:
                change(session, actor)
        except workflow.IllegalTransition as exc:
            self._reload(actor)
            return rx.toast.error(str(exc))
        except ServiceError as exc:
            self._reload(actor)
            return rx.toast.error(message(exc))
        self._reload(actor)
        return None

    @rx.event
    async def load(self):
        actor = await self.admit(Role.AGENT, Role.ADMIN)
        self.number = number_from_route(self)
        if actor is None:
            self.found, self.fields, self.activity, self.files, self.agents = False, [], [], [], []
            return self.refusal()
        try:
            self._reload(actor)
        except ServiceError:
            self.found = False
            return None
        return TicketState.watch

    @rx.event
    async def reload(self):
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        try:
            self._reload(actor)
        except ServiceError as exc:
            return rx.toast.error(message(exc))
        return None

    @rx.event
    async def files_uploaded(self, views: list[dict[str, Any]]):
        """The upload control stored `views` and says so itself: list the ticket's files (and log) anew."""
        return await self.reload()

    @rx.event
    async def remove_file(self, attachment_id: int):
        """Remove an attachment; the service decides who may (its uploader, or the ticket's agents)."""
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        name = next((f.name for f in self.files if f.id == attachment_id), "the file")
        try:
            with session_scope() as session:
                attachments.remove_attachment(session=session, actor=actor, attachment_id=attachment_id)
        except ServiceError as exc:
            self._reload(actor)
            return rx.toast.error(message(exc))
        self._reload(actor)
        return rx.toast.success(f"Removed {name}.")

    def _still_watching(self, watcher: int, number: str) -> bool:
        from tickit.tickit import app  # the running app, which knows which tabs are connected

        connected = self.router.session.client_token in app.event_namespace.token_to_sid
        here = self.router.url.path.rstrip("/").upper() == routes.ticket_page(number).upper()
        return watcher == self._watcher and connected and here and self.number == number

    @rx.event(background=True)
    async def watch(self):
        """While this ticket stays open, show what others change in it; ends when the tab leaves or closes."""
        async with self:
            self._watcher += 1
            watcher, number, actor = self._watcher, self.number, await self.actor()
        while actor is not None:
            await asyncio.sleep(POLL_SECONDS)
            async with self:
                if not self._still_watching(watcher, number):
                    return
                shown = self.stamp
            try:
                current = await asyncio.to_thread(_shared_stamp, actor, number)
            except ServiceError:
                return  # no longer visible to this actor; the next event or load says so
            if current == shown:
                continue
            async with self:
                if not self._still_watching(watcher, number):
                    return
                actor = await self.actor()  # signed out or deactivated since the page opened: show nothing more
                if actor is None:
                    return
                comments_state = await self.get_state(TicketCommentsState)
                try:
                    self._reload(actor)
                    thread.reload(comments_state, actor, works=True)
                except ServiceError:
                    return

    @rx.event
    async def move(self, status_key: str):
        return await self._change(
            lambda session, actor: workflow.move(session=session, actor=actor, number=self.number, to_status=status_key)
        )

    @rx.event
    async def assign(self, user_id: str):
        assignee = None if user_id in ("", UNASSIGNED) else int(user_id)
        return await self._change(
            lambda session, actor: ticket_detail.assign(
                session=session, actor=actor, number=self.number, assignee_id=assignee
            )
        )

    @rx.event
    async def assign_to_me(self):
        return await self.assign(self.my_id)

    @rx.event
    async def set_priority(self, priority: str):
        return await self._change(
            lambda session, actor: ticket_detail.set_priority(
                session=session, actor=actor, number=self.number, priority=priority
            )
        )

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
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        current = next((f for f in self.fields if f.key == key), None)
        if current is not None and current.type != "checkbox" and str(value) == current.value and not current.error:
            return None  # a blur without a change
        try:
            with session_scope() as session:
                ticket_detail.set_field(session=session, actor=actor, number=self.number, key=key, value=value)
        except ValidationFailed as exc:
            self._reload(actor, errors=exc.errors)
            for row in self.fields:
                if row.key == key:
                    row.value = str(value)  # keep what was typed, to correct it
            return None
        except ServiceError as exc:
            self._reload(actor)
            return rx.toast.error(message(exc))
        self._reload(actor)
        return rx.toast.success("Saved.")


class TicketCommentsState(SessionState):
    """The ticket's comment thread and the composer (comments, internal notes, replies, edits, their files)."""

    number: str = ""
    comments: list[ThreadComment] = []
    mentionables: list[dict[str, Any]] = []  # [{id, label}] for the editor
    body: str = ""
    internal: bool = False
    clear_key: int = 0
    reply_to: int = 0
    reply_body: str = ""
    editing: int = 0
    edit_body: str = ""
    error: str = ""
    upload_limit: int = 0
    send_to: str = ""
    post_send_key: int = 0
    reply_send_key: int = 0
    reply_held: int = 0
    reply_sending: bool = False
    edit_upload_url: str = ""

    @rx.var
    def reply_to_name(self) -> str:
        return next((c.author_name for c in self.comments if c.id == self.reply_to), "")

    def _done(self, ok: bool) -> Any:
        """After a write: the refusal as a toast, or the ticket's side (activity, timestamps) shown anew."""
        return TicketState.reload if ok else rx.toast.error(self.error)

    async def _run(self, change, *args) -> Any:
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        return self._done(change(self, actor, *args, works=True))

    @rx.event
    async def load(self):
        actor = await self.admit(Role.AGENT, Role.ADMIN)
        self.internal = False
        thread.load(self, actor, works=True)
        return self.refusal() if actor is None else None

    @rx.event
    def set_body(self, html: str):
        self.body = html

    @rx.event
    def set_internal(self, value: bool):
        self.internal = value

    @rx.event
    def set_reply_body(self, html: str):
        self.reply_body = html

    @rx.event
    def set_edit_body(self, html: str):
        self.edit_body = html

    @rx.event
    def set_reply_held(self, count: int):
        self.reply_held = count

    @rx.event
    def start_reply(self, comment_id: int):
        thread.start_reply(self, comment_id)

    @rx.event
    def start_edit(self, comment_id: int):
        thread.start_edit(self, comment_id)

    @rx.event
    def cancel(self):
        thread.cancel(self)

    @rx.event
    async def post(self):
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        ok = thread.post(self, actor, works=True, internal=self.internal)
        if ok:
            self.internal = False
        return self._done(ok)

    @rx.event
    async def post_reply(self):
        return await self._run(thread.post_reply)

    @rx.event
    async def save_edit(self):
        return await self._run(thread.save_edit)

    @rx.event
    async def delete(self, comment_id: int):
        return await self._run(thread.delete, comment_id)

    @rx.event
    async def remove_file(self, attachment_id: int):
        return await self._run(thread.remove_file, attachment_id)

    @rx.event
    async def files_sent(self, views: list[dict[str, Any]]):
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        thread.files_sent(self, actor, works=True)
        return TicketState.reload

    @rx.event
    def files_failed(self, reason: str):
        return [rx.toast.error(thread.files_failed(self, reason)), TicketState.reload]
