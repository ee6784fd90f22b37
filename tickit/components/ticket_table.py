"""The ticket table of the portal, the compact rows phones show, and the page buttons both ticket lists show."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.local_time import local_time
from tickit.components.sla_badge import sla_dot

ONE_LINE = {"white_space": "nowrap", "overflow": "hidden", "text_overflow": "ellipsis"}  # cut with an ellipsis


def _header(*labels: str) -> rx.Component:
    return rx.table.header(rx.table.row(*[rx.table.column_header_cell(label) for label in labels]))


def compact_ticket_rows(rows, base: str, display=None, leading=None) -> rx.Component:
    """TicketLine rows as phones show them: number, title (one line) and status, each a link.

    `leading(line)`, when given, is put before each row's link (the staff list's row checkbox).
    """

    def row(line) -> rx.Component:
        link = rx.link(
            rx.hstack(
                rx.code(line.number, variant="ghost", weight="medium", size="2", white_space="nowrap"),
                rx.text(line.title, size="2", weight="medium", flex="1", min_width="0", style=ONE_LINE),
                sla_dot(line.sla_text, line.sla_color),
                rx.badge(
                    line.status, color_scheme=line.status_color, variant="soft", radius="full", white_space="nowrap"
                ),
                spacing="2",
                align="center",
                width="100%",
            ),
            href=base + "/" + line.number,
            title=line.title,
            underline="none",
            color=rx.color("gray", 12),
            display="block",
            padding="10px 12px",
            flex="1",
            min_width="0",
            _hover={"background": rx.color("gray", 3)},
            custom_attrs={"data-row-open": ""},
        )
        return rx.flex(
            *([leading(line)] if leading else []),
            link,
            align="center",
            padding_left="12px" if leading else "0",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
            custom_attrs={"data-list-row": ""},
        )

    return rx.card(rx.el.nav(rx.foreach(rows, row), aria_label="Tickets"), padding="0", width="100%", display=display)


def ticket_table(rows, staff: bool, reporter: bool = False) -> rx.Component:
    """A table of TicketLine rows (compact rows below 768 px); staff see priority, who reported and who is assigned.

    `reporter` shows requesters who reported each ticket too (their organisation's list).
    """
    labels = ["Ticket", "Title", "Project", "Type", "Status"]
    if staff:
        labels += ["Priority", "Reporter", "Assignee", "Updated"]
    else:
        labels += ["Reporter", "Updated"] if reporter else ["Updated"]
    base = routes.TICKETS if staff else routes.PORTAL_TICKETS  # where a ticket's page lives for this reader

    def row(line) -> rx.Component:
        cells = [
            rx.table.cell(rx.code(line.number, variant="ghost", weight="medium", white_space="nowrap")),
            # max-width 0 lets the title's cell take only the width left over, its text on one line.
            rx.table.row_header_cell(
                rx.link(
                    line.title,
                    href=base + "/" + line.number,
                    weight="medium",
                    color=rx.color("gray", 12),
                    title=line.title,
                    display="block",
                    style=ONE_LINE,
                ),
                max_width="0",
                width="100%",
            ),
            rx.table.cell(rx.text(line.project, color=rx.color("gray", 11), white_space="nowrap")),
            rx.table.cell(rx.text(line.type_name, color=rx.color("gray", 11), white_space="nowrap")),
            rx.table.cell(
                rx.badge(
                    line.status, color_scheme=line.status_color, variant="soft", radius="full", white_space="nowrap"
                )
            ),
        ]
        if staff:
            cells += [
                rx.table.cell(rx.badge(line.priority, color_scheme=line.priority_color, variant="outline")),
                rx.table.cell(rx.text(line.reporter, white_space="nowrap")),
                rx.table.cell(rx.text(line.assignee, color=rx.color("gray", 11), white_space="nowrap")),
            ]
        elif reporter:
            cells.append(rx.table.cell(rx.text(line.reporter, white_space="nowrap")))
        cells.append(rx.table.cell(rx.text(local_time(line.updated), color=rx.color("gray", 11), white_space="nowrap")))
        return rx.table.row(*cells, align="center")

    return rx.box(
        rx.card(
            rx.table.root(
                _header(*labels), rx.table.body(rx.foreach(rows, row)), variant="ghost", size="1", width="100%"
            ),
            padding="0",
            width="100%",
            display=["none", "none", "block"],
        ),
        compact_ticket_rows(rows, base, display=["block", "block", "none"]),
        width="100%",
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
        wrap="wrap",
        width="100%",
        padding_top="12px",
    )
