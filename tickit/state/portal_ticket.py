"""The client portal ticket page /portal/tickets/[number]: the ticket, its public thread and the composer.

Two sibling states, as on the staff page: `PortalTicketState` (the ticket, its files and activity) and
`PortalCommentsState` (the thread and the composer, the `CommentThread` mixin it shares with the staff
page). Both admit clients only; staff are sent to the staff page. What a client may see is decided by
the services (a ticket they did not report is NotFound; internal notes, their files and their activity
are left out in SQL), so nothing hidden is ever loaded into these vars, and so never reaches the browser.

While the page is open its ticker fires `PortalTicketState.watch`, which compares the ticket's stamp
(checking the client's access again, see `state.live`) and reloads both states when the team changed
the ticket, as the staff page does. The stamp stays a backend var: it moves on internal notes too.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.config import get_settings
from tickit.labels import status_color
from tickit.models import Role
from tickit.services import attachments, ticket_cc, ticket_detail
from tickit.services.actors import UserPublic
from tickit.services.ticket_stamp import ticket_stamp
from tickit.state import live
from tickit.state.comment_thread import (
    ActivityRow,
    CommentThread,
    ThreadFile,
    number_from_route,
    refused,
    ticket_files,
)
from tickit.state.formatting import iso
from tickit.state.session import SessionState
from tickit.state.ticket_cc import CcEditor


def _staff_redirect(state: SessionState, number: str):
    """Agents and admins reading a portal link get the staff page of the same ticket."""
    if state.user_role in (Role.AGENT, Role.ADMIN):
        return rx.redirect(routes.ticket_page(number), replace=True)
    return state.refusal()


@dataclasses.dataclass(frozen=True)
class _TicketView:
    """What the page shows beside the thread, read in one transaction."""

    detail: ticket_detail.TicketDetail
    history: list[ticket_detail.ActivityView]
    files: list[ThreadFile]
    stamp: str
    ccs: ticket_cc.CcList


def _read_ticket(session: Session, actor: UserPublic, number: str) -> _TicketView:
    return _TicketView(
        detail=ticket_detail.ticket_detail(session=session, actor=actor, number=number),
        history=ticket_detail.activity(session=session, actor=actor, number=number),
        files=ticket_files(session, actor, number),
        stamp=ticket_stamp(session=session, actor=actor, number=number),
        ccs=ticket_cc.cc_list(session=session, actor=actor, number=number),
    )


@dataclasses.dataclass
class ShownField:
    label: str
    shown: str


POLL_SECONDS = 2.0


class PortalTicketState(CcEditor, SessionState):
    """The ticket as its reporter sees it: status, dates, description, who is in copy, files, activity."""

    number: str = ""
    found: bool = False
    title: str = ""
    description: str = ""
    description_html: str = ""  # sanitised rich text once edited; "" while the description is plain text
    editable: bool = False  # the requester may still change the title and description
    project_name: str = ""
    type_name: str = ""
    status_name: str = ""  # in the requester's words ("In progress")
    status_color: str = "gray"
    fields: list[ShownField] = []  # the custom fields the requester may see, with a value
    created_at: str = ""  # ISO 8601
    updated_at: str = ""
    activity: list[ActivityRow] = []
    files: list[ThreadFile] = []  # attached to the ticket itself
    upload_limit: int = 0  # bytes; the upload control warns before sending a larger file
    _stamp: str = ""  # the ticket's change stamp as shown

    @rx.var
    def upload_url(self) -> str:
        return routes.attachments_upload(self.number) if self.found else ""

    def _clear(self) -> None:
        self.found, self.title, self.description = False, "", ""
        self.description_html, self.editable = "", False
        self.project_name = self.type_name = self.status_name = ""
        self.created_at = self.updated_at = ""
        self.activity, self.files, self.fields, self._stamp = [], [], [], ""
        self.ccs, self.cc_manageable, self.cc_error = [], False, ""

    def _show(self, view: _TicketView) -> None:
        detail = view.detail
        self.found = True
        self.files = view.files
        self.upload_limit = get_settings().upload_limit_bytes
        self.title, self.description = detail.title, detail.description
        self.description_html, self.editable = detail.description_html, detail.editable
        self.project_name, self.type_name = detail.project_name, detail.type_name
        self.status_name = detail.public_status
        self.status_color = status_color(detail.status.color, detail.status.category)
        self.fields = [ShownField(f.label, f.shown) for f in detail.fields if f.shown]
        self._stamp = view.stamp
        self.created_at, self.updated_at = iso(detail.created_at), iso(detail.updated_at)
        self.activity = [ActivityRow(a.actor_name, a.text, iso(a.created_at)) for a in view.history]
        self._show_ccs(view.ccs)

    def _cc_changed(self) -> Any:
        return PortalTicketState.reload

    async def _refresh(self) -> Any:
        """Show the ticket as it now is (nothing, as for any unknown number, once it is hidden from the client)."""
        number = self.number
        outcome = await self.read(lambda session, actor: _read_ticket(session, actor, number))
        if outcome.ok:
            self._show(outcome.value)
            return None
        self._clear()  # another client's ticket, or none: the same "not found" either way
        return outcome.event

    @rx.event
    async def load(self):
        actor = await self.admit(Role.CLIENT)
        self.number = number_from_route(self)
        if actor is None:
            self._clear()
            return _staff_redirect(self, self.number)
        return await self._refresh()

    @rx.event
    async def files_uploaded(self, views: list[dict[str, Any]]):
        """The upload control stored the files: list them (and the log) anew."""
        return await self.reload()

    @rx.event
    async def remove_file(self, attachment_id: int):
        """Remove a file the client attached (the service refuses anyone else's)."""
        outcome = await self.run(
            lambda session, actor: attachments.remove_attachment(
                session=session, actor=actor, attachment_id=attachment_id
            )
        )
        if outcome.ok:
            return PortalTicketState.reload
        return [refused(outcome), PortalTicketState.reload] if outcome.errors else outcome.event

    @rx.event
    async def reload(self):
        return await self._refresh() if self.found else None

    @rx.event
    async def watch(self):
        """One tick of the page's ticker: show what the team changed since the ticket was shown."""
        if not self.found:
            return None
        number, shown = self.number, self._stamp
        return await live.tick(
            self,
            lambda session, actor: ticket_stamp(session=session, actor=actor, number=number),
            lambda stamp: (
                None if stamp == shown else [PortalTicketState.reload, PortalCommentsState.reload, _choices()]
            ),
            refused=PortalTicketState.load,
        )


class PortalCommentsState(CommentThread, SessionState):
    """The ticket's public thread and the client's composer (comments, replies, edits of their own, files)."""

    def _ticket_side(self) -> Any:
        return PortalTicketState.reload

    @rx.event
    async def load(self):
        await self._open(Role.CLIENT)  # PortalTicketState.load redirects whoever may not be here


def _choices() -> Any:
    # Imported late: that state module builds on this one.
    from tickit.state.portal_lifecycle import PortalLifecycleState

    return PortalLifecycleState.load


_RELOADS = [PortalTicketState.reload, PortalCommentsState.reload]
