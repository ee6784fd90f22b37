"""Attachment uploads, downloads and thumbnails over plain HTTP, behind the session cookie.

Uploads are multipart/form-data with any number of parts named `files` (at most
MAX_FILES_PER_UPLOAD), so a request is never larger than that many files at the per-file limit.
They go onto a ticket (`upload`) or, from a new-ticket form, are kept for the ticket about to be
filed (`stage`, see services/staged_uploads.py).
The per-file limit is enforced while the body arrives: the parser stops at the first byte past
it, before the rest of the request is read. Quotas and the hourly rate are checked before the body
is read (refused when already used up) and again, with the real sizes, when the files are
recorded. Received files are spooled by Starlette (memory, then temporary files), copied into
storage with no transaction open, and only then recorded in one short transaction: neither a slow
client nor a large copy holds the database's write lock, and a refused file leaves none of its
batch behind.

Cross-site requests: an upload must come from a page of APP_URL's origin (`Origin`, else
`Referer`; tickit.api.same_origin), as sign-in and sign-out must. On top of that the session cookie
is SameSite=Lax, so a cross-site POST carries no session, and the upload must carry
`X-Requested-With: TickIt`, a header a page on another site cannot add without a CORS preflight,
which only APP_URL's origin is granted. Downloads are GETs that change nothing.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Any, BinaryIO
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from tickit import routes
from tickit.api import same_origin
from tickit.config import get_settings
from tickit.db import session_scope
from tickit.labels import file_size
from tickit.services import attachments, auth, staged_uploads
from tickit.services.actors import UserPublic
from tickit.services.errors import NotFound, PermissionDenied, RateLimited, ValidationFailed

router = APIRouter(include_in_schema=False)

MAX_FILES_PER_UPLOAD = 10
CSRF_HEADER = "X-Requested-With"
CSRF_VALUE = "TickIt"
FILES_FIELD = "files"
_FORM_OVERHEAD = 256 * 1024  # boundaries and part headers, with room to spare
_COPY_CHUNK = 256 * 1024
_NOT_FOUND = "Not found."
_ID = re.compile(r"[1-9][0-9]{0,9}")
_MAX_ID = 2**31 - 1
_COMMON_HEADERS = {
    "x-content-type-options": "nosniff",
    "cache-control": "private, no-store",
    "content-security-policy": "default-src 'none'; sandbox",
    "cross-origin-resource-policy": "same-origin",
}


class _RequestTooLarge(Exception):
    """The whole body is larger than any acceptable upload."""


class _LimitedMultiPartParser(MultiPartParser):
    """Starlette's parser, stopping as soon as one file passes the per-file limit."""

    def __init__(self, *args, file_limit: int, **kwargs):
        super().__init__(*args, **kwargs)
        self._file_limit = file_limit
        self._file_size = 0

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self._file_size = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._current_part.file is not None:
            self._file_size += end - start
            if self._file_size > self._file_limit:
                raise attachments.TooLarge(self._file_limit)
        super().on_part_data(data, start, end)


@router.post(routes.ATTACHMENTS_UPLOAD)
async def upload(request: Request, ticket: str = "", comment: str = "") -> Response:
    """Attach the `files` parts to ticket `ticket` (or to its comment `comment`); answer their views."""
    comment_id: int | None = None
    if comment:
        comment_id = _parsed_id(comment)
        if comment_id is None:
            return _error(404, _NOT_FOUND)
    return await _receive(
        request,
        check=lambda actor: _check_target(actor, ticket, comment_id),
        keep=lambda actor, files: _store_all(actor, ticket, comment_id, files),
    )


@router.post(routes.ATTACHMENTS_STAGE)
async def stage(request: Request) -> Response:
    """Keep the `files` parts for a ticket not filed yet; answer a token per file (services/staged_uploads.py)."""
    return await _receive(request, check=_check_staging, keep=_stage_all)


async def _receive(
    request: Request,
    *,
    check: Callable[[UserPublic], None],
    keep: Callable[[UserPublic, list[UploadFile]], list[Any]],
) -> Response:
    """The checks every upload gets, then `keep(actor, files)` in a worker thread; 201 with what it returns."""
    if not same_origin.is_same_origin(request):
        return _error(403, same_origin.refusal())
    if request.headers.get(CSRF_HEADER) != CSRF_VALUE:
        return _error(403, f"Send the {CSRF_HEADER}: {CSRF_VALUE} header with an upload.")
    actor = await run_in_threadpool(_signed_in, request)
    if actor is None:
        return _error(401, "Sign in to upload files.")
    limit = get_settings().upload_limit_bytes
    cap = limit * MAX_FILES_PER_UPLOAD + _FORM_OVERHEAD
    length = request.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and int(length) > cap:
        return _error(413, _too_much(limit))
    try:
        await run_in_threadpool(check, actor)
    except NotFound:
        return _error(404, _NOT_FOUND)
    except PermissionDenied as exc:
        return _error(403, str(exc))
    except attachments.QuotaExceeded as exc:
        return _error(413, str(exc))
    except RateLimited as exc:
        return _error(429, str(exc), retry_after=exc.retry_after)
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        return _error(400, "Send the files as multipart/form-data.")
    parser = _LimitedMultiPartParser(
        request.headers,
        _capped(request.stream(), cap),
        max_files=MAX_FILES_PER_UPLOAD,
        max_fields=5,
        max_part_size=4096,
        file_limit=limit,
    )
    try:
        form = await parser.parse()
    except attachments.TooLarge as exc:
        return _error(413, str(exc))
    except _RequestTooLarge:
        return _error(413, _too_much(limit))
    except MultiPartException as exc:
        return _error(400, exc.message)
    try:
        files = [item for item in form.getlist(FILES_FIELD) if isinstance(item, UploadFile)]
        if not files:
            return _error(400, f"Choose at least one file (form field {FILES_FIELD!r}).")
        views = await run_in_threadpool(keep, actor, files)
    except (attachments.TooLarge, attachments.QuotaExceeded) as exc:
        return _error(413, str(exc))
    except RateLimited as exc:
        return _error(429, str(exc), retry_after=exc.retry_after)
    except NotFound:
        return _error(404, _NOT_FOUND)
    except PermissionDenied as exc:
        return _error(403, str(exc))
    except ValidationFailed as exc:
        return _error(422, str(exc))
    finally:
        await form.close()
    return JSONResponse(jsonable_encoder(views), status_code=201, headers={"cache-control": "no-store"})


@router.get(routes.ATTACHMENT_DOWNLOAD)
def download(request: Request, attachment_id: str) -> Response:
    """The file, always as a download, if the signed-in user may see it; 404 otherwise."""
    return _serve(request, attachment_id, attachments.open_download, "attachment")


@router.get(routes.ATTACHMENT_THUMBNAIL)
def thumbnail(request: Request, attachment_id: str) -> Response:
    """A raster picture to show scaled down on the ticket page; 404 for anything else."""
    return _serve(request, attachment_id, attachments.open_thumbnail, "inline")


def content_disposition(kind: str, name: str) -> str:
    """`attachment; filename="ascii"; filename*=UTF-8''...` (RFC 6266 / 5987), safe for any name."""
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    # Quotes and backslashes would end or escape the quoted string; some browsers decode %XX in it.
    fallback = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\%' else "_" for c in fallback).strip()
    if fallback != name:
        fallback = _named_if_emptied(fallback)
    encoded = quote(name, safe="!#$&+-.^_`|~")
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _named_if_emptied(fallback: str) -> str:
    # "写真.png" keeps nothing but ".png" in ASCII: offer "download.png" rather than a hidden-file name.
    stem, extension = os.path.splitext(fallback)
    if fallback.startswith(".") and not extension:
        stem, extension = "", fallback
    if stem.strip("._ "):
        return fallback
    return "download" + (extension if extension.strip(".") else "")


def _serve(request: Request, raw_id: str, opener, kind: str) -> Response:
    attachment_id = _parsed_id(raw_id)
    with session_scope() as session:
        actor = auth.resolve_session(session=session, token=request.cookies.get(auth.session_cookie_name()))
        if actor is None:
            return _error(401, "Sign in to see this file.")
        if attachment_id is None:
            return _error(404, _NOT_FOUND)
        try:
            found = opener(session=session, actor=actor, attachment_id=attachment_id)
        except NotFound:
            return _error(404, _NOT_FOUND)
    return FileResponse(
        found.path,
        headers={
            **_COMMON_HEADERS,
            "content-type": found.content_type,
            "content-disposition": content_disposition(kind, found.name),
        },
    )


def _signed_in(request: Request) -> UserPublic | None:
    with session_scope() as session:
        return auth.resolve_session(session=session, token=request.cookies.get(auth.session_cookie_name()))


def _check_target(actor: UserPublic, number: str, comment_id: int | None) -> None:
    with session_scope() as session:
        attachments.check_upload_target(session=session, actor=actor, number=number, comment_id=comment_id)


def _check_staging(actor: UserPublic) -> None:
    with session_scope() as session:
        attachments.check_room(session=session, actor=actor)


def _stage_all(actor: UserPublic, files: list[UploadFile]) -> list[staged_uploads.StagedFile]:
    """Copy every file into storage, then count them in one short transaction: all kept, or (on any refusal) none."""
    received: list[attachments.ReceivedFile] = []
    try:
        for file in files:
            received.append(attachments.receive_file(_chunks(file.file)))
        with session_scope() as session:
            return staged_uploads.stage(
                session=session,
                actor=actor,
                arrived=[
                    staged_uploads.Arrived(
                        file=stored, filename=file.filename or "", content_type=file.content_type or ""
                    )
                    for file, stored in zip(files, received, strict=True)
                ],
            )
    except BaseException:
        attachments.discard(received)
        raise


def _store_all(
    actor: UserPublic, number: str, comment_id: int | None, files: list[UploadFile]
) -> list[attachments.AttachmentView]:
    """Copy every file into storage, then record them in one short transaction: all, or (on any refusal) none."""
    received: list[attachments.ReceivedFile] = []
    try:
        for file in files:
            received.append(attachments.receive_file(_chunks(file.file)))
        with session_scope() as session:
            return [
                attachments.store_upload(
                    session=session,
                    actor=actor,
                    number=number,
                    filename=file.filename or "",
                    content_type=file.content_type or "",
                    file=stored,
                    comment_id=comment_id,
                )
                for file, stored in zip(files, received, strict=True)
            ]
    except BaseException:
        attachments.discard(received)
        raise


def _chunks(file: BinaryIO) -> Iterator[bytes]:
    file.seek(0)
    while chunk := file.read(_COPY_CHUNK):
        yield chunk


async def _capped(stream: AsyncGenerator[bytes, None], cap: int) -> AsyncGenerator[bytes, None]:
    # A body without Content-Length (chunked) is counted as it comes.
    received = 0
    async for chunk in stream:
        received += len(chunk)
        if received > cap:
            raise _RequestTooLarge
        yield chunk


def _parsed_id(text: str) -> int | None:
    if not _ID.fullmatch(text) or int(text) > _MAX_ID:
        return None
    return int(text)


def _too_much(limit: int) -> str:
    return f"The upload is too large: send at most {MAX_FILES_PER_UPLOAD} files, each at most {file_size(limit)}."


def _error(status: int, detail: str, *, retry_after: int | None = None) -> JSONResponse:
    headers = {"cache-control": "no-store"}
    if retry_after is not None:
        headers["retry-after"] = str(retry_after)
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)
