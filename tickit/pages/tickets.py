"""/tickets: the tickets of the projects an agent works, and filing a new one."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.layout import app_page, empty_state, new_ticket_button, page_header
from tickit.components.new_ticket_form import new_ticket_form
from tickit.components.ticket_table import ticket_table
from tickit.state.new_ticket import NewTicketState
from tickit.state.tickets import StaffTicketsState


def tickets_page() -> rx.Component:
    return app_page(
        page_header(
            "Tickets",
            "Tickets in the projects you work, most recently changed first.",
            new_ticket_button(routes.TICKETS_NEW),
        ),
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


def staff_new_ticket_page() -> rx.Component:
    return app_page(
        page_header("New ticket", "File a ticket in one of your projects; you are its reporter."),
        rx.cond(
            NewTicketState.project_options.length() > 0,
            new_ticket_form(NewTicketState, routes.TICKETS),
            empty_state(
                "folder-lock",
                "No project to file in",
                "You work no project yet. An admin adds agents to projects under Projects → Members.",
            ),
        ),
    )
