"""The `lifecycle:` section of a project document: reopen window, auto-close, satisfaction survey.

    lifecycle:
      reopen_window_days: 14    # after closing; 0: a closed ticket never reopens by a reply
      auto_close_days: 7        # after resolving; 0: never
      survey: true
      survey_delay_minutes: 60

Every key is optional (absent: the default); the section itself is optional too.
"""

from __future__ import annotations

from typing import Any

from tickit.services.errors import ValidationFailed
from tickit.services.lifecycle_settings import LifecycleSettings, check_settings

# Document key -> settings attribute.
_KEYS = {
    "reopen_window_days": "reopen_window_days",
    "auto_close_days": "auto_close_days",
    "survey": "survey_enabled",
    "survey_delay_minutes": "survey_delay_minutes",
}


def read_lifecycle(reader: Any, value: Any, path: tuple) -> LifecycleSettings:
    """The section's settings; a bad key or value fails at its line (`reader` is the document's `_Reader`)."""
    section = reader.mapping(value, path, (), tuple(_KEYS))
    try:
        return check_settings({_KEYS[key]: item for key, item in section.items()})
    except ValidationFailed as exc:
        attribute, problem = next(iter(exc.errors.items()))
        key = next(k for k, a in _KEYS.items() if a == attribute)
        raise reader.fail(path + (key,), problem) from None


def lifecycle_data(settings: LifecycleSettings) -> dict[str, Any] | None:
    """The section as the export writes it: only what differs from the defaults (None when nothing does)."""
    defaults = LifecycleSettings()
    data = {
        key: getattr(settings, attr)
        for key, attr in _KEYS.items()
        if getattr(settings, attr) != getattr(defaults, attr)
    }
    return data or None
