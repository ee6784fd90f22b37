"""A ticket page's "Edit" button and its dialog: title, description (rich text), and on the staff page the requester."""

from __future__ import annotations

import reflex as rx

from tickit.components.comment_thread import PROSE
from tickit.components.forms import dialog_actions, field
from tickit.components.rich_editor import rich_editor
from tickit.state.ticket_edit import TicketEditState as E


def edit_ticket_button() -> rx.Component:
    """Opens the dialog with the ticket as it is shown."""
    return rx.dialog.root(
        rx.button(
            rx.icon("pencil", size=14),
            "Edit",
            size="2",
            variant="soft",
            color_scheme="gray",
            aria_label="Edit ticket",
            on_click=E.start,
            custom_attrs={"data-shortcut": "e"},
        ),
        rx.dialog.content(
            rx.dialog.title("Edit ticket", size="4"),
            rx.dialog.description(
                "Changes show in the activity log with what they replaced.", size="2", color=rx.color("gray", 11)
            ),
            rx.form(
                rx.vstack(
                    field(
                        "Title",
                        rx.input(
                            id="edit-title",
                            value=E.title,
                            on_change=E.set_title,
                            size="3",
                            width="100%",
                            max_length=300,
                        ),
                        E.errors.get("title", ""),
                        "edit-title",
                    ),
                    rx.vstack(
                        rx.text("Description", size="2", weight="medium"),
                        rich_editor(
                            content=E.description_html,
                            mentionables=[],
                            label="Description",
                            placeholder="What is needed, in the requester's words…",
                            on_change=E.set_description_html,
                            width="100%",
                        ),
                        rx.cond(
                            E.errors.get("description", "") != "",
                            rx.text(E.errors.get("description", ""), size="1", color=rx.color("red", 11), role="alert"),
                        ),
                        spacing="1",
                        width="100%",
                    ),
                    rx.cond(
                        E.for_staff,
                        field(
                            "Requester's email",
                            rx.input(
                                id="edit-requester",
                                type="email",
                                value=E.requester_email,
                                on_change=E.set_requester_email,
                                size="3",
                                width="100%",
                            ),
                            E.errors.get("requester", ""),
                            "edit-requester",
                            hint="A client of the project; a new address becomes a new client.",
                        ),
                    ),
                    dialog_actions("Save"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=E.save,
                reset_on_submit=False,
            ),
            max_width="640px",
        ),
        open=E.open,
        on_open_change=E.set_open,
    )


def ticket_description(html: rx.Var, text: rx.Var) -> rx.Component:
    """The description as written: rich text once edited in the editor, else its plain text as typed."""
    return rx.cond(
        html != "",
        rx.box(rx.html(html), style=PROSE, color=rx.color("gray", 12), font_size="var(--font-size-2)"),
        rx.cond(
            text != "",
            rx.text(text, size="2", white_space="pre-wrap", overflow_wrap="anywhere", color=rx.color("gray", 12)),
        ),
    )
