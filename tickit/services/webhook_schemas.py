"""The JSON Schema of each webhook event's body: the published contract receivers code against.

`docs/webhooks/<event type>.json` are these schemas as files (`tickit webhook schemas --out
docs/webhooks` writes them; a test keeps them equal). Every body is `{type, timestamp, data}`;
`data.ticket` is the ticket document of the integration API (`ticket_documents`), and each event
adds its own fields beside it.
"""

from __future__ import annotations

from typing import Any

from tickit.services import webhook_events

_STRING = {"type": "string"}
_TIME = {"type": "string", "format": "date-time"}
_OPTIONAL_TIME = {"type": ["string", "null"], "format": "date-time"}


def _object(properties: dict[str, Any], *, nullable: bool = False) -> dict[str, Any]:
    return {
        "type": ["object", "null"] if nullable else "object",
        "required": list(properties),
        "properties": properties,
    }


_PERSON = _object({"email": _STRING, "name": _STRING}, nullable=True)
_STATUS = _object({"key": _STRING, "name": _STRING})
TICKET = {
    **_object(
        {
            "id": {"type": "integer"},
            "number": {"type": "string", "pattern": "^[A-Z0-9]+-[0-9]+$"},
            "project": _STRING,
            "type": _STRING,
            "status": _STRING,
            "title": _STRING,
            "description": _STRING,
            "priority": {"enum": ["low", "normal", "high", "urgent"]},
            "fields": {"type": "object"},
            "reporter": _PERSON,
            "assignee": _PERSON,
            "created_at": _TIME,
            "url": {"type": "string", "format": "uri"},
            "sla": {
                **_object(
                    {
                        "policy": _STRING,
                        "first_response_due_at": _OPTIONAL_TIME,
                        "resolution_due_at": _OPTIONAL_TIME,
                        "first_response_breached": {"type": "boolean"},
                        "resolution_breached": {"type": "boolean"},
                        "paused": {"type": "boolean"},
                    },
                    nullable=True,
                )
            },
            "status_label": _STRING,
            "resolved_at": _OPTIONAL_TIME,
            "closed_at": _OPTIONAL_TIME,
            "satisfaction": _object(
                {"rating": {"enum": ["good", "bad"]}, "comment": _STRING, "rated_at": _TIME}, nullable=True
            ),
        }
    ),
    "description": "The ticket as GET /integrations/v1/tickets/{number} returns it, when the event was sent.",
}
_COMMENT = _object(
    {
        "id": {"type": "integer"},
        "author": _PERSON,
        "from_staff": {"type": "boolean"},
        "text": {"type": "string", "description": "The comment as plain text."},
    }
)
_SLA = {"target": {"enum": ["first_response", "resolution"]}, "due_at": _TIME}

# What each event adds to `data` beside the ticket.
_EVENT_DATA: dict[str, dict[str, Any]] = {
    webhook_events.TICKET_CREATED: {},
    webhook_events.STATUS_CHANGED: {"from_status": _STATUS, "to_status": _STATUS},
    webhook_events.ASSIGNED: {"previous_assignee": _PERSON},
    webhook_events.COMMENTED: {"comment": _COMMENT},
    webhook_events.INTERNAL_NOTE_ADDED: {"comment": _COMMENT},
    webhook_events.SLA_WARNING: _SLA,
    webhook_events.SLA_BREACHED: _SLA,
    webhook_events.SATISFACTION_RATED: {"rating": {"enum": ["good", "bad"]}, "comment": _STRING},
    webhook_events.MERGED: {"merged_into": {"type": "string", "description": "The number of the ticket kept."}},
}


def schema(event: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the body of `event`'s deliveries."""
    if event == webhook_events.TEST:
        data = _object({"project": _STRING, "message": _STRING})
    else:
        data = _object({"ticket": TICKET, **_EVENT_DATA[event]})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"TickIt webhook: {event}",
        **_object({"type": {"const": event}, "timestamp": _TIME, "data": data}),
    }


def event_types() -> list[str]:
    """Every event with a schema: the subscribable ones and the test event."""
    return [*webhook_events.EVENT_TYPES, webhook_events.TEST]
