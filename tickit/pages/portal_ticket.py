"""/portal/tickets/[number]: a client's ticket: the public thread and composer, with its facts and files beside."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.attachment_upload import attachment_upload
from tickit.components.comment_thread import (
    activity_log,
    comment_composer,
    comment_thread,
    fact,
    file_list,
    panel_section,
)
from tickit.components.layout import app_page, empty_state, with_side_panel
from tickit.components.live import ticker
from tickit.components.local_time import local_time
from tickit.components.requester_status_actions import requester_status_actions
from tickit.components.ticket_cc import cc_section
from tickit.components.ticket_edit import edit_ticket_button, ticket_description
from tickit.state.portal_ticket import POLL_SECONDS
from tickit.state.portal_ticket import PortalCommentsState as C
from tickit.state.portal_ticket import PortalTicketState as T


def _composer() -> rx.Component:
    return comment_composer(
        C,
        placeholder="Write a reply to the team…",
        footer=rx.hstack(
            rx.text("The team is notified when you post.", size="1", color=rx.color("gray", 11)),
            rx.spacer(),
            rx.button(rx.icon("send", size=14), "Post", size="2", on_click=C.post),
            align="center",
            width="100%",
        ),
    )


def _field_fact(item) -> rx.Component:
    """A custom field the requester may see, as `fact` shows the built-in ones."""
    return rx.hstack(
        rx.text(item.label, size="1", color=rx.color("gray", 11), min_width="72px"),
        rx.text(item.shown, size="1", color=rx.color("gray", 12), white_space="pre-wrap"),
        width="100%",
        align="baseline",
    )


def _side_panel() -> rx.Component:
    return rx.vstack(
        panel_section(
            "Status",
            rx.badge(
                T.status_name, color_scheme=T.status_color, variant="soft", radius="full", size="2", high_contrast=True
            ),
            requester_status_actions(),
        ),
        rx.separator(size="4"),
        panel_section(
            "Details",
            fact("Project", T.project_name, label_width="72px"),
            fact("Type", T.type_name, label_width="72px"),
            fact("Created", T.created_at, label_width="72px", is_time=True),
            fact("Updated", T.updated_at, label_width="72px", is_time=True),
            rx.foreach(T.fields, _field_fact),
        ),
        rx.separator(size="4"),
        cc_section(T),
        rx.separator(size="4"),
        panel_section(
            "Attachments",
            rx.cond(
                T.files.length() > 0,
                file_list(T.files, T.remove_file),
                rx.text("No files.", size="1", color=rx.color("gray", 11)),
            ),
            attachment_upload(
                upload_url=T.upload_url,
                max_bytes=T.upload_limit,
                label="Attach files",
                on_uploaded=T.files_uploaded,
            ),
        ),
        spacing="4",
        padding="16px",
        border_radius="var(--radius-4)",
        border=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        width="100%",
        aria_label="Ticket details",
        role="complementary",
    )


def _head() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), "My tickets", spacing="1", align="center"),
            href=routes.PORTAL,
            size="2",
            color=rx.color("gray", 11),
            underline="none",
        ),
        rx.hstack(
            rx.code(T.number, variant="ghost", size="4", weight="bold", color_scheme="gray"),
            rx.heading(T.title, size="6", weight="bold", as_="h1", overflow_wrap="anywhere", min_width="0"),
            rx.spacer(),
            rx.cond(T.editable, edit_ticket_button()),
            align="baseline",
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        rx.text(
            "Opened ",
            local_time(T.created_at),
            " · updated ",
            local_time(T.updated_at),
            size="1",
            color=rx.color("gray", 11),
        ),
        ticket_description(T.description_html, T.description),
        spacing="3",
        width="100%",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.separator(size="4", margin_bottom="8px"),
        rx.heading("Conversation", size="3", as_="h2"),
        comment_thread(C, empty_text="No replies yet. The team will answer here.", you_for_mine=True),
        _composer(),
        rx.separator(size="4", margin_y="8px"),
        activity_log(T.activity),
        spacing="3",
        width="100%",
    )


def portal_ticket_page() -> rx.Component:
    return app_page(
        rx.cond(
            T.found,
            rx.fragment(
                ticker(seconds=POLL_SECONDS, on_tick=T.watch),
                with_side_panel(_head(), _body(), _side_panel(), side_width="300px"),
            ),
            empty_state(
                "search-x",
                "Ticket not found",
                "There is no such ticket among the ones you filed.",
                rx.link("Back to my tickets", href=routes.PORTAL, size="2"),
            ),
        )
    )
