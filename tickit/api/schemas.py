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


class SlaOut(BaseModel):
    policy: str = Field(description="The SLA policy that times the ticket.")
    first_response_due_at: str | None = Field(json_schema_extra={"format": "date-time"})
    resolution_due_at: str | None = Field(
        json_schema_extra={"format": "date-time"}, description="null while the resolution clock is paused."
    )
    first_response_breached: bool
    resolution_breached: bool
    paused: bool = Field(description="The ticket sits in a status that pauses the resolution clock.")


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
    assignee: ReporterOut | None = Field(
        description="The agent the ticket is assigned to (automatically or by hand); null while it waits."
    )
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    url: str = Field(description="The ticket's page in TickIt.")
    sla: SlaOut | None = Field(description="Due times under the project's SLA; null when no policy applies.")
    tags: list[str] = Field(description="The ticket's tags, by name.")


class SatisfactionOut(BaseModel):
    rating: Literal["good", "bad"]
    comment: str
    rated_at: str = Field(json_schema_extra={"format": "date-time"})


class TicketReadOut(TicketOut):
    """A ticket as it is now: what its requester reads, and its resolution."""

    status_label: str = Field(description="The status as the requester reads it (its public label).")
    resolved_at: str | None = Field(
        json_schema_extra={"format": "date-time"}, description="When it was solved; null while open or after a reopen."
    )
    closed_at: str | None = Field(
        json_schema_extra={"format": "date-time"}, description="When it was closed; null until then."
    )
    satisfaction: SatisfactionOut | None = Field(description="The requester's latest survey answer, if any.")


class AuthorOut(BaseModel):
    name: str = Field(description="The author's display name.")


class CommentOut(BaseModel):
    """A public comment of a ticket."""

    id: int
    author: AuthorOut
    html: str = Field(description="The comment as sanitised HTML.")
    text: str = Field(description="The comment as plain text.")
    created_at: str = Field(json_schema_extra={"format": "date-time"})


class FiledAsOut(BaseModel):
    number: str = Field(examples=["HH-43"])
    url: str = Field(description="The new ticket's page.")


class CommentAddedOut(CommentOut):
    """The comment just added, and where it went."""

    filed_as: FiledAsOut | None = Field(
        description=(
            "The follow-up ticket the comment started, when the ticket was closed longer ago than the "
            "project's reopen window (the comment is that ticket's first); null when it went on the ticket asked for."
        )
    )


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
