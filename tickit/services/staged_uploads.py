"""Files chosen on a new-ticket form, kept aside until the ticket they belong to is filed.

An attachment hangs off a ticket, and a ticket being written has no number yet. So the form's
file picker sends each file at once to `/attachments/stage`: `stage` takes it like any upload (the
same size limit while it arrives, then the uploader's quota and hourly file rate), leaves it on
disk unrecorded and answers with a token per file. The token, signed with the app's secret key,
names the stored file, its uploader, its name and type, and when it arrived; it is all the form
keeps. Filing then calls `attach` in the filing's own transaction: each token is checked and its
file recorded on the new ticket through `attachments.store_upload`, so the ticket's quota, the
activity entry and "a file whose transaction rolls back is deleted" hold as for any upload. A
refused filing therefore files no ticket and keeps no file. A staged file nobody files goes with
the nightly sweep of unreferenced files (`attachments.delete_unreferenced_files`, which spares
files younger than an hour); a token older than STAGED_FOR is refused, so the sweep never takes
a file from under a filing. Until then a staged file counts against nobody's quota (it has no
row), only against the hourly file rate, which is what bounds the disk staging can take.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from tickit.config import get_settings
from tickit.labels import file_size
from tickit.services import attachments
from tickit.services.actors import UserPublic
from tickit.services.errors import ValidationFailed

# Shorter than the sweep's grace (attachments.UPLOAD_GRACE), so a file is never swept mid-filing.
STAGED_FOR = timedelta(minutes=50)
MAX_FILES = 10  # per ticket filed, as for one upload request
FIELD = "attachments"  # the form field refusals are reported under
_PURPOSE = b"tickit staged upload v1\n"


@dataclass(frozen=True)
class StagedFile:
    """A file kept for a form: what the form shows, and the token it hands back when filing."""

    token: str
    name: str
    size: int
    size_label: str


@dataclass(frozen=True)
class Arrived:
    """A file as an upload route received it: stored under its key, with the name and type the browser gave."""

    file: attachments.ReceivedFile
    filename: str
    content_type: str


def stage(*, session: Session, actor: UserPublic, arrived: list[Arrived]) -> list[StagedFile]:
    """Keep received files for the actor's next filing; a token for each, in order.

    QuotaExceeded past the actor's quota, RateLimited past the files an hour allows (staged files
    count when they arrive, not again when filed). The caller discards the files on a refusal.
    """
    named = [(attachments.clean_filename(a.filename), a) for a in arrived]
    attachments.count_new_files(session=session, actor=actor, files=[(name, a.file.size) for name, a in named])
    now = int(time.time())
    return [
        StagedFile(
            token=_sign(
                {
                    "k": a.file.key,
                    "u": actor.id,
                    "n": name,
                    "t": a.content_type,
                    "s": a.file.size,
                    "h": a.file.sha256,
                    "at": now,
                }
            ),
            name=name,
            size=a.file.size,
            size_label=file_size(a.file.size),
        )
        for name, a in named
    ]


def attach(*, session: Session, actor: UserPublic, number: str, tokens: list[str]) -> list[attachments.AttachmentView]:
    """Record the actor's staged files (by their tokens) on ticket `number`, in the caller's transaction.

    Meant for the transaction that files the ticket, right after `tickets.file_ticket`. Every
    refusal is ValidationFailed under "attachments" naming the file (a token that is not the
    actor's, has expired or was filed already, a file the sweep took, the ticket's quota), and
    as the transaction then rolls back, no file of it is kept.
    """
    unique = list(dict.fromkeys(tokens))
    if len(unique) > MAX_FILES:
        raise ValidationFailed({FIELD: f"Attach at most {MAX_FILES} files to a new ticket."})
    views = []
    for token in unique:
        claims = _verified(token, actor)
        file = attachments.received_earlier(key=claims["k"], size=claims["s"], sha256=claims["h"])
        if file is None or attachments.is_recorded(session, claims["k"]):
            raise _refused(f"{claims['n']} is no longer waiting to be attached.")
        try:
            views.append(
                attachments.store_upload(
                    session=session,
                    actor=actor,
                    number=number,
                    filename=claims["n"],
                    content_type=claims["t"],
                    file=file,
                    rate_counted=True,
                )
            )
        except (attachments.QuotaExceeded, attachments.TooLarge) as exc:
            raise _refused(str(exc)) from None
    return views


def _refused(reason: str) -> ValidationFailed:
    return ValidationFailed({FIELD: f"{reason} Nothing was filed; choose the files again."})


def _sign(claims: dict) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).rstrip(b"=")
    return f"{body.decode()}.{_mac(body)}"


def _mac(body: bytes) -> str:
    digest = hmac.new(get_settings().secret_key.encode(), _PURPOSE + body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _verified(token: object, actor: UserPublic) -> dict:
    """The token's claims if this app signed it for this actor less than STAGED_FOR ago; else ValidationFailed."""
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 4096:
        raise _refused("A chosen file is not one this form was given.")
    body, mac = token.split(".")
    if not hmac.compare_digest(mac, _mac(body.encode())):
        raise _refused("A chosen file is not one this form was given.")
    try:
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, json.JSONDecodeError):  # signed by us, so never; but never trust a parse
        raise _refused("A chosen file is not one this form was given.") from None
    if claims.get("u") != actor.id:
        raise _refused("A chosen file is not one this form was given.")
    if time.time() - claims["at"] > STAGED_FOR.total_seconds():
        raise _refused(f"{claims['n']} waited too long to be filed.")
    return claims
