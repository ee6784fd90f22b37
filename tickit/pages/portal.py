"""/portal: a client's tickets and the form to file a new one."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.layout import app_page, empty_state, new_ticket_button, page_header
from tickit.components.live import ticker
from tickit.components.new_ticket_form import new_ticket_form
from tickit.components.ticket_table import page_buttons, ticket_table
from tickit.state.new_ticket import NewTicketState
from tickit.state.tickets import MINE, ORGANISATION, POLL_SECONDS, MyTicketsState


def _pager() -> rx.Component:
    """Shown once the client has more tickets than one page holds."""
    return rx.cond(MyTicketsState.later_page | (MyTicketsState.next_cursor != ""), page_buttons(MyTicketsState))


def _scope_switch() -> rx.Component:
    """My requests or my organisation's: offered to those who may read colleagues' tickets."""
    return rx.cond(
        MyTicketsState.reads_colleagues,
        # Tabs, not a segmented control: its equal-width halves would not fit the longer label on a phone.
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("My requests", value=MINE),
                rx.tabs.trigger("My organisation's requests", value=ORGANISATION),
                aria_label="Whose requests",
            ),
            value=MyTicketsState.scope,
            on_change=MyTicketsState.set_scope,
            margin_bottom="12px",
        ),
    )


def _tickets() -> rx.Component:
    return rx.cond(
        MyTicketsState.scope == ORGANISATION,
        ticket_table(MyTicketsState.rows, staff=False, reporter=True),
        ticket_table(MyTicketsState.rows, staff=False),
    )


def my_tickets_page() -> rx.Component:
    return app_page(
        page_header(
            "My tickets",
            "Everything you have asked us, newest activity first.",
            new_ticket_button(routes.PORTAL_NEW_TICKET),
        ),
        ticker(seconds=POLL_SECONDS, on_tick=MyTicketsState.watch),
        _scope_switch(),
        rx.cond(
            MyTicketsState.rows.length() > 0,
            rx.fragment(_tickets(), _pager()),
            rx.cond(
                MyTicketsState.scope == ORGANISATION,
                empty_state(
                    "building-2",
                    "No requests from your organisation yet",
                    "Tickets your colleagues file show up here.",
                ),
                empty_state(
                    "inbox",
                    "No tickets yet",
                    "When you file a ticket it shows up here, with its status as the team works on it.",
                    new_ticket_button(routes.PORTAL_NEW_TICKET),
                ),
            ),
        ),
    )


def new_ticket_page() -> rx.Component:
    return app_page(
        page_header("New ticket", "Tell us what you need; the team is notified right away."),
        rx.cond(
            NewTicketState.project_options.length() > 0,
            new_ticket_form(NewTicketState, routes.PORTAL),
            empty_state(
                "folder-lock",
                "No project to file in yet",
                "Your account is not a member of any project. Ask your helpdesk admin to add you to one.",
            ),
        ),
    )
