"""The integration API's request and response shapes, as the OpenAPI document publishes them.

The request body, `TicketIn`, is the intake service's own model (`services/intake_request.py`),
validated by FastAPI; the responses are rendered by the services and described here for
integrators and for schemathesis.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from tickit.services.intake import KEY_MAX_LENGTH
from tickit.services.intake_request import PriorityName


class ReporterOut(BaseModel):
    email: str
    name: str


class TicketOut(BaseModel):
    id: int
    number: str = Field(examples=["HH-42"])
    project: str = Field(description="The project key.")
    type: str = Field(description="The ticket type key.")
    status: str = Field(description="The status key (at creation, the type's initial status).")
    title: str
    description: str
    priority: PriorityName
    fields: dict[str, Any]
    reporter: ReporterOut | None
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    url: str = Field(description="The ticket's page in TickIt.")


class AuthorOut(BaseModel):
    name: str = Field(description="The author's display name.")


class CommentOut(BaseModel):
    """A public comment of a ticket."""

    id: int
    author: AuthorOut
    html: str = Field(description="The comment as sanitised HTML.")
    text: str = Field(description="The comment as plain text.")
    created_at: str = Field(json_schema_extra={"format": "date-time"})


class CommentsOut(BaseModel):
    ticket: str = Field(examples=["HH-42"])
    comments: list[CommentOut] = Field(description="Public comments, oldest first; internal notes are never listed.")


class StatusOut(BaseModel):
    key: str
    name: str
    category: Literal["todo", "in_progress", "done"]
    initial: bool


class FieldOption(BaseModel):
    key: str
    label: str


class FieldOut(BaseModel):
    key: str
    label: str
    type: Literal["text", "long_text", "number", "date", "select", "multi_select", "checkbox", "url", "email"]
    required: bool
    options: list[FieldOption]


class TicketTypeOut(BaseModel):
    key: str
    name: str
    statuses: list[StatusOut]
    fields: list[FieldOut]


class TicketTypesOut(BaseModel):
    project: str
    types: list[TicketTypeOut]


class FieldError(BaseModel):
    field: str = Field(description="The property at fault: `title`, `reporter.email`, `fields.<key>`, ...")
    message: str


class ProblemOut(BaseModel):
    """An error, as RFC 9457 `application/problem+json`."""

    type: str = Field(description="Stable per kind of problem; a path that explains it.")
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] | None = Field(default=None, description="Present when validation failed.")


IDEMPOTENCY_KEY_DESCRIPTION = (
    f"1-{KEY_MAX_LENGTH} printable ASCII characters, unique per ticket you mean to file. Retrying with the same "
    "key and body replays the first answer (200, `Idempotent-Replayed: true`); the same key with another body is 422."
)
