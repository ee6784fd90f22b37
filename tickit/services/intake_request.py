"""The integration API's ticket request: its schema, and the checks on it that a schema cannot say.

`TicketIn` is validated by the API framework and published as the OpenAPI schema of a request
body, so it says the shape: which properties, of which JSON types. What a value must be beyond
that (a title that is not blank once trimmed, a real email address, text the database can store)
is checked here and by `tickets.file_ticket`, so that a body with several such problems hears of
all of them, its custom fields' included, in one answer.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tickit.services import fields
from tickit.services.errors import ValidationFailed
from tickit.services.tags import TAGS_PER_TICKET_MAX
from tickit.services.tickets import DESCRIPTION_MAX, TITLE_MAX
from tickit.services.users import normalise_email

REPORTER_NAME_MAX = 200
METADATA_MAX_CHARS = 16_384

PriorityName = Literal["low", "normal", "high", "urgent"]


class ReporterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(description="Matched to a user by address; a new address becomes a client of the project.")
    name: str | None = Field(default=None, max_length=REPORTER_NAME_MAX)


class TicketIn(BaseModel):
    """A ticket to file in the API client's project."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "type": "bug",
                "title": "Checkout button does nothing",
                "description": "Clicking Pay on the checkout page has no effect.",
                "priority": "high",
                "reporter": {"email": "ada@example.com", "name": "Ada Lovelace"},
                "fields": {"severity": "major"},
                "tags": ["checkout"],
                "metadata": {"order_id": "A-1009"},
            }
        },
    )

    type: str = Field(min_length=1, description="A ticket type key from GET /ticket-types.")
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    priority: PriorityName | None = Field(default=None, description="Defaults to normal.")
    reporter: ReporterIn | None = None
    fields: dict[str, Any] | None = Field(default=None, description="Custom field values by field key.")
    tags: list[str] | None = Field(
        default=None,
        max_length=TAGS_PER_TICKET_MAX,
        description="Tags to put on the ticket; a name is stored in lower case with hyphens for spaces.",
    )
    metadata: dict[str, Any] | None = Field(
        default=None, description=f"Your own data, kept with the ticket (at most {METADATA_MAX_CHARS:,} characters)."
    )

    def as_sent(self) -> dict[str, Any]:
        """The body as the integrator sent it (what its fingerprint is taken of): only the properties given."""
        return self.model_dump(exclude_unset=True)


@dataclass(frozen=True)
class Reporter:
    """The person a ticket is filed for, as the request names them."""

    email: str  # normalised
    name: str  # may be empty: then the address's local part names a new user


def reporter_of(request: TicketIn, errors: dict[str, str]) -> Reporter | None:
    """The request's reporter, checked; what is wrong with it goes into `errors` (then None)."""
    if request.reporter is None:
        return None
    email, name = None, (request.reporter.name or "").strip()
    try:
        email = _normalised_email(request.reporter.email)
    except ValidationFailed as exc:
        errors["reporter.email"] = exc.errors["email"]
    if len(name) > REPORTER_NAME_MAX:
        errors["reporter.name"] = f"Keep the reporter's name under {REPORTER_NAME_MAX} characters."
    elif reason := fields.unstorable_reason(name):
        errors["reporter.name"] = f"The reporter's name {reason}."
    return Reporter(email, name) if email is not None and "reporter.name" not in errors else None


# An integrator sends the same few reporters again and again, and checking an address is a good
# share of a filing's Python; the answer depends on the text alone. Refusals are not kept.
_normalised_email = functools.lru_cache(maxsize=4096)(normalise_email)


def metadata_errors(request: TicketIn) -> dict[str, str]:
    """What is wrong with the request's metadata, keyed `metadata` (JSON alone cannot say its size or text)."""
    if not request.metadata:
        return {}
    if _has_unstorable_value(request.metadata):
        return {"metadata": "The metadata holds a NUL character, invalid Unicode text or a non-finite number."}
    if len(json.dumps(request.metadata, ensure_ascii=True)) > METADATA_MAX_CHARS:
        return {"metadata": f"Keep the metadata under {METADATA_MAX_CHARS:,} characters of JSON."}
    return {}


def _has_unstorable_value(value: Any) -> bool:
    if isinstance(value, str):
        return fields.unstorable_reason(value) is not None
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_has_unstorable_value(k) or _has_unstorable_value(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_unstorable_value(item) for item in value)
    return False
