"""The comment thread both ticket pages show: one state mixin with its vars and handlers, and its rows.

The staff page (`TicketCommentsState`) and the portal page (`PortalCommentsState`) each inherit
`CommentThread`; Reflex copies the mixin's vars and handlers onto each, so a handler runs as that
page's state. What a reader may do with a comment or a file (edit, delete,
reply, remove) comes from the services with the rows; nothing here restates those rules.

Files are attached to a comment the moment it exists: the composer's upload control holds the chosen
files, the post creates the comment, and the control then sends them to that comment's upload URL.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.config import get_settings
from tickit.labels import file_size
from tickit.services import attachments, comments
from tickit.services.actors import UserPublic
from tickit.state.formatting import iso
from tickit.state.session import Outcome, SessionState

T = TypeVar("T")


@dataclasses.dataclass
class ThreadFile:
    """An attachment as a page shows it (beside the ticket, or under its comment)."""

    id: int
    name: str
    size: str
    is_image: bool
    download_url: str
    thumbnail_url: str
    uploaded_by: str
    removable: bool
    at: str  # ISO 8601, worded in the viewer's zone by components.local_time


@dataclasses.dataclass
class ActivityRow:
    """One entry of a ticket's activity log, newest first."""

    actor_name: str
    text: str
    at: str  # ISO 8601


@dataclasses.dataclass
class ThreadComment:
    id: int
    is_reply: bool
    author_name: str
    author_initials: str
    html: str
    internal: bool
    edited: bool
    deleted: bool
    mine: bool  # written by the reader: shown as "You"
    editable: bool
    removable: bool
    can_reply: bool
    at: str  # ISO 8601
    files: list[ThreadFile] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class Thread:
    """The thread as one reader may see it, and whom their editor offers after `@`."""

    comments: list[ThreadComment]
    mentionables: list[dict[str, Any]]  # [{id, label}]


def refused(outcome: Outcome[Any]) -> Any:
    """What a handler returns for a refused outcome: a toast naming the refusal, or the way to sign in."""
    return rx.toast.error("; ".join(outcome.errors.values())) if outcome.errors else outcome.event


def number_from_route(state: rx.State) -> str:
    """The ticket number of a /tickets/<number> or /portal/tickets/<number> page."""
    return state.router.url.path.rstrip("/").split("/")[-1].upper()


def initials(name: str) -> str:
    return "".join(part[0] for part in name.split()[:2]).upper() or "?"


def file_rows(views: list[attachments.AttachmentView]) -> list[ThreadFile]:
    """Display rows for attachments, each saying whether the reader may remove it."""
    return [
        ThreadFile(
            id=a.id,
            name=a.name,
            size=file_size(a.size),
            is_image=a.is_image and bool(a.thumbnail_url),
            download_url=a.download_url,
            thumbnail_url=a.thumbnail_url or "",
            uploaded_by=a.uploaded_by,
            removable=a.removable,
            at=iso(a.created_at),
        )
        for a in views
    ]


def ticket_files(session: Session, actor: UserPublic, number: str) -> list[ThreadFile]:
    """The files attached to the ticket itself; a comment's files are shown under that comment."""
    views = attachments.list_for_ticket(session=session, actor=actor, number=number)
    return file_rows([a for a in views if a.comment_id is None])


def read_thread(session: Session, actor: UserPublic, number: str) -> Thread:
    """The thread, its comments' files and the people to mention, as the services let `actor` see them."""
    shown = comments.thread(session=session, actor=actor, number=number)
    files = attachments.list_for_ticket(session=session, actor=actor, number=number)
    people = comments.mentionable_agents(session=session, actor=actor, number=number)
    by_comment: dict[int, list[attachments.AttachmentView]] = {}
    for view in files:
        if view.comment_id is not None:
            by_comment.setdefault(view.comment_id, []).append(view)
    rows = [
        ThreadComment(
            id=c.id,
            is_reply=c.parent_id is not None,
            author_name=c.author_name,
            author_initials=initials(c.author_name),
            html=c.html,
            internal=c.internal,
            edited=c.edited,
            deleted=c.deleted,
            mine=c.author_id == actor.id,
            editable=c.editable,
            removable=c.removable,
            can_reply=c.can_reply,
            at=iso(c.created_at),
            files=[] if c.deleted else file_rows(by_comment.get(c.id, [])),
        )
        for c in shown
    ]
    return Thread(comments=rows, mentionables=[{"id": p.id, "label": p.name} for p in people])


class CommentThread(SessionState, mixin=True):
    """The thread and its composer: comments, internal notes, replies, edits and their files.

    A mixin of `SessionState`, whose `admit` and `run` it uses. A page state lists both as bases
    (`class TicketCommentsState(CommentThread, SessionState)`): a class whose only state bases are
    mixins is itself a mixin to Reflex. It names, in `_ticket_side`, the event that shows its
    ticket's side anew after a change.
    """

    number: str = ""
    comments: list[ThreadComment] = []
    mentionables: list[dict[str, Any]] = []  # [{id, label}] for the editor (empty for clients)
    body: str = ""
    internal: bool = False  # the composer posts an internal note (the service refuses one from a client)
    clear_key: int = 0  # incremented to empty the composer after a post
    reply_to: int = 0  # the comment being replied to (0: none)
    reply_body: str = ""
    editing: int = 0  # the comment being edited (0: none)
    edit_body: str = ""
    upload_limit: int = 0  # bytes; the upload controls refuse larger files before sending
    send_to: str = ""  # where files held by a composer go once its comment exists
    post_send_key: int = 0  # incremented to tell the composer's control to send its files
    reply_send_key: int = 0  # incremented to tell the reply's control to send its files
    reply_held: int = 0  # how many files the open reply holds
    reply_sending: bool = False  # the reply is posted and its files are on their way
    edit_upload_url: str = ""  # where files attached while editing go (the edited comment's)

    @rx.var
    def reply_to_name(self) -> str:
        return next((c.author_name for c in self.comments if c.id == self.reply_to), "")

    def _ticket_side(self) -> Any:
        """The event that shows the page's ticket side (activity, "updated") anew after a change."""
        raise NotImplementedError

    def _show_thread(self, thread: Thread) -> None:
        self.comments, self.mentionables = thread.comments, thread.mentionables
        self.upload_limit = get_settings().upload_limit_bytes

    def _close_reply(self) -> None:
        self.reply_to, self.reply_body, self.reply_held, self.reply_sending = 0, "", 0, False

    async def _open(self, *roles: str) -> bool:
        """A page load: an empty composer, and the thread (nothing at all for a refused or hidden ticket)."""
        actor = await self.admit(*roles)
        self.number = number_from_route(self)
        self.body, self.internal, self.editing, self.edit_body, self.edit_upload_url = "", False, 0, "", ""
        self._close_reply()
        self.send_to, self.comments, self.mentionables = "", [], []
        if actor is None:
            return False
        number = self.number
        outcome = await self.read(lambda session, actor: read_thread(session, actor, number))
        if outcome.ok:
            self._show_thread(outcome.value)
        return True

    async def _write(self, change: Callable[[Session, UserPublic], T]) -> Outcome[tuple[T, Thread]]:
        """Run one change through its service and read the thread as it then is, in one transaction."""
        number = self.number

        def change_and_read(session: Session, actor: UserPublic) -> tuple[T, Thread]:
            return change(session, actor), read_thread(session, actor, number)

        outcome = await self.run(change_and_read)
        if outcome.ok:
            self._show_thread(outcome.value[1])
        return outcome

    @rx.event
    async def reload(self):
        """The thread anew, the composer as it is: what the page's watcher sends when others changed the ticket."""
        number = self.number
        outcome = await self.read(lambda session, actor: read_thread(session, actor, number))
        if outcome.ok:
            self._show_thread(outcome.value)
        # A refusal is the ticket side's to show: its own load says "not found" or sends to sign-in.

    def _after(self, outcome: Outcome[Any]) -> Any:
        """After a write: the ticket's side shown anew, or the refusal."""
        return self._ticket_side() if outcome.ok else refused(outcome)

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
        if not self.reply_sending:  # else the open reply's files are still on their way
            self._close_reply()
            self.reply_to, self.editing = comment_id, 0

    @rx.event
    def start_edit(self, comment_id: int):
        row = next((c for c in self.comments if c.id == comment_id), None)
        if row is not None and row.editable and not self.reply_sending:
            self.editing, self.edit_body, self.reply_to = comment_id, row.html, 0
            self.edit_upload_url = routes.attachments_upload(self.number, comment_id)

    @rx.event
    def cancel(self):
        if not self.reply_sending:
            self.reply_to, self.reply_held, self.editing = 0, 0, 0

    @rx.event
    async def post(self):
        """Post the composer's comment (or internal note); its held files are then sent to it."""
        number, body, internal = self.number, self.body, self.internal
        outcome = await self._write(
            lambda session, actor: comments.add_comment(
                session=session, actor=actor, number=number, body_html=body, internal=internal
            )
        )
        if outcome.ok:
            added, _ = outcome.value
            self.body, self.internal, self.clear_key = "", False, self.clear_key + 1
            # A reply after the reopen window went to a follow-up ticket: its files go with it.
            target = added.filed_as or number
            self.send_to, self.post_send_key = routes.attachments_upload(target, added.id), self.post_send_key + 1
            if added.filed_as:
                return [self._after(outcome), _follow_up_notice(number, added.filed_as)]
        return self._after(outcome)

    @rx.event
    async def post_reply(self):
        """Post the open reply; it stays open (without its editor) while its held files are sent."""
        number, body, parent = self.number, self.reply_body, self.reply_to
        outcome = await self._write(
            lambda session, actor: comments.add_comment(
                session=session, actor=actor, number=number, body_html=body, parent_id=parent
            )
        )
        if outcome.ok:
            added, _ = outcome.value
            if self.reply_held > 0:
                self.reply_sending = True
                self.send_to = routes.attachments_upload(added.filed_as or number, added.id)
                self.reply_send_key += 1
            else:
                self.reply_to, self.reply_body = 0, ""
            if added.filed_as:
                return [self._after(outcome), _follow_up_notice(number, added.filed_as)]
        return self._after(outcome)

    @rx.event
    async def save_edit(self):
        body, comment_id = self.edit_body, self.editing
        outcome = await self._write(
            lambda session, actor: comments.edit_comment(
                session=session, actor=actor, comment_id=comment_id, body_html=body
            )
        )
        if outcome.ok:
            self.editing, self.edit_body, self.edit_upload_url = 0, "", ""
        return self._after(outcome)

    @rx.event
    async def delete(self, comment_id: int):
        outcome = await self._write(
            lambda session, actor: comments.delete_comment(session=session, actor=actor, comment_id=comment_id)
        )
        return self._after(outcome)

    @rx.event
    async def remove_file(self, attachment_id: int):
        """Remove a comment's file (the service decides who may)."""
        outcome = await self._write(
            lambda session, actor: attachments.remove_attachment(
                session=session, actor=actor, attachment_id=attachment_id
            )
        )
        return self._after(outcome)

    @rx.event
    async def files_sent(self, views: list[dict[str, Any]]):
        """A composer's files reached their comment: show them under it, and close a reply that waited for them."""
        if self.reply_sending:
            self._close_reply()
        number = self.number
        outcome = await self.read(lambda session, actor: read_thread(session, actor, number))
        if outcome.ok:
            self._show_thread(outcome.value)
        return self._after(outcome)

    @rx.event
    def files_failed(self, reason: str):
        """The comment was posted but its files were refused: close a waiting reply and say what happened."""
        if self.reply_sending:
            self._close_reply()
        return [
            rx.toast.error(f"The comment is posted, but its files were not attached: {reason}"),
            self._ticket_side(),
        ]


def _follow_up_notice(number: str, follow_up: str) -> Any:
    """Tell the requester where their late reply went, and take them there."""
    return [
        rx.toast.info(f"{number} was closed a while ago, so your reply started a new request: {follow_up}."),
        rx.redirect(routes.portal_ticket(follow_up)),
    ]
