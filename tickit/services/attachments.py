"""Files attached to a ticket or to one of its comments: storing, listing, serving, removing.

Decisions the rest of the app relies on:
- Files live under `<data_dir>/attachments/<first two characters>/<storage_key>`, the key being
  32 random hex digits; the name the user gave is kept only in the database. Nothing is ever
  stored in Reflex's upload directory, which is served at `/_upload` without any access check.
- Storing is two steps, so that no file is copied while the database is locked (on SQLite a
  write transaction holds up every other writer): `receive_file` writes the file to its final
  place with no session, then `store_upload` records it in a short transaction. A file is received
  into a temporary file beside its final place, counted and hashed as it comes; the moment it passes
  the limit (TICKIT_UPLOAD_LIMIT_MB) the partial file is deleted and TooLarge raised. A complete
  file is fsynced and renamed into place.
- The recording transaction decides whether a received file stays: if it rolls back (or the
  session closes without committing), the files recorded in it are deleted again; a file never
  recorded is deleted by `discard` (or, failing that, by the sweep).
- Uploads cannot fill the disk: each person's files and each ticket's files have a quota
  (removed files count until purged, as they stay on disk), and a person may attach only so many
  files an hour. The recording transaction checks them with the real sizes (QuotaExceeded,
  RateLimited); `check_upload_target` refuses early when nothing is left, before a body is read.
- Whoever may see the ticket may attach to it. Attaching to a comment needs the comment to be
  visible (internal notes: only those who work the ticket) and not deleted, and the actor to be
  its author or someone who works the ticket, so nobody adds files under another's words.
- An attachment is visible to those who may see its ticket, unless it hangs on an internal note
  (only those who work the ticket) or on a deleted comment (nobody). Everything hidden is
  NotFound, the same as an id that does not exist.
- Removal is soft: `removed_at` is set and the file stays on disk, so an operator can restore a
  mistaken removal for 30 days; then `purge_removed` deletes the row (the activity entry keeps
  what was removed). Files are deleted only by `delete_unreferenced_files`, a sweep of the files
  no row points at, never right after a commit: a crash between the commit and the unlink, or
  a ticket deleted with its attachments, then leaves nothing behind for good.
- A download is always served as an attachment; a type that a browser could render as a document
  or run (HTML, SVG, XML, JavaScript, ...) is served as application/octet-stream.
- Thumbnails: Pillow is not a dependency, so the "thumbnail" is the original picture, served only
  for PNG, JPEG, GIF and WebP whose first bytes match that type (never SVG), with a Content
  Security Policy that forbids everything; the page scales it down with CSS.
As everywhere in the services, the caller commits.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mimetypes
import os
import re
import secrets
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, event, func, or_
from sqlmodel import Session, select

from tickit import routes
from tickit.config import get_settings
from tickit.labels import file_size
from tickit.models import Attachment, Comment, Project, Ticket, User, utcnow
from tickit.private_files import make_private_dir
from tickit.services import activity, ratelimit, ticket_stamp
from tickit.services.access import can_work, format_ticket_number, ticket_for
from tickit.services.actors import UserPublic
from tickit.services.errors import NotFound, PermissionDenied, RateLimited, ServiceError

log = logging.getLogger(__name__)

OCTET_STREAM = "application/octet-stream"
NAME_MAX = 255
_FALLBACK_NAME = "file"
_FORMER_USER = "Former user"
_NO_SUCH = "No such attachment."
_EXTENSION_KEPT_MAX = 16  # a longer "extension" is not worth keeping when a name is shortened
_KEY = re.compile(r"[0-9a-f]{32}")
# RFC 6838 type/subtype, compared in lower case; parameters are dropped before the check.
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
# Direction overrides and isolates can make "gpj.exe" read as "exe.jpg".
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SNIFF_BYTES = 16
_PENDING_FILES = "tickit.attachments.pending_files"
REMOVED_RETENTION = timedelta(days=30)
# Longer than any upload takes from writing its file to committing its row.
UPLOAD_GRACE = timedelta(hours=1)
_SWEEP_BATCH = 500
UPLOAD_RATE_WINDOW_SECONDS = 3600


class TooLarge(ServiceError):
    """A file is larger than the upload limit; the message names the limit."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"Each file may be at most {file_size(limit)}.")


class QuotaExceeded(ServiceError):
    """Storing a file would pass the uploader's or the ticket's quota; the message says which and how much is left."""


@dataclass(frozen=True)
class ReceivedFile:
    """A file `receive_file` wrote to its final place; nobody's until `store_upload` records it."""

    key: str
    path: Path
    size: int
    sha256: str
    head: bytes


@dataclass(frozen=True)
class AttachmentView:
    """An attachment as a ticket page lists it."""

    id: int
    name: str
    content_type: str
    size: int
    is_image: bool
    comment_id: int | None
    uploaded_by_id: int | None
    uploaded_by: str
    created_at: datetime
    download_url: str
    thumbnail_url: str | None
    removable: bool  # the actor may remove it (its uploader, or someone who works the ticket)


@dataclass(frozen=True)
class Download:
    """What a route needs to stream a file: `content_type` is already the one that is safe to serve."""

    path: Path
    name: str
    content_type: str
    size: int


# --- use cases -------------------------------------------------------------------------------


def check_upload_target(*, session: Session, actor: UserPublic, number: str, comment_id: int | None = None) -> None:
    """Raise what `store_upload` would for the target alone, so a route can refuse before receiving a body.

    That includes QuotaExceeded when the actor's or the ticket's quota is used up and RateLimited
    when the actor has attached as many files as an hour allows.
    """
    ticket, _comment = _upload_target(session, actor, number, comment_id, for_update=False)
    _check_quotas(session, actor, ticket, incoming=None)
    used = ratelimit.count(session, _rate_key(actor), window_seconds=UPLOAD_RATE_WINDOW_SECONDS)
    if used >= get_settings().upload_files_per_hour:
        raise _rate_limited()


def receive_file(chunks: Iterable[bytes]) -> ReceivedFile:
    """Write an upload to its final place under a fresh key, counting and hashing it as it comes.

    Call it before the transaction that records the file (`store_upload`), never inside one:
    copying a large file must not hold the database's write lock. TooLarge past the upload limit
    (no file is left then). A file that `store_upload` does not record must be `discard`ed.
    """
    return _receive(chunks, get_settings().upload_limit_bytes)


def received_earlier(*, key: str, size: int, sha256: str) -> ReceivedFile | None:
    """A file `receive_file` wrote earlier under `key`, if it is still there at its size; else None (swept)."""
    if not _KEY.fullmatch(key):
        return None
    path = _path_for(key)
    try:
        with path.open("rb") as file:
            head, actual = file.read(_SNIFF_BYTES), os.fstat(file.fileno()).st_size
    except FileNotFoundError:
        return None
    return ReceivedFile(key=key, path=path, size=size, sha256=sha256, head=head) if actual == size else None


def restore_file(session: Session, chunks: Iterable[bytes]) -> ReceivedFile:
    """Write a file restored from an archive under a fresh key, owned by `session`'s transaction.

    No upload limit applies (the file was accepted once already). The caller records it in this
    transaction; if the transaction does not commit, the file is deleted.
    """
    file = _receive(chunks, limit=sys.maxsize)
    _track_new_file(session, file.path)
    return file


def stored_path(key: str) -> Path | None:
    """Where the file stored under `key` is, or None when it is gone (or the key is not one of ours)."""
    if not _KEY.fullmatch(key):
        return None
    path = _path_for(key)
    return path if path.is_file() else None


def is_recorded(session: Session, key: str) -> bool:
    """Whether an attachment row already holds the file stored under `key`."""
    return session.exec(select(Attachment.id).where(Attachment.storage_key == key)).first() is not None


def discard(files: Iterable[ReceivedFile]) -> None:
    """Delete received files that were not recorded (their upload was refused or failed)."""
    for file in files:
        _unlink(file.path)


def store_upload(
    *,
    session: Session,
    actor: UserPublic,
    number: str,
    filename: str,
    content_type: str,
    file: ReceivedFile,
    comment_id: int | None = None,
    rate_counted: bool = False,
) -> AttachmentView:
    """Record a received file on ticket `number` (or on its comment `comment_id`) and log it on the ticket.

    NotFound if the actor may not see the ticket or the comment; PermissionDenied for someone
    else's comment; QuotaExceeded past the actor's or the ticket's quota; RateLimited past the
    files an hour allows (`rate_counted`: the file was counted when it arrived, see
    `staged_uploads`). On any refusal, and whenever the transaction does not commit, the file
    is deleted.
    """
    _track_new_file(session, file.path)
    try:
        ticket, comment = _upload_target(session, actor, number, comment_id, for_update=True)
        # Two uploads of one person to different tickets queue here, so both cannot pass the quota
        # on PostgreSQL (SQLite's write lock already serialises them; it ignores FOR UPDATE).
        session.exec(select(User.id).where(User.id == actor.id).with_for_update()).first()
        name = clean_filename(filename)
        _check_quotas(session, actor, ticket, incoming=_Incoming(name, file.size))
        if not rate_counted and ratelimit.hit(session, _rate_key(actor), window_seconds=UPLOAD_RATE_WINDOW_SECONDS) > (
            get_settings().upload_files_per_hour
        ):
            raise _rate_limited()
        now = utcnow()
        attachment = Attachment(
            ticket_id=ticket.id,
            comment_id=comment.id if comment is not None else None,
            uploaded_by_id=actor.id,
            original_name=name,
            content_type=_checked_type(resolve_content_type(content_type, name), file.head),
            size=file.size,
            sha256=file.sha256,
            storage_key=file.key,
            created_at=now,
        )
        session.add(attachment)
        ticket_stamp.touch(ticket, now, internal=comment is not None and comment.is_internal)
        session.add(ticket)
        session.flush()
        activity.record(
            session,
            ticket,
            actor,
            "attachment_added",
            after=_logged(attachment, comment),
            now=now,
        )
    except BaseException:
        _forget_new_file(session, file.path)
        _unlink(file.path)
        raise
    return _view_of(attachment, actor.name, removable=True)


def open_download(*, session: Session, actor: UserPublic, attachment_id: int) -> Download:
    """The file of an attachment the actor may see, else NotFound (the same as for a missing id)."""
    attachment, _ticket, _works = _visible_attachment(session, actor, attachment_id)
    return Download(
        path=_existing_path(attachment),
        name=attachment.original_name,
        content_type=served_content_type(attachment.content_type),
        size=attachment.size,
    )


def open_thumbnail(*, session: Session, actor: UserPublic, attachment_id: int) -> Download:
    """The picture of a visible raster-image attachment whose bytes are what its type says; else NotFound."""
    attachment, _ticket, _works = _visible_attachment(session, actor, attachment_id)
    if attachment.content_type not in RASTER_IMAGE_TYPES:
        raise NotFound(_NO_SUCH)
    path = _existing_path(attachment)
    with path.open("rb") as file:
        if _sniffed_raster_type(file.read(_SNIFF_BYTES)) != attachment.content_type:
            raise NotFound(_NO_SUCH)
    return Download(
        path=path, name=attachment.original_name, content_type=attachment.content_type, size=attachment.size
    )


def remove_attachment(*, session: Session, actor: UserPublic, attachment_id: int) -> None:
    """Remove an attachment (its uploader, or someone who works the ticket), logging it; the file is kept.

    NotFound if the actor may not see it or it is already removed; PermissionDenied for a client
    removing someone else's file.
    """
    attachment, ticket, works = _visible_attachment(session, actor, attachment_id, for_update=True)
    if not _may_remove(attachment, actor, works):
        raise PermissionDenied("Only its uploader or the ticket's agents may remove a file.")
    now = utcnow()
    comment = session.get(Comment, attachment.comment_id) if attachment.comment_id is not None else None
    attachment.removed_at = now
    ticket_stamp.touch(ticket, now, internal=comment is not None and comment.is_internal)
    session.add_all([attachment, ticket])
    session.flush()
    activity.record(session, ticket, actor, "attachment_removed", before=_logged(attachment, comment), now=now)


def purge_removed(*, session: Session, older_than: timedelta = REMOVED_RETENTION) -> int:
    """Delete the rows of attachments removed more than `older_than` ago; returns how many.

    Their files stay until the next `delete_unreferenced_files`.
    """
    result = session.exec(delete(Attachment).where(Attachment.removed_at < utcnow() - older_than))
    return int(result.rowcount or 0)


def delete_unreferenced_files(*, session: Session, grace: timedelta = UPLOAD_GRACE) -> int:
    """Delete stored files that no attachment row points at and that are older than `grace`; returns how many.

    The grace spares a file whose upload has not committed its row yet. Leftover partial files
    of an interrupted upload go too.
    """
    root = storage_root()
    if not root.is_dir():
        return 0
    cutoff = time.time() - grace.total_seconds()
    old = [path for path in root.glob("*/*") if path.is_file() and path.stat().st_mtime < cutoff]
    gone = [path for path in old if path.name.startswith(".") and path.name.endswith(".part")]
    stored = [path.name for path in old if _KEY.fullmatch(path.name)]
    for start in range(0, len(stored), _SWEEP_BATCH):
        batch = stored[start : start + _SWEEP_BATCH]
        referenced = set(session.exec(select(Attachment.storage_key).where(Attachment.storage_key.in_(batch))))
        gone += [_path_for(key) for key in batch if key not in referenced]
    for path in gone:
        _unlink(path)
    return len(gone)


def list_for_ticket(*, session: Session, actor: UserPublic, number: str) -> list[AttachmentView]:
    """The ticket's attachments the actor may see, oldest first (removed ones left out)."""
    ticket = ticket_for(session, actor, number)
    query = (
        select(Attachment, User.name)
        .outerjoin(User, User.id == Attachment.uploaded_by_id)
        .outerjoin(Comment, Comment.id == Attachment.comment_id)
        .where(
            Attachment.ticket_id == ticket.id,
            Attachment.removed_at.is_(None),
            or_(Attachment.comment_id.is_(None), Comment.deleted_at.is_(None)),
        )
        .order_by(Attachment.created_at, Attachment.id)
    )
    works = can_work(session, actor, ticket.project_id)
    if not works:
        query = query.where(or_(Attachment.comment_id.is_(None), Comment.is_internal == False))  # noqa: E712
    return [
        _view_of(attachment, uploader, removable=_may_remove(attachment, actor, works))
        for attachment, uploader in session.exec(query).all()
    ]


def _may_remove(attachment: Attachment, actor: UserPublic, works: bool) -> bool:
    return works or attachment.uploaded_by_id == actor.id


# --- quotas ----------------------------------------------------------------------------------


def check_room(*, session: Session, actor: UserPublic) -> None:
    """Raise what `count_new_files` would for any file at all, so a route can refuse before receiving a body."""
    if _passes(_stored_bytes(session, Attachment.uploaded_by_id == actor.id), None, _user_quota()):
        raise QuotaExceeded(_sentence(None, _user_quota_rule(session, actor)))
    used = ratelimit.count(session, _rate_key(actor), window_seconds=UPLOAD_RATE_WINDOW_SECONDS)
    if used >= get_settings().upload_files_per_hour:
        raise _rate_limited()


def count_new_files(*, session: Session, actor: UserPublic, files: Iterable[tuple[str, int]]) -> None:
    """Count (name, size) files arriving before their ticket exists against the actor's quota and hourly rate.

    QuotaExceeded when they would not fit the actor's quota, RateLimited past the files an hour
    allows; the ticket's own quota is checked when they are recorded (`store_upload`).
    """
    used = _stored_bytes(session, Attachment.uploaded_by_id == actor.id)
    for name, size in files:
        if _passes(used, _Incoming(name, size), _user_quota()):
            raise QuotaExceeded(_sentence(_Incoming(name, size), _user_quota_rule(session, actor, used)))
        used += size
        if ratelimit.hit(session, _rate_key(actor), window_seconds=UPLOAD_RATE_WINDOW_SECONDS) > (
            get_settings().upload_files_per_hour
        ):
            raise _rate_limited()


def _check_quotas(session: Session, actor: UserPublic, ticket: Ticket, *, incoming: _Incoming | None) -> None:
    """QuotaExceeded when the `incoming` file (None: any file at all) would pass the actor's or the ticket's quota."""
    settings = get_settings()
    mine = _stored_bytes(session, Attachment.uploaded_by_id == actor.id)
    if _passes(mine, incoming, settings.upload_quota_user_bytes):
        raise QuotaExceeded(_sentence(incoming, _user_quota_rule(session, actor, mine)))
    on_ticket = _stored_bytes(session, Attachment.ticket_id == ticket.id)
    if _passes(on_ticket, incoming, settings.upload_quota_ticket_bytes):
        raise QuotaExceeded(
            _sentence(
                incoming,
                f"a ticket's files may take at most {file_size(settings.upload_quota_ticket_bytes)} in all, and "
                f"this one has {_left(on_ticket, settings.upload_quota_ticket_bytes)}.",
            )
        )


def _user_quota() -> int:
    return get_settings().upload_quota_user_bytes


def _user_quota_rule(session: Session, actor: UserPublic, used: int | None = None) -> str:
    if used is None:
        used = _stored_bytes(session, Attachment.uploaded_by_id == actor.id)
    return (
        f"your files may take at most {file_size(_user_quota())} in all, and you have "
        f"{_left(used, _user_quota())}. Remove files you no longer need, or ask an admin to raise the limit."
    )


@dataclass(frozen=True)
class _Incoming:
    name: str
    size: int


def _stored_bytes(session: Session, condition) -> int:
    # Removed files still count: they stay on disk until purged.
    return int(session.exec(select(func.coalesce(func.sum(Attachment.size), 0)).where(condition)).one())


def _passes(used: int, incoming: _Incoming | None, quota: int) -> bool:
    return used + incoming.size > quota if incoming is not None else used >= quota


def _sentence(incoming: _Incoming | None, rule: str) -> str:
    """`report.pdf (3 MiB) does not fit: <rule>`, or the rule alone when no file is named yet."""
    if incoming is None:
        return rule[0].upper() + rule[1:]
    return f"{incoming.name} ({file_size(incoming.size)}) does not fit: {rule}"


def _left(used: int, quota: int) -> str:
    left = quota - used
    return f"{file_size(left)} left" if left > 0 else "no room left"


def _rate_key(actor: UserPublic) -> str:
    return f"upload:{actor.id}"


def _rate_limited() -> RateLimited:
    return RateLimited(
        ratelimit.seconds_left(UPLOAD_RATE_WINDOW_SECONDS),
        f"You may attach at most {get_settings().upload_files_per_hour} files an hour",
    )


# --- names and types -------------------------------------------------------------------------

RASTER_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def clean_filename(name: object) -> str:
    """The name to keep and offer on download: its last path part, without control characters, at most 255."""
    text = unicodedata.normalize("NFC", name) if isinstance(name, str) else ""
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS).strip()
    if text in ("", ".", ".."):
        return _FALLBACK_NAME
    if len(text) > NAME_MAX:
        stem, extension = os.path.splitext(text)
        if not extension or len(extension) > _EXTENSION_KEPT_MAX:
            stem, extension = text, ""
        text = stem[: NAME_MAX - len(extension)].rstrip() + extension
    return text


def resolve_content_type(declared: object, name: str) -> str:
    """The declared type when well-formed and more than octet-stream; else a guess from the name."""
    if isinstance(declared, str):
        bare = declared.split(";", 1)[0].strip().lower()
        if _MEDIA_TYPE.fullmatch(bare) and bare != OCTET_STREAM:
            return bare
    guessed, _encoding = mimetypes.guess_type(name, strict=False)
    return guessed.lower() if guessed and _MEDIA_TYPE.fullmatch(guessed.lower()) else OCTET_STREAM


def served_content_type(content_type: str) -> str:
    """The type to send with a download: octet-stream for anything a browser could render as a page or run."""
    main, _, sub = content_type.partition("/")
    if main in ("multipart", "message"):  # message/rfc822 renders as MHTML in some browsers
        return OCTET_STREAM
    if any(word in sub for word in ("html", "xml", "svg", "javascript", "ecmascript", "xsl", "flash")):
        return OCTET_STREAM
    if main == "text" and sub not in ("plain", "csv"):
        return OCTET_STREAM
    return content_type


def _checked_type(content_type: str, head: bytes) -> str:
    # A picture type is kept only when the bytes agree, so `is_image` (and a thumbnail) never
    # stands for, say, an HTML page named cat.png.
    if content_type in RASTER_IMAGE_TYPES and _sniffed_raster_type(head) != content_type:
        return OCTET_STREAM
    return content_type


def _sniffed_raster_type(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


# --- storage ---------------------------------------------------------------------------------


def storage_root() -> Path:
    """Where attachment files live: never under Reflex's public upload directory."""
    return get_settings().data_dir / "attachments"


def _path_for(key: str) -> Path:
    if not _KEY.fullmatch(key):  # the key comes from the database; never let it steer the path
        raise NotFound(_NO_SUCH)
    return storage_root() / key[:2] / key


def _receive(chunks: Iterable[bytes], limit: int) -> ReceivedFile:
    """Write the chunks to a new file under a fresh key; TooLarge (and no file) past `limit`."""
    key = secrets.token_hex(16)
    final = _path_for(key)
    while final.exists():  # 128 random bits never collide in practice; never overwrite if they do
        key = secrets.token_hex(16)
        final = _path_for(key)
    make_private_dir(final.parent)
    fd, temp_name = tempfile.mkstemp(dir=final.parent, prefix=".", suffix=".part")
    temp = Path(temp_name)
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                if not chunk:
                    continue
                size += len(chunk)
                if size > limit:
                    raise TooLarge(limit)
                if len(head) < _SNIFF_BYTES:
                    head += bytes(chunk[: _SNIFF_BYTES - len(head)])
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, final)
    except BaseException:
        _unlink(temp)
        raise
    _fsync_dir(final.parent)
    return ReceivedFile(key=key, path=final, size=size, sha256=digest.hexdigest(), head=head)


def _existing_path(attachment: Attachment) -> Path:
    path = _path_for(attachment.storage_key)
    if not path.is_file():
        log.warning("attachment %s has no file at %s", attachment.id, path)
        raise NotFound(_NO_SUCH)
    return path


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


# A stored file belongs to the transaction that recorded it: forgotten once that commits,
# deleted when it ends any other way (rollback, or the session closing without a commit).
def _track_new_file(session: Session, path: Path) -> None:
    pending = session.info.get(_PENDING_FILES)
    if pending is None:
        pending = session.info[_PENDING_FILES] = []
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_transaction_end", _transaction_ended)
    pending.append(path)


def _forget_new_file(session: Session, path: Path) -> None:
    pending = session.info.get(_PENDING_FILES, [])
    if path in pending:
        pending.remove(path)


def _committed(session: Session) -> None:
    session.info.get(_PENDING_FILES, []).clear()


def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is not None:  # a savepoint; the outer transaction decides
        return
    pending = session.info.get(_PENDING_FILES, [])
    for path in pending:
        _unlink(path)
    pending.clear()


# --- access ----------------------------------------------------------------------------------


def _upload_target(
    session: Session, actor: UserPublic, number: str, comment_id: int | None, *, for_update: bool
) -> tuple[Ticket, Comment | None]:
    ticket = ticket_for(session, actor, number, for_update=for_update)
    if comment_id is None:
        return ticket, None
    works = can_work(session, actor, ticket.project_id)
    comment = session.get(Comment, comment_id) if isinstance(comment_id, int) else None
    if comment is None or not _comment_visible(comment, ticket, works):
        raise NotFound("No such comment on this ticket.")
    if comment.author_id != actor.id and not works:
        raise PermissionDenied("Only its author or the ticket's agents may attach files to a comment.")
    return ticket, comment


def _comment_visible(comment: Comment, ticket: Ticket, works: bool) -> bool:
    return comment.ticket_id == ticket.id and comment.deleted_at is None and (works or not comment.is_internal)


def _visible_attachment(
    session: Session, actor: UserPublic, attachment_id: int, *, for_update: bool = False
) -> tuple[Attachment, Ticket, bool]:
    """The attachment, its ticket and whether the actor works it; NotFound for anything hidden or removed."""
    if not isinstance(attachment_id, int):
        raise NotFound(_NO_SUCH)
    found = session.exec(
        select(Attachment, Project.key, Ticket.number)
        .join(Ticket, Ticket.id == Attachment.ticket_id)
        .join(Project, Project.id == Ticket.project_id)
        .where(Attachment.id == attachment_id)
    ).first()
    if found is None:
        raise NotFound(_NO_SUCH)
    attachment, project_key, number = found
    try:
        ticket = ticket_for(session, actor, format_ticket_number(project_key, number), for_update=for_update)
    except NotFound:
        raise NotFound(_NO_SUCH) from None
    works = can_work(session, actor, ticket.project_id)
    if attachment.removed_at is not None:
        raise NotFound(_NO_SUCH)
    if attachment.comment_id is not None:
        comment = session.get(Comment, attachment.comment_id)
        if comment is None or not _comment_visible(comment, ticket, works):
            raise NotFound(_NO_SUCH)
    return attachment, ticket, works


# --- views and log ---------------------------------------------------------------------------


def _view_of(attachment: Attachment, uploader: str | None, *, removable: bool) -> AttachmentView:
    is_image = attachment.content_type in RASTER_IMAGE_TYPES
    return AttachmentView(
        id=attachment.id,
        name=attachment.original_name,
        content_type=attachment.content_type,
        size=attachment.size,
        is_image=is_image,
        comment_id=attachment.comment_id,
        uploaded_by_id=attachment.uploaded_by_id,
        uploaded_by=uploader or _FORMER_USER,
        created_at=attachment.created_at,
        download_url=routes.attachment_download(attachment.id),
        thumbnail_url=routes.attachment_thumbnail(attachment.id) if is_image else None,
        removable=removable,
    )


def _logged(attachment: Attachment, comment: Comment | None) -> dict:
    # `internal` lets an activity view hide a note's files from clients the way it hides the note.
    return {
        "attachment_id": attachment.id,
        "name": attachment.original_name,
        "size": attachment.size,
        "comment_id": attachment.comment_id,
        "internal": bool(comment is not None and comment.is_internal),
    }
