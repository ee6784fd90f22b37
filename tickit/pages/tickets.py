"""/tickets: the tickets of the projects an agent works."""

from __future__ import annotations

import reflex as rx

from tickit.components.layout import app_page, empty_state, page_header
from tickit.components.ticket_table import ticket_table
from tickit.state.tickets import StaffTicketsState


def tickets_page() -> rx.Component:
    return app_page(
        page_header("Tickets", "Tickets in the projects you work, most recently changed first."),
        rx.cond(
            StaffTicketsState.rows.length() > 0,
            ticket_table(StaffTicketsState.rows, staff=True),
            empty_state(
                "list-todo",
                "Nothing here yet",
                "Tickets filed in your projects, from the portal or by other apps, appear here.",
            ),
        ),
    )
