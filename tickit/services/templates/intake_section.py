"""The `intake:` section of a project's YAML: acknowledgement mail, per-person limits, who sets priority.

```yaml
intake:
  acknowledgement: true          # mail "We received your request [HH-42]"
  tickets_per_hour: 5            # per requester; 0 = no limit
  comments_per_ten_minutes: 30   # per requester and ticket; 0 = no limit
  clients_set_priority: false
  self_signup: false             # "Create an account" on the sign-in page offers this project
  signup_domains: [example.com]  # the addresses self sign-up takes; empty or left out: any
```
Every key is optional (a missing one keeps its default), and the section is left out of an export
while everything is at its default.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from tickit.services.errors import ValidationFailed
from tickit.services.intake_policy import DEFAULT_POLICY, LIMIT_MAX, IntakePolicy, check_domains

SECTION = "intake"
# YAML key -> IntakePolicy attribute
_KEYS = {
    "acknowledgement": "acknowledge",
    "tickets_per_hour": "tickets_per_hour",
    "comments_per_ten_minutes": "comments_per_window",
    "clients_set_priority": "clients_set_priority",
    "self_signup": "self_signup",
    "signup_domains": "signup_domains",
}
_SWITCHES = {"acknowledgement", "clients_set_priority", "self_signup"}


def read_intake(reader: Any, value: Any, path: tuple) -> dict[str, Any]:
    """The section's settings as `intake_policy.update_intake` changes; TemplateError (line-numbered) when malformed."""
    section = reader.mapping(value, path, (), tuple(_KEYS))
    changes: dict[str, Any] = {}
    for key, given in section.items():
        if key in _SWITCHES:
            if not isinstance(given, bool):
                raise reader.fail(path + (key,), "must be true or false")
        elif key == "signup_domains":
            try:
                given = check_domains(given)
            except ValidationFailed as exc:
                raise reader.fail(path + (key,), exc.errors["signup_domains"]) from None
        elif isinstance(given, bool) or not isinstance(given, int) or not 0 <= given <= LIMIT_MAX:
            raise reader.fail(path + (key,), f"must be a whole number from 0 (no limit) to {LIMIT_MAX}")
        changes[_KEYS[key]] = given
    return changes


def intake_data(policy: IntakePolicy) -> dict[str, Any] | None:
    """The section as an export writes it: only what differs from the defaults, None when nothing does."""
    settings, defaults = asdict(policy), asdict(DEFAULT_POLICY)
    data = {
        key: list(settings[attribute]) if isinstance(settings[attribute], tuple) else settings[attribute]
        for key, attribute in _KEYS.items()
        if settings[attribute] != defaults[attribute]
    }
    return data or None
