"""What the staff ticket page and the portal ticket page share: the thread's rows and its handlers' logic.

Reflex binds an event handler to the class that defines it, so the two pages' comment states do not
inherit handlers from one another. Each declares the same vars and one-line handlers that call the
functions here; the functions hold the logic once. A "thread state" is any state with these vars:

    number: str                    the ticket
    comments: list[ThreadComment]  the thread as the actor may see it (the services leave out notes)
    mentionables: list[dict]       [{id, label}] for the editor's @ list (empty for clients)
    body, reply_body, edit_body    the editors' HTML
    clear_key: int                 incremented to empty the composer after a post
    reply_to, editing: int         the comment being replied to or edited (0: none)
    error: str                     the last refusal, shown in a toast
    upload_limit: int              bytes; the upload controls refuse larger files before sending
    send_to: str                   where files held by a composer go once its comment exists
    post_send_key, reply_send_key  incremented to tell the composer's (or the reply's) control to send them
    reply_held: int                how many files the open reply holds
    reply_sending: bool            the reply is posted and its files are on their way
    edit_upload_url: str           where files attached while editing go (the edited comment's)

Files are attached to a comment the moment it exists: the composer's upload control holds the chosen
files, the post creates the comment, and the control then sends them to that comment's upload URL.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.config import get_settings
from tickit.db import session_scope
from tickit.labels import file_size
from tickit.services import attachments, comments
from tickit.services.actors import UserPublic
from tickit.services.errors import ServiceError, ValidationFailed
from tickit.state.formatting import ago, timestamp


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
    ago: str
    at: str


@dataclasses.dataclass
class ActivityRow:
    """One entry of a ticket's activity log, newest first."""

    actor_name: str
    text: str
    ago: str
    at: str


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
    mine: bool
    ago: str
    at: str
    files: list[ThreadFile] = dataclasses.field(default_factory=list)


def message(exc: ServiceError) -> str:
    """A refusal in words: every field's message of a ValidationFailed, else the error itself."""
    return "; ".join(exc.errors.values()) if isinstance(exc, ValidationFailed) else str(exc)


def number_from_route(state: rx.State) -> str:
    """The ticket number of a /tickets/<number> or /portal/tickets/<number> page."""
    return state.router.url.path.rstrip("/").split("/")[-1].upper()


def initials(name: str) -> str:
    return "".join(part[0] for part in name.split()[:2]).upper() or "?"


def file_rows(views: list[attachments.AttachmentView], actor: UserPublic, *, works: bool) -> list[ThreadFile]:
    """Display rows for attachments; `works`: the actor works the ticket, so may remove anyone's file."""
    return [
        ThreadFile(
            id=a.id,
            name=a.name,
            size=file_size(a.size),
            is_image=a.is_image and bool(a.thumbnail_url),
            download_url=a.download_url,
            thumbnail_url=a.thumbnail_url or "",
            uploaded_by=a.uploaded_by,
            removable=works or a.uploaded_by_id == actor.id,
            ago=ago(a.created_at),
            at=timestamp(a.created_at),
        )
        for a in views
    ]


def ticket_files(session: Session, actor: UserPublic, number: str, *, works: bool) -> list[ThreadFile]:
    """The files attached to the ticket itself; a comment's files are shown under that comment."""
    views = attachments.list_for_ticket(session=session, actor=actor, number=number)
    return file_rows([a for a in views if a.comment_id is None], actor, works=works)


def reload(state: Any, actor: UserPublic, *, works: bool) -> None:
    """Load the thread, its files and the people to mention into `state`, as the services let `actor` see them."""
    with session_scope() as session:
        shown = comments.thread(session=session, actor=actor, number=state.number)
        files = attachments.list_for_ticket(session=session, actor=actor, number=state.number)
        people = comments.mentionable_agents(session=session, actor=actor, number=state.number)
    by_comment: dict[int, list[attachments.AttachmentView]] = {}
    for view in files:
        if view.comment_id is not None:
            by_comment.setdefault(view.comment_id, []).append(view)
    state.comments = [
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
            ago=ago(c.created_at),
            at=timestamp(c.created_at),
            files=[] if c.deleted else file_rows(by_comment.get(c.id, []), actor, works=works),
        )
        for c in shown
    ]
    state.mentionables = [{"id": p.id, "label": p.name} for p in people]
    state.upload_limit = get_settings().upload_limit_bytes


def load(state: Any, actor: UserPublic | None, *, works: bool) -> None:
    """A page load: an empty composer, and the thread (nothing at all for a refused or hidden ticket)."""
    state.number = number_from_route(state)
    state.body, state.reply_to, state.reply_body, state.editing, state.edit_body, state.error = "", 0, "", 0, "", ""
    state.reply_held, state.reply_sending, state.send_to, state.edit_upload_url = 0, False, "", ""
    state.comments, state.mentionables = [], []
    if actor is None:
        return
    try:
        reload(state, actor, works=works)
    except ServiceError:
        state.comments, state.mentionables = [], []


def start_reply(state: Any, comment_id: int) -> None:
    if state.reply_sending:
        return  # the open reply's files are still on their way
    state.reply_to, state.reply_body, state.reply_held, state.editing, state.error = comment_id, "", 0, 0, ""


def start_edit(state: Any, comment_id: int) -> None:
    row = next((c for c in state.comments if c.id == comment_id), None)
    if row is not None and row.mine and not state.reply_sending:
        state.editing, state.edit_body, state.reply_to, state.error = comment_id, row.html, 0, ""
        state.edit_upload_url = routes.attachments_upload(state.number, comment_id)


def cancel(state: Any) -> None:
    if not state.reply_sending:
        state.reply_to, state.reply_held, state.editing, state.error = 0, 0, 0, ""


def write(state: Any, actor: UserPublic, action: Callable[[Session], Any], *, works: bool) -> tuple[bool, Any]:
    """Run one comment change through its service: (True, its result) with the thread shown anew,
    or (False, None) with the refusal kept in `error`."""
    try:
        with session_scope() as session:
            done = action(session)
    except ServiceError as exc:
        state.error = message(exc)
        return False, None
    state.error = ""
    reload(state, actor, works=works)
    return True, done


def post(state: Any, actor: UserPublic, *, works: bool, internal: bool = False) -> bool:
    """Post the composer's comment; its held files are then sent to it. False (and `error`) when refused."""
    body, number = state.body, state.number
    ok, added = write(
        state,
        actor,
        lambda session: comments.add_comment(
            session=session, actor=actor, number=number, body_html=body, internal=internal
        ),
        works=works,
    )
    if not ok:
        return False
    state.body, state.clear_key = "", state.clear_key + 1
    state.send_to, state.post_send_key = routes.attachments_upload(number, added.id), state.post_send_key + 1
    return True


def post_reply(state: Any, actor: UserPublic, *, works: bool) -> bool:
    """Post the open reply; it stays open (without its editor) while its held files are sent."""
    body, parent, number = state.reply_body, state.reply_to, state.number
    ok, added = write(
        state,
        actor,
        lambda session: comments.add_comment(
            session=session, actor=actor, number=number, body_html=body, parent_id=parent
        ),
        works=works,
    )
    if not ok:
        return False
    if state.reply_held > 0:
        state.reply_sending = True
        state.send_to, state.reply_send_key = routes.attachments_upload(number, added.id), state.reply_send_key + 1
    else:
        state.reply_to, state.reply_body = 0, ""
    return True


def save_edit(state: Any, actor: UserPublic, *, works: bool) -> bool:
    body, comment_id = state.edit_body, state.editing
    ok, _ = write(
        state,
        actor,
        lambda session: comments.edit_comment(session=session, actor=actor, comment_id=comment_id, body_html=body),
        works=works,
    )
    if not ok:
        return False
    state.editing, state.edit_body, state.edit_upload_url = 0, "", ""
    return True


def delete(state: Any, actor: UserPublic, comment_id: int, *, works: bool) -> bool:
    ok, _ = write(
        state,
        actor,
        lambda session: comments.delete_comment(session=session, actor=actor, comment_id=comment_id),
        works=works,
    )
    return ok


def remove_file(state: Any, actor: UserPublic, attachment_id: int, *, works: bool) -> bool:
    """Remove a comment's file (the service decides who may); the thread shown anew."""
    ok, _ = write(
        state,
        actor,
        lambda session: attachments.remove_attachment(session=session, actor=actor, attachment_id=attachment_id),
        works=works,
    )
    return ok


def files_sent(state: Any, actor: UserPublic, *, works: bool) -> None:
    """A composer's files reached their comment: show them under it, and close a reply that waited for them."""
    if state.reply_sending:
        state.reply_to, state.reply_body, state.reply_held, state.reply_sending = 0, "", 0, False
    try:
        reload(state, actor, works=works)
    except ServiceError as exc:
        state.error = message(exc)


def files_failed(state: Any, reason: str) -> str:
    """The comment was posted but its files were refused: close a waiting reply and say what happened."""
    if state.reply_sending:
        state.reply_to, state.reply_body, state.reply_held, state.reply_sending = 0, "", 0, False
    return f"The comment is posted, but its files were not attached: {reason}"
