"""The VAPID key pair that signs this server's Web Push requests, kept in the data directory.

A browser subscription is bound to the public key it was made with, so the pair is made once
(on first start, or by `tickit vapid generate`) and then only read; replacing it orphans every
existing subscription.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02

from tickit.config import get_settings
from tickit.private_files import write_private
from tickit.services.errors import ServiceError

KEY_FILE_NAME = "vapid_private.pem"


def key_path() -> Path:
    """Where the private key lives: `<data dir>/vapid_private.pem`."""
    return get_settings().data_dir / KEY_FILE_NAME


def generate(*, replace: bool = False) -> Path:
    """Create the key pair file; refuses to overwrite one unless `replace` (which orphans subscriptions)."""
    path = key_path()
    if path.exists() and not replace:
        raise ServiceError(f"{path} exists already; pass --replace to make a new pair (browsers must subscribe again)")
    pair = Vapid02()
    pair.generate_keys()
    # Written to a private temporary file and renamed, so a reader never sees half a key.
    tmp = path.with_suffix(".tmp")
    write_private(tmp, pair.private_pem())
    tmp.replace(path)
    signing_key.cache_clear()
    return path


def ensure() -> None:
    """Make the key pair on first start; keep an existing one."""
    if not key_path().exists():
        generate()


@lru_cache(maxsize=1)
def signing_key() -> Vapid02:
    """The private key, loaded once per process (generated first if missing)."""
    ensure()
    return Vapid02.from_file(str(key_path()))


def public_key() -> str:
    """The application server key a browser subscribes with: the raw P-256 point, base64url, no padding."""
    raw = signing_key().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
