"""The staff ticket page /tickets/[number]: the ticket with its side panel, and its comment thread.

Two sibling states, each small: `TicketState` (the ticket, its fields, activity and attachments) and
`TicketCommentsState` (the thread and the composer). Both admit agents and admins only, so internal
notes (which the services show to those who work the project) never reach a client's browser;
clients get their own portal page.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from tickit import routes
from tickit.config import get_settings
from tickit.db import session_scope
from tickit.models import Priority, Role
from tickit.services import attachments, comments, ticket_detail, workflow
from tickit.services.actors import UserPublic
from tickit.services.errors import ServiceError, ValidationFailed
from tickit.state.formatting import PRIORITY_COLORS, ago, timestamp
from tickit.state.session import SessionState

PRIORITIES = [p.value for p in Priority]
UNASSIGNED = "none"


def _message(exc: ServiceError) -> str:
    return "; ".join(exc.errors.values()) if isinstance(exc, ValidationFailed) else str(exc)


def _number_from_route(state: rx.State) -> str:
    return state.router.url.path.rstrip("/").split("/")[-1].upper()


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
    error: str = ""


@dataclasses.dataclass
class StatusButton:
    key: str
    name: str
    color: str


@dataclasses.dataclass
class ActivityRow:
    actor_name: str
    text: str
    ago: str
    at: str


@dataclasses.dataclass
class AttachmentRow:
    id: int
    name: str
    size: str
    is_image: bool
    download_url: str
    thumbnail_url: str
    uploaded_by: str
    ago: str
    at: str


@dataclasses.dataclass
class CommentRow:
    id: int
    is_reply: bool
    author_name: str
    author_initials: str
    html: str
    internal: bool
    edited: bool
    deleted: bool
    mine: bool
    ago: str
    at: str


def _size(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"


def _field_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _initials(name: str) -> str:
    return "".join(part[0] for part in name.split()[:2]).upper() or "?"


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
    files: list[AttachmentRow] = []
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
            files = attachments.list_for_ticket(session=session, actor=actor, number=self.number)
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
                error=errors.get(f"fields.{f.key}", ""),
            )
            for f in detail.fields
            if not f.archived
        ]
        self.activity = [ActivityRow(a.actor_name, a.text, ago(a.created_at), timestamp(a.created_at)) for a in history]
        self.files = [
            AttachmentRow(
                id=a.id,
                name=a.name,
                size=_size(a.size),
                is_image=a.is_image and bool(a.thumbnail_url),
                download_url=a.download_url,
                thumbnail_url=a.thumbnail_url or "",
                uploaded_by=a.uploaded_by,
                ago=ago(a.created_at),
                at=timestamp(a.created_at),
            )
            for a in files
        ]
        self.upload_limit = get_settings().upload_limit_bytes

    def _change(self, change) -> Any:
        """Run one edit through a service, then show the ticket as it now is."""
        actor = self.actor()
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
            return rx.toast.error(_message(exc))
        self._reload(actor)
        return None

    @rx.event
    def load(self):
        actor = self.admit(Role.AGENT, Role.ADMIN)
        self.number = _number_from_route(self)
        if actor is None:
            self.found, self.fields, self.activity, self.files, self.agents = False, [], [], [], []
            return self.refusal()
        try:
            self._reload(actor)
        except ServiceError:
            self.found = False
        return None

    @rx.event
    def reload(self):
        actor = self.actor()
        if actor is None:
            return self.refusal()
        try:
            self._reload(actor)
        except ServiceError as exc:
            return rx.toast.error(_message(exc))
        return None

    @rx.event
    def files_uploaded(self, views: list[dict[str, Any]]):
        """The upload control stored `views` and says so itself: list the ticket's files (and log) anew."""
        return self.reload()

    @rx.event
    def remove_file(self, attachment_id: int):
        """Remove an attachment; the service decides who may (its uploader, or the ticket's agents)."""
        actor = self.actor()
        if actor is None:
            return self.refusal()
        name = next((f.name for f in self.files if f.id == attachment_id), "the file")
        try:
            with session_scope() as session:
                attachments.remove_attachment(session=session, actor=actor, attachment_id=attachment_id)
        except ServiceError as exc:
            self._reload(actor)
            return rx.toast.error(_message(exc))
        self._reload(actor)
        return rx.toast.success(f"Removed {name}.")

    @rx.event
    def move(self, status_key: str):
        return self._change(
            lambda session, actor: workflow.move(session=session, actor=actor, number=self.number, to_status=status_key)
        )

    @rx.event
    def assign(self, user_id: str):
        assignee = None if user_id in ("", UNASSIGNED) else int(user_id)
        return self._change(
            lambda session, actor: ticket_detail.assign(
                session=session, actor=actor, number=self.number, assignee_id=assignee
            )
        )

    @rx.event
    def assign_to_me(self):
        return self.assign(self.my_id)

    @rx.event
    def set_priority(self, priority: str):
        return self._change(
            lambda session, actor: ticket_detail.set_priority(
                session=session, actor=actor, number=self.number, priority=priority
            )
        )

    @rx.event
    def save_field(self, key: str, value: Any):
        """Save one custom field; a validation error is shown beneath that field."""
        actor = self.actor()
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
            return rx.toast.error(_message(exc))
        self._reload(actor)
        return rx.toast.success("Saved.")


class TicketCommentsState(SessionState):
    """The ticket's comment thread and the composer (new comments, replies, edits)."""

    number: str = ""
    comments: list[CommentRow] = []
    mentionables: list[dict[str, Any]] = []  # [{id, label}] for the editor
    body: str = ""
    internal: bool = False
    clear_key: int = 0
    reply_to: int = 0
    reply_body: str = ""
    editing: int = 0
    edit_body: str = ""
    error: str = ""

    @rx.var
    def reply_to_name(self) -> str:
        return next((c.author_name for c in self.comments if c.id == self.reply_to), "")

    def _reload(self, actor: UserPublic) -> None:
        with session_scope() as session:
            shown = comments.thread(session=session, actor=actor, number=self.number)
            people = comments.mentionable_agents(session=session, actor=actor, number=self.number)
        self.comments = [
            CommentRow(
                id=c.id,
                is_reply=c.parent_id is not None,
                author_name=c.author_name,
                author_initials=_initials(c.author_name),
                html=c.html,
                internal=c.internal,
                edited=c.edited,
                deleted=c.deleted,
                mine=c.author_id == actor.id,
                ago=ago(c.created_at),
                at=timestamp(c.created_at),
            )
            for c in shown
        ]
        self.mentionables = [{"id": p.id, "label": p.name} for p in people]

    @rx.event
    def load(self):
        actor = self.admit(Role.AGENT, Role.ADMIN)
        self.number = _number_from_route(self)
        self.body, self.internal, self.reply_to, self.editing, self.error = "", False, 0, 0, ""
        if actor is None:
            self.comments, self.mentionables = [], []
            return self.refusal()
        try:
            self._reload(actor)
        except ServiceError:
            self.comments, self.mentionables = [], []
        return None

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
    def start_reply(self, comment_id: int):
        self.reply_to, self.reply_body, self.editing, self.error = comment_id, "", 0, ""

    @rx.event
    def start_edit(self, comment_id: int):
        row = next((c for c in self.comments if c.id == comment_id), None)
        if row is not None and row.mine:
            self.editing, self.edit_body, self.reply_to, self.error = comment_id, row.html, 0, ""

    @rx.event
    def cancel(self):
        self.reply_to, self.editing, self.error = 0, 0, ""

    def _write(self, action) -> Any:
        actor = self.actor()
        if actor is None:
            return self.refusal()
        try:
            with session_scope() as session:
                action(session, actor)
        except ServiceError as exc:
            self.error = _message(exc)
            return rx.toast.error(self.error)
        self.error = ""
        self._reload(actor)
        return TicketState.reload  # the activity log and the timestamps changed too

    @rx.event
    def post(self):
        body, internal = self.body, self.internal
        done = self._write(
            lambda session, actor: comments.add_comment(
                session=session, actor=actor, number=self.number, body_html=body, internal=internal
            )
        )
        if not self.error:
            self.body, self.internal, self.clear_key = "", False, self.clear_key + 1
        return done

    @rx.event
    def post_reply(self):
        body, parent = self.reply_body, self.reply_to
        done = self._write(
            lambda session, actor: comments.add_comment(
                session=session, actor=actor, number=self.number, body_html=body, parent_id=parent
            )
        )
        if not self.error:
            self.reply_to, self.reply_body = 0, ""
        return done

    @rx.event
    def save_edit(self):
        body, comment_id = self.edit_body, self.editing
        done = self._write(
            lambda session, actor: comments.edit_comment(
                session=session, actor=actor, comment_id=comment_id, body_html=body
            )
        )
        if not self.error:
            self.editing, self.edit_body = 0, ""
        return done

    @rx.event
    def delete(self, comment_id: int):
        return self._write(
            lambda session, actor: comments.delete_comment(session=session, actor=actor, comment_id=comment_id)
        )
