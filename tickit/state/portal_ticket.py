"""The client portal ticket page /portal/tickets/[number]: the ticket, its public thread and the composer.

Two sibling states, as on the staff page: `PortalTicketState` (the ticket, its files and activity) and
`PortalCommentsState` (the thread and the composer, its logic shared with the staff page in
`state.comment_thread`). Both admit clients only; staff are sent to the
staff page. What a client may see is decided by the services (a ticket they did not report is
NotFound; internal notes, their files and their activity are left out in SQL), so nothing hidden is
ever loaded into these vars, and so never reaches the browser.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from tickit import routes
from tickit.config import get_settings
from tickit.db import session_scope
from tickit.models import Role
from tickit.services import attachments, ticket_detail
from tickit.services.actors import UserPublic
from tickit.services.errors import ServiceError
from tickit.state import comment_thread as thread
from tickit.state.comment_thread import ActivityRow, ThreadComment, ThreadFile, number_from_route
from tickit.state.formatting import ago, timestamp
from tickit.state.session import SessionState
from tickit.state.tickets import STATUS_CATEGORY_COLORS


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
    activity: list[ActivityRow] = []
    files: list[ThreadFile] = []  # attached to the ticket itself
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
            self.files = thread.ticket_files(session, actor, self.number, works=False)
        self.found = True
        self.upload_limit = get_settings().upload_limit_bytes
        self.title, self.description = detail.title, detail.description
        self.project_name, self.type_name = detail.project_name, detail.type_name
        self.status_name = detail.status.name
        color = detail.status.color or "gray"
        self.status_color = color if color != "gray" else STATUS_CATEGORY_COLORS.get(detail.status.category, "gray")
        self.created_at, self.created_ago = timestamp(detail.created_at), ago(detail.created_at)
        self.updated_at, self.updated_ago = timestamp(detail.updated_at), ago(detail.updated_at)
        self.activity = [ActivityRow(a.actor_name, a.text, ago(a.created_at), timestamp(a.created_at)) for a in history]

    @rx.event
    async def load(self):
        actor = await self.admit(Role.CLIENT)
        self.number = number_from_route(self)
        if actor is None:
            self._clear()
            return _staff_redirect(self, self.number)
        try:
            self._reload(actor)
        except ServiceError:
            self._clear()  # another client's ticket, or none: the same "not found" either way
        return None

    @rx.event
    async def files_uploaded(self, views: list[dict[str, Any]]):
        """The upload control stored the files: list them (and the log) anew."""
        return await self.reload()

    @rx.event
    async def remove_file(self, attachment_id: int):
        """Remove a file the client attached (the service refuses anyone else's)."""
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        try:
            with session_scope() as session:
                attachments.remove_attachment(session=session, actor=actor, attachment_id=attachment_id)
        except ServiceError as exc:
            return [rx.toast.error(thread.message(exc)), PortalTicketState.reload]
        return PortalTicketState.reload

    @rx.event
    async def reload(self):
        actor = await self.actor()
        if actor is None or not self.found:
            return None
        try:
            self._reload(actor)
        except ServiceError:
            self._clear()
        return None


class PortalCommentsState(SessionState):
    """The ticket's public thread and the client's composer (comments, replies, edits of their own, files)."""

    number: str = ""
    comments: list[ThreadComment] = []
    mentionables: list[dict[str, Any]] = []  # always empty for a client: the service offers them nobody
    clear_key: int = 0
    body: str = ""
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

    def _done(self, ok: bool) -> Any:
        """After a write: the refusal as a toast, or the ticket's side ("updated", activity) shown anew."""
        return PortalTicketState.reload if ok else rx.toast.error(self.error)

    async def _run(self, change, *args) -> Any:
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        return self._done(change(self, actor, *args, works=False))

    @rx.event
    async def load(self):
        thread.load(self, await self.admit(Role.CLIENT), works=False)
        return None  # PortalTicketState.load redirects whoever may not be here

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
        return await self._run(thread.post)

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
        thread.files_sent(self, actor, works=False)
        return PortalTicketState.reload

    @rx.event
    def files_failed(self, reason: str):
        return [rx.toast.error(thread.files_failed(self, reason)), PortalTicketState.reload]
