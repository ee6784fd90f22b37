"""The client portal ticket page /portal/tickets/[number]: the ticket, its public thread and the composer.

Two sibling states, as on the staff page: `PortalTicketState` (the ticket, its files and activity) and
`PortalCommentsState` (the thread and the composer). Both admit clients only; staff are sent to the
staff page. What a client may see is decided by the services (a ticket they did not report is
NotFound; internal notes, their files and their activity are left out in SQL), so nothing hidden is
ever loaded into these vars, and so never reaches the browser.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from tickit import routes
from tickit.config import get_settings
from tickit.db import session_scope
from tickit.models import Role
from tickit.services import attachments, comments, ticket_detail
from tickit.services.actors import UserPublic
from tickit.services.errors import ServiceError, ValidationFailed
from tickit.state.formatting import ago, timestamp
from tickit.state.session import SessionState
from tickit.state.tickets import STATUS_CATEGORY_COLORS


@dataclasses.dataclass
class ThreadComment:
    id: int
    is_reply: bool
    author_name: str
    author_initials: str
    html: str
    edited: bool
    deleted: bool
    mine: bool
    ago: str
    at: str


@dataclasses.dataclass
class TicketFile:
    id: int
    name: str
    size: str
    is_image: bool
    download_url: str
    thumbnail_url: str
    uploaded_by: str
    ago: str


@dataclasses.dataclass
class ActivityLine:
    actor_name: str
    text: str
    ago: str
    at: str


def _number_from_route(state: rx.State) -> str:
    return state.router.url.path.rstrip("/").split("/")[-1].upper()


def _message(exc: ServiceError) -> str:
    return "; ".join(exc.errors.values()) if isinstance(exc, ValidationFailed) else str(exc)


def _initials(name: str) -> str:
    return "".join(part[0] for part in name.split()[:2]).upper() or "?"


def _size(size: int) -> str:
    for unit, factor in (("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"


def _staff_redirect(state: SessionState, number: str):
    """Agents and admins reading a portal link get the staff page of the same ticket."""
    if state.user_role in (Role.AGENT, Role.ADMIN):
        return rx.redirect(routes.ticket_page(number), replace=True)
    return state.refusal()


class PortalTicketState(SessionState):
    """The ticket as its reporter sees it: status, dates, description, files, activity."""

    number: str = ""
    found: bool = False
    title: str = ""
    description: str = ""
    project_name: str = ""
    type_name: str = ""
    status_name: str = ""
    status_color: str = "gray"
    created_at: str = ""
    created_ago: str = ""
    updated_at: str = ""
    updated_ago: str = ""
    activity: list[ActivityLine] = []
    files: list[TicketFile] = []
    upload_limit: int = 0  # bytes; the upload control warns before sending a larger file

    @rx.var
    def upload_url(self) -> str:
        return routes.attachments_upload(self.number) if self.found else ""

    def _clear(self) -> None:
        self.found, self.title, self.description = False, "", ""
        self.project_name = self.type_name = self.status_name = ""
        self.created_at = self.created_ago = self.updated_at = self.updated_ago = ""
        self.activity, self.files = [], []

    def _reload(self, actor: UserPublic) -> None:
        with session_scope() as session:
            detail = ticket_detail.ticket_detail(session=session, actor=actor, number=self.number)
            history = ticket_detail.activity(session=session, actor=actor, number=self.number)
            files = attachments.list_for_ticket(session=session, actor=actor, number=self.number)
        self.found = True
        self.upload_limit = get_settings().upload_limit_bytes
        self.title, self.description = detail.title, detail.description
        self.project_name, self.type_name = detail.project_name, detail.type_name
        self.status_name = detail.status.name
        color = detail.status.color or "gray"
        self.status_color = color if color != "gray" else STATUS_CATEGORY_COLORS.get(detail.status.category, "gray")
        self.created_at, self.created_ago = timestamp(detail.created_at), ago(detail.created_at)
        self.updated_at, self.updated_ago = timestamp(detail.updated_at), ago(detail.updated_at)
        self.activity = [
            ActivityLine(a.actor_name, a.text, ago(a.created_at), timestamp(a.created_at)) for a in history
        ]
        self.files = [
            TicketFile(
                id=a.id,
                name=a.name,
                size=_size(a.size),
                is_image=a.is_image and bool(a.thumbnail_url),
                download_url=a.download_url,
                thumbnail_url=a.thumbnail_url or "",
                uploaded_by=a.uploaded_by,
                ago=ago(a.created_at),
            )
            for a in files
        ]

    @rx.event
    def load(self):
        actor = self.admit(Role.CLIENT)
        self.number = _number_from_route(self)
        if actor is None:
            self._clear()
            return _staff_redirect(self, self.number)
        try:
            self._reload(actor)
        except ServiceError:
            self._clear()  # another client's ticket, or none: the same "not found" either way
        return None

    @rx.event
    def files_uploaded(self, views: list[dict[str, Any]]):
        """The upload control stored the files: list them (and the log) anew."""
        return self.reload()

    @rx.event
    def reload(self):
        actor = self.actor()
        if actor is None or not self.found:
            return None
        try:
            self._reload(actor)
        except ServiceError:
            self._clear()
        return None


class PortalCommentsState(SessionState):
    """The ticket's public thread and the client's composer (comments, replies, edits of their own)."""

    number: str = ""
    comments: list[ThreadComment] = []
    clear_key: int = 0
    body: str = ""
    reply_to: int = 0
    reply_body: str = ""
    editing: int = 0
    edit_body: str = ""
    error: str = ""

    def _reload(self, actor: UserPublic) -> None:
        with session_scope() as session:
            shown = comments.thread(session=session, actor=actor, number=self.number)
        self.comments = [
            ThreadComment(
                id=c.id,
                is_reply=c.parent_id is not None,
                author_name=c.author_name,
                author_initials=_initials(c.author_name),
                html=c.html,
                edited=c.edited,
                deleted=c.deleted,
                mine=c.author_id == actor.id,
                ago=ago(c.created_at),
                at=timestamp(c.created_at),
            )
            for c in shown
        ]

    @rx.event
    def load(self):
        actor = self.admit(Role.CLIENT)
        self.number = _number_from_route(self)
        self.body, self.reply_to, self.reply_body, self.editing, self.edit_body, self.error = "", 0, "", 0, "", ""
        if actor is None:
            self.comments = []
            return None  # PortalTicketState.load redirects
        try:
            self._reload(actor)
        except ServiceError:
            self.comments = []
        return None

    @rx.event
    def set_body(self, html: str):
        self.body = html

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
        return PortalTicketState.reload  # the activity log and "updated" changed too

    @rx.event
    def post(self):
        body = self.body
        done = self._write(
            lambda session, actor: comments.add_comment(
                session=session, actor=actor, number=self.number, body_html=body
            )
        )
        if not self.error:
            self.body, self.clear_key = "", self.clear_key + 1
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
