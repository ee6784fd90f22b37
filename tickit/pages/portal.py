"""/portal: a client's tickets and the form to file a new one."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.forms import field, form_error
from tickit.components.layout import app_page, empty_state, page_header
from tickit.components.ticket_fields import custom_field
from tickit.components.ticket_table import ticket_table
from tickit.state.new_ticket import NewTicketState
from tickit.state.tickets import MyTicketsState


def _new_ticket_button() -> rx.Component:
    return rx.link(rx.button(rx.icon("plus", size=16), "New ticket", size="2"), href=routes.PORTAL_NEW_TICKET)


def my_tickets_page() -> rx.Component:
    return app_page(
        page_header("My tickets", "Everything you have asked us, newest activity first.", _new_ticket_button()),
        rx.cond(
            MyTicketsState.rows.length() > 0,
            ticket_table(MyTicketsState.rows, staff=False),
            empty_state(
                "inbox",
                "No tickets yet",
                "When you file a ticket it shows up here, with its status as the team works on it.",
                _new_ticket_button(),
            ),
        ),
    )


def _error(key: str) -> rx.Var:
    return NewTicketState.errors.get(key, "")


def _form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                form_error(_error("form")),
                rx.grid(
                    field(
                        "Project",
                        rx.select.root(
                            rx.select.trigger(id="project", width="100%", placeholder="Choose a project"),
                            rx.select.content(
                                rx.foreach(
                                    NewTicketState.project_options,
                                    lambda option: rx.select.item(option[1], value=option[0]),
                                ),
                            ),
                            value=NewTicketState.project_key,
                            on_change=NewTicketState.set_project_key,
                            size="3",
                        ),
                        _error("project"),
                        "project",
                    ),
                    field(
                        "Type",
                        rx.select.root(
                            rx.select.trigger(id="ticket-type", width="100%", placeholder="Choose a type"),
                            rx.select.content(
                                rx.foreach(
                                    NewTicketState.type_options,
                                    lambda option: rx.select.item(option[1], value=option[0]),
                                ),
                            ),
                            value=NewTicketState.type_key,
                            on_change=NewTicketState.set_type_key,
                            size="3",
                        ),
                        _error("type"),
                        "ticket-type",
                    ),
                    columns="2",
                    spacing="4",
                    width="100%",
                ),
                field(
                    "Title",
                    rx.input(
                        id="title",
                        name="title",
                        size="3",
                        width="100%",
                        max_length=300,
                        placeholder="A short summary, like “Export to CSV fails”",
                    ),
                    _error("title"),
                    "title",
                ),
                rx.foreach(NewTicketState.form_fields, custom_field),
                field(
                    "Description",
                    rx.text_area(
                        id="description",
                        name="description",
                        rows="8",
                        size="3",
                        width="100%",
                        placeholder="What happened, what you expected, and anything that helps us reproduce it.",
                    ),
                    _error("description"),
                    "description",
                    hint="Plain text. You can add details later in replies.",
                ),
                rx.hstack(
                    rx.link(
                        rx.button("Cancel", variant="soft", color_scheme="gray", type="button", size="3"),
                        href=routes.PORTAL,
                    ),
                    rx.button("File ticket", type="submit", size="3"),
                    justify="end",
                    width="100%",
                    spacing="3",
                ),
                spacing="4",
                width="100%",
            ),
            on_submit=NewTicketState.submit,
            reset_on_submit=False,
            width="100%",
        ),
        size="3",
        width="100%",
        max_width="720px",
    )


def new_ticket_page() -> rx.Component:
    return app_page(
        page_header("New ticket", "Tell us what you need; the team is notified right away."),
        rx.cond(
            NewTicketState.project_options.length() > 0,
            _form(),
            empty_state(
                "folder-lock",
                "No project to file in yet",
                "Your account is not a member of any project. Ask your helpdesk admin to add you to one.",
            ),
        ),
    )
