"""The new-ticket form's intake fields: the priority (where the filer may set it) and, for staff, whom it is for."""

from __future__ import annotations

import reflex as rx

from tickit.components.forms import field

PRIORITY_OPTIONS = [["low", "Low"], ["normal", "Normal"], ["high", "High"], ["urgent", "Urgent"]]


def intake_fields(state) -> rx.Component:
    """Priority and requester, side by side where there is room; each only for those it is offered to."""
    return rx.grid(
        rx.cond(
            state.may_set_priority,
            field(
                "Priority",
                rx.select.root(
                    rx.select.trigger(id="priority", width="100%"),
                    rx.select.content(*[rx.select.item(label, value=key) for key, label in PRIORITY_OPTIONS]),
                    name="priority",
                    default_value="normal",
                    size="3",
                ),
                state.errors.get("priority", ""),
                "priority",
            ),
        ),
        rx.cond(
            state.on_behalf,
            field(
                "On behalf of",
                rx.input(
                    id="requester_email",
                    name="requester_email",
                    type="email",
                    size="3",
                    width="100%",
                    placeholder="client@example.com",
                ),
                state.errors.get("requester", ""),
                "requester_email",
                hint="Leave empty to file it yourself; a new address becomes a client.",
            ),
        ),
        grid_template_columns=rx.breakpoints(initial="1fr", xs="1fr 1fr"),
        spacing="4",
        width="100%",
    )
