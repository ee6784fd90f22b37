"""Mail over HTTP: `POST /inbound/email/{mailbox}` for relays that post mail, and a ticket's original mails.

A relay posts the raw message (`Content-Type: message/rfc822`) with the mailbox's secret as
`Authorization: Bearer <secret>`. 200 with what became of the mail (the same answer for the same
mail posted again, marked `duplicate`); 401 for an unknown mailbox or a wrong secret; 413 past the
size limit; 415 for another content type; 422 for bytes that are no mail; 503 with Retry-After
when the database cannot be reached or the mailbox is disabled, so the relay tries again.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool

from tickit import routes
from tickit.api.attachments import content_disposition
from tickit.db import session_scope
from tickit.services import auth, mail_in, mailboxes
from tickit.services.errors import NotFound, Unauthenticated

router = APIRouter()

RETRY_AFTER_SECONDS = 60


@router.post(routes.INBOUND_EMAIL)
async def inbound_email(request: Request, mailbox: str) -> Response:
    """Take one mail for `mailbox`, store it, and process it."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    try:
        await run_in_threadpool(_check_secret, mailbox, secret if scheme.lower() == "bearer" else "")
    except Unauthenticated as exc:
        return _error(401, str(exc), {"WWW-Authenticate": "Bearer"})
    except DBAPIError:
        return _unavailable()
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "message/rfc822":
        return _error(415, "Send the raw message with Content-Type: message/rfc822.")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > mail_in.MAX_RAW_BYTES:
            return _error(413, f"A mail may be at most {mail_in.MAX_RAW_BYTES // (1024 * 1024)} MB.")
    try:
        result = await run_in_threadpool(_receive, mailbox, bytes(raw))
    except mail_in.Unreadable as exc:
        return _error(422, str(exc))
    except mailboxes.MailboxDisabled as exc:
        return _error(503, f"{exc} Try again later.", {"Retry-After": str(RETRY_AFTER_SECONDS)})
    except DBAPIError:
        return _unavailable()
    return JSONResponse(
        {
            "id": result.id,
            "duplicate": result.duplicate,
            "outcome": result.outcome,
            "detail": result.detail,
            "ticket": result.ticket or None,
        }
    )


@router.get(routes.INBOUND_ORIGINAL)
def original(request: Request, inbound_id: str) -> Response:
    """The raw mail behind a ticket or a comment ("show original"), for staff who work the ticket; 404 otherwise."""
    with session_scope() as session:
        actor = auth.resolve_session(session=session, token=request.cookies.get(auth.session_cookie_name()))
        if actor is None:
            return _error(401, "Sign in to see this mail.")
        try:
            name, raw = mail_in.original(
                session=session, actor=actor, inbound_id=int(inbound_id) if inbound_id.isdigit() else -1
            )
        except NotFound:
            return _error(404, "No such mail.")
    # Plain text, never rendered: a mail's HTML must not run on TickIt's origin.
    return Response(
        raw,
        media_type="text/plain; charset=utf-8",
        headers={
            "content-disposition": content_disposition("inline", name),
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-store",
            "content-security-policy": "default-src 'none'; sandbox",
        },
    )


def _check_secret(mailbox: str, secret: str) -> None:
    with session_scope() as session:
        mailboxes.check_secret(session, mailbox, secret)


def _receive(mailbox: str, raw: bytes) -> mail_in.Received:
    return mail_in.receive(unit_of_work=session_scope, mailbox_key=mailbox, raw=raw, channel="http")


def _error(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _unavailable() -> JSONResponse:
    return _error(503, "The database cannot be reached; try again later.", {"Retry-After": str(RETRY_AFTER_SECONDS)})
