"""The new-ticket form, shared by the client portal and the staff pages."""

from __future__ import annotations

import reflex as rx

from tickit.components.forms import field, form_error, option_select
from tickit.components.intake_fields import intake_fields
from tickit.components.link_button import link_button
from tickit.components.ticket_fields import custom_field


def _error(state, key: str) -> rx.Var:
    return state.errors.get(key, "")


def new_ticket_form(state, cancel_href: str) -> rx.Component:
    """Project, type, title, description, then the type's own fields, bound to a new-ticket state.

    The description follows the title: together they are the request; the type's fields refine it.
    """
    return rx.card(
        rx.form(
            rx.vstack(
                form_error(_error(state, "form")),
                rx.grid(
                    field(
                        "Project",
                        option_select(
                            state.project_options,
                            state.project_key,
                            state.set_project_key,
                            "project",
                            "Choose a project",
                        ),
                        _error(state, "project"),
                        "project",
                    ),
                    field(
                        "Type",
                        option_select(
                            state.type_options, state.type_key, state.set_type_key, "ticket-type", "Choose a type"
                        ),
                        _error(state, "type"),
                        "ticket-type",
                    ),
                    # Side by side where there is room; one above the other on a phone.
                    grid_template_columns=rx.breakpoints(initial="1fr", xs="1fr 1fr"),
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
                    _error(state, "title"),
                    "title",
                ),
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
                    _error(state, "description"),
                    "description",
                    hint="Plain text. You can add details later in replies.",
                ),
                intake_fields(state),
                rx.foreach(state.form_fields, custom_field),
                rx.hstack(
                    link_button("Cancel", href=cancel_href, variant="soft", color_scheme="gray", size="3"),
                    rx.button("File ticket", type="submit", size="3"),
                    justify="end",
                    width="100%",
                    spacing="3",
                ),
                spacing="4",
                width="100%",
            ),
            on_submit=state.submit,
            reset_on_submit=False,
            width="100%",
        ),
        size=rx.breakpoints(initial="2", sm="3"),
        width="100%",
        max_width="720px",
    )
