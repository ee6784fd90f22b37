"""The staff ticket list's table: one keyset page of TicketLine rows, each linking to its ticket."""

from __future__ import annotations

import reflex as rx

from tickit import routes

LABELS = ("Ticket", "Title", "Project", "Type", "Status", "Priority", "Assignee", "Reporter", "Updated")


def _row(line) -> rx.Component:
    href = routes.TICKETS + "/" + line.number
    muted = rx.color("gray", 11)
    return rx.table.row(
        rx.table.cell(
            rx.link(
                rx.code(line.number, variant="ghost", weight="medium"),
                href=href,
                white_space="nowrap",
            )
        ),
        rx.table.row_header_cell(rx.link(line.title, href=href, weight="medium", color=rx.color("gray", 12))),
        rx.table.cell(rx.text(line.project, color=muted, white_space="nowrap")),
        rx.table.cell(rx.text(line.type_name, color=muted, white_space="nowrap")),
        rx.table.cell(
            rx.badge(line.status, color_scheme=line.status_color, variant="soft", radius="full", white_space="nowrap")
        ),
        rx.table.cell(rx.badge(line.priority, color_scheme=line.priority_color, variant="outline")),
        rx.table.cell(rx.text(line.assignee, color=muted, white_space="nowrap")),
        rx.table.cell(rx.text(line.reporter, white_space="nowrap")),
        rx.table.cell(rx.text(line.updated, color=rx.color("gray", 10), white_space="nowrap")),
        align="center",
    )


def ticket_list_table(rows) -> rx.Component:
    """A table of TicketLine rows as the staff list shows them."""
    return rx.card(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(label) for label in LABELS])),
            rx.table.body(rx.foreach(rows, _row)),
            variant="ghost",
            size="2",
            width="100%",
            aria_label="Tickets",
        ),
        padding="0",
        width="100%",
        overflow_x="auto",
    )
