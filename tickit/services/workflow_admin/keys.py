"""Keys for new types, statuses and fields, derived from the name an admin types.

A key is what documents, the API and stored field values refer to, so it never changes once
saved; the editor proposes one from the name as the admin types it (still editable) and says at
once when a key is malformed or taken, before anything is saved.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from tickit.services.workflow_admin.editing import KEY_FORMAT_MESSAGE
from tickit.services.workflow_specs import KEY_PATTERN

KEY_MAX = 40  # as KEY_PATTERN allows


def key_from_name(name: str, taken: Collection[str] = ()) -> str:
    """The key `name` suggests: ASCII snake_case ("Won't fix" -> "wont_fix"), unique among `taken`.

    Accents are dropped ("Réouvert" -> "reouvert"); a name that starts with a digit gets a letter
    in front; a taken key gets _2, _3… Empty when the name holds no letter or digit.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name.replace("'", "").lower())
    key = "_".join(words)
    if not key:
        return ""
    if not key[0].isalpha():
        key = "k_" + key
    key = key[:KEY_MAX].rstrip("_")
    candidate, n = key, 2
    while candidate in taken:
        suffix = f"_{n}"
        candidate = key[: KEY_MAX - len(suffix)].rstrip("_") + suffix
        n += 1
    return candidate


def key_problem(key: str, taken: Collection[str], noun: str) -> str:
    """What is wrong with `key` for a new `noun` among `taken` keys, in a form's words; "" when nothing is."""
    key = key.strip()
    if not key:
        return ""  # nothing typed yet: saving says the key is needed
    if not KEY_PATTERN.fullmatch(key):
        return KEY_FORMAT_MESSAGE
    if key in taken:
        return f"Another {noun} already has the key {key}; keys must differ."
    return ""
