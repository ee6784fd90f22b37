"""Signed reply addresses (`support+HH-42.<sig>@example.com`) and TickIt's own loop mark.

A reply address names one ticket and carries an HMAC of the mailbox address and the ticket number
under the instance's secret key, so nobody can make one for a ticket they were never mailed about.
Addresses are compared in lower case: mail servers may change the case of a local part.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from tickit.config import get_settings

LOOP_HEADER = "X-TickIt-Loop"
_SIG_CHARS = 16  # 64 bits of HMAC: enough against guessing, short enough for an address
_TAGGED = re.compile(
    r"(?P<local>[^@+]+)\+(?P<number>[a-z][a-z0-9]{1,9}-[1-9][0-9]{0,9})\.(?P<sig>[0-9a-f]{16})@(?P<domain>.+)"
)


def reply_address(mailbox_address: str, number: str) -> str:
    """The address a reply about ticket `number` (`HH-42`) should go to, for the mailbox at `mailbox_address`."""
    local, _, domain = mailbox_address.lower().partition("@")
    return f"{local}+{number.upper()}.{_signature(f'{local}@{domain}', number)}@{domain}"


def ticket_named_by(address: str, mailbox_address: str) -> str | None:
    """The ticket number `address` is a valid reply address of this mailbox for (`HH-42`), else None."""
    match = _TAGGED.fullmatch(address.strip().lower())
    if match is None or f"{match['local']}@{match['domain']}" != mailbox_address.lower():
        return None
    expected = _signature(mailbox_address.lower(), match["number"])
    return match["number"].upper() if hmac.compare_digest(expected, match["sig"]) else None


def loop_mark() -> str:
    """The value of this instance's loop header: the same on every mail it sends, unguessable to others."""
    return hmac.new(get_settings().secret_key.encode(), b"tickit-mail-loop", hashlib.sha256).hexdigest()[:24]


def _signature(mailbox_address: str, number: str) -> str:
    message = f"reply:{mailbox_address}:{number.upper()}".encode()
    return hmac.new(get_settings().secret_key.encode(), message, hashlib.sha256).hexdigest()[:_SIG_CHARS]
