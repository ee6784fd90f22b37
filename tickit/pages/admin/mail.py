"""Admin: /admin/projects/<KEY>/mail — the project's mailboxes, and what became of the mail they received."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.layout import app_page, empty_state, page_header
from tickit.components.local_time import local_time
from tickit.state.admin_mail import AdminMailState as S

OUTCOME_COLOURS = {
    "new_ticket": "green",
    "threaded": "blue",
    "dropped": "gray",
    "refused": "orange",
    "failed": "red",
    "pending": "amber",
}


def _fact(label: str, value: rx.Component) -> rx.Component:
    return rx.flex(
        rx.text(label, size="2", color=rx.color("gray", 11), min_width="120px"),
        value,
        direction=rx.breakpoints(initial="column", sm="row"),
        gap=rx.breakpoints(initial="0", sm="3"),
        width="100%",
    )


def _code(value) -> rx.Component:
    return rx.code(value, variant="soft", color_scheme="gray", word_break="break-all")


def _mailbox(box) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("mail", size=18, color=rx.color("accent", 10)),
                rx.heading(box.address, size="3", as_="h2", word_break="break-all"),
                rx.badge(box.key, variant="soft", color_scheme="gray"),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            _fact("New tickets", rx.text(box.type_name, size="2")),
            _fact(
                "Arrives by",
                rx.cond(box.imap, _code(box.imap), rx.text("the mail-transport pipe or HTTP", size="2")),
            ),
            rx.cond(
                box.imap,
                _fact(
                    "Last poll",
                    rx.cond(
                        box.last_poll,
                        rx.text(local_time(box.last_poll), size="2"),
                        rx.text("not yet", size="2", color=rx.color("gray", 11)),
                    ),
                ),
            ),
            rx.cond(
                box.error,
                rx.callout(box.error, icon="triangle-alert", color_scheme="red", size="1", width="100%"),
            ),
            _fact("HTTP endpoint", _code("POST " + box.endpoint)),
            _fact("Pipe", _code(box.pipe)),
            spacing="3",
            width="100%",
        ),
        size="2",
        width="100%",
    )


def _message(message) -> rx.Component:
    colour = rx.match(
        message.outcome,
        *[(outcome, colour) for outcome, colour in OUTCOME_COLOURS.items()],
        "gray",
    )
    return rx.box(
        rx.vstack(
            rx.flex(
                rx.badge(message.outcome_word, color_scheme=colour, variant="soft"),
                rx.text(message.subject, size="2", weight="medium", flex="1", min_width="0", word_break="break-word"),
                rx.text(local_time(message.received), size="1", color=rx.color("gray", 11), white_space="nowrap"),
                align="center",
                spacing="2",
                wrap="wrap",
                width="100%",
            ),
            rx.text(
                message.sender, " · ", message.mailbox, size="1", color=rx.color("gray", 11), word_break="break-all"
            ),
            rx.cond(message.detail, rx.text(message.detail, size="2")),
            rx.cond(
                message.ticket | message.may_process_again,
                rx.hstack(
                    rx.cond(
                        message.ticket,
                        rx.link(
                            rx.hstack(rx.icon("ticket", size=14), rx.text(message.ticket, size="2"), spacing="1"),
                            href=message.ticket_url,
                        ),
                    ),
                    rx.spacer(),
                    rx.cond(
                        message.may_process_again,
                        rx.button(
                            rx.icon("rotate-cw", size=14),
                            "Process again",
                            size="1",
                            variant="soft",
                            aria_label="Process again: " + message.subject,
                            on_click=S.process_again(message.id),
                        ),
                    ),
                    align="center",
                    width="100%",
                ),
            ),
            spacing="1",
            width="100%",
        ),
        padding="12px 16px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
    )


def _messages() -> rx.Component:
    return rx.vstack(
        rx.heading("Received mail", size="4", as_="h2"),
        rx.text("The last 100 messages, newest first.", size="2", color=rx.color("gray", 11)),
        rx.cond(
            S.messages.length() > 0,
            rx.card(rx.foreach(S.messages, _message), padding="0", width="100%"),
            rx.text("No mail has arrived yet.", size="2", color=rx.color("gray", 11)),
        ),
        spacing="2",
        width="100%",
    )


def mail_page() -> rx.Component:
    return app_page(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Projects", size="2"), align="center", spacing="1"),
            href=routes.ADMIN_PROJECTS,
            color=rx.color("gray", 11),
        ),
        page_header("Mail of " + S.project_name, "Where mail reaches the project, and what became of each message."),
        rx.cond(
            S.boxes.length() > 0,
            rx.vstack(rx.foreach(S.boxes, _mailbox), spacing="3", width="100%", margin_bottom="24px"),
            rx.box(
                empty_state(
                    "mail",
                    "No mailboxes yet",
                    "Add one on the server with `tickit mailbox add --project KEY --key support --address "
                    "support@example.com`, then point a pipe, a relay or IMAP polling at it.",
                ),
                margin_bottom="24px",
                width="100%",
            ),
        ),
        _messages(),
    )
