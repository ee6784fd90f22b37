"""The ticket table of the portal, and the page buttons both ticket lists show."""

from __future__ import annotations

import reflex as rx

from tickit import routes


def _header(*labels: str) -> rx.Component:
    return rx.table.header(rx.table.row(*[rx.table.column_header_cell(label) for label in labels]))


def ticket_table(rows, staff: bool) -> rx.Component:
    """A table of TicketLine rows; staff see priority, who reported and who is assigned."""
    labels = ["Ticket", "Title", "Project", "Type", "Status"]
    labels += ["Priority", "Reporter", "Assignee", "Updated"] if staff else ["Updated"]
    base = routes.TICKETS if staff else routes.PORTAL_TICKETS  # where a ticket's page lives for this reader

    def row(line) -> rx.Component:
        cells = [
            rx.table.cell(rx.code(line.number, variant="ghost", weight="medium")),
            rx.table.row_header_cell(
                rx.link(line.title, href=base + "/" + line.number, weight="medium", color=rx.color("gray", 12))
            ),
            rx.table.cell(rx.text(line.project, color=rx.color("gray", 11))),
            rx.table.cell(rx.text(line.type_name, color=rx.color("gray", 11))),
            rx.table.cell(rx.badge(line.status, color_scheme=line.status_color, variant="soft", radius="full")),
        ]
        if staff:
            cells += [
                rx.table.cell(rx.badge(line.priority, color_scheme=line.priority_color, variant="outline")),
                rx.table.cell(line.reporter),
                rx.table.cell(rx.text(line.assignee, color=rx.color("gray", 11))),
            ]
        cells.append(rx.table.cell(rx.text(line.updated, color=rx.color("gray", 10), white_space="nowrap")))
        return rx.table.row(*cells, align="center")

    return rx.card(
        rx.table.root(_header(*labels), rx.table.body(rx.foreach(rows, row)), variant="ghost", size="2", width="100%"),
        padding="0",
        width="100%",
        overflow_x="auto",
    )


def page_buttons(S, *leading: rx.Component) -> rx.Component:
    """First and next page of list state `S` (`later_page`, `next_cursor`, `first_page`, `next_page`)."""
    return rx.hstack(
        *leading,
        rx.spacer(),
        rx.button(
            rx.icon("chevrons-left", size=14),
            "First page",
            variant="soft",
            color_scheme="gray",
            size="2",
            disabled=~S.later_page,
            on_click=S.first_page,
        ),
        rx.button(
            "Next page",
            rx.icon("chevron-right", size=14),
            variant="soft",
            size="2",
            disabled=S.next_cursor == "",
            on_click=S.next_page,
        ),
        spacing="3",
        align="center",
        width="100%",
        padding_top="12px",
    )
