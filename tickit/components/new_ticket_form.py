"""The new-ticket form, shared by the client portal and the staff pages."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.attachment_upload import attachment_upload
from tickit.components.forms import field, form_error, option_select
from tickit.components.intake_fields import intake_fields
from tickit.components.link_button import link_button
from tickit.components.ticket_fields import custom_field


def _error(state, key: str) -> rx.Var:
    return state.errors.get(key, "")


def _chosen_file(state, file) -> rx.Component:
    return rx.hstack(
        rx.icon("paperclip", size=14, color=rx.color("gray", 11), flex_shrink="0"),
        rx.text(file.name, size="2", truncate=True, title=file.name, min_width="0"),
        rx.text(file.size_label, size="1", color=rx.color("gray", 11), white_space="nowrap", flex_shrink="0"),
        rx.icon_button(
            rx.icon("x", size=14),
            size="1",
            variant="ghost",
            color_scheme="gray",
            type="button",
            aria_label="Don't attach " + file.name,
            title="Don't attach " + file.name,
            on_click=state.unchoose_file(file.token),
            flex_shrink="0",
        ),
        align="center",
        spacing="2",
        padding="4px 6px 4px 10px",
        border_radius="var(--radius-2)",
        background=rx.color("gray", 3),
        max_width="100%",
        role="listitem",
    )


def _attachments(state) -> rx.Component:
    """Files go to the server as they are chosen and onto the ticket when it is filed."""
    return rx.vstack(
        rx.text("Attachments", size="2", weight="medium"),
        rx.cond(
            state.chosen_files.length() > 0,
            rx.flex(
                rx.foreach(state.chosen_files, lambda file: _chosen_file(state, file)),
                wrap="wrap",
                spacing="2",
                width="100%",
                role="list",
                aria_label="Files to attach",
            ),
        ),
        attachment_upload(
            upload_url=routes.ATTACHMENTS_STAGE,
            max_bytes=state.upload_limit,
            label="Attach files",
            done_verb="Added",
            on_uploaded=state.files_staged,
        ),
        rx.cond(
            _error(state, "attachments") != "",
            rx.text(_error(state, "attachments"), size="1", color=rx.color("red", 11), role="alert"),
            rx.text(
                "Screenshots, logs or documents; they are attached when you file.", size="1", color=rx.color("gray", 11)
            ),
        ),
        spacing="1",
        width="100%",
        align="stretch",
    )


def new_ticket_form(state, cancel_href: str) -> rx.Component:
    """Project, type, title, description, then the type's own fields and attachments, bound to a new-ticket state.

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
                _attachments(state),
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
