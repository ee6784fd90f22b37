"""The staff ticket list: a compact table with sortable headers, and one-line rows on phones.

Columns appear as the window widens (Radix breakpoints: md 1024 px, lg 1280 px, xl 1640 px); the
title takes the width left over, on one line, cut with an ellipsis and whole on hover. Below md
the table gives way to rows of number, title and status, as a squeezed table reads badly there.
"""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.local_time import local_time
from tickit.components.sla_badge import sla_badge
from tickit.components.ticket_table import ONE_LINE, compact_ticket_rows

# Where each optional column starts to show: Radix's responsive display, from the smallest width up.
_FROM_LG = ["none", "none", "none", "none", "table-cell"]
_FROM_XL = ["none", "none", "none", "none", "none", "table-cell"]
_TABLE_FROM_MD = ["none", "none", "none", "block"]
_ROWS_BELOW_MD = ["block", "block", "block", "none"]


def _header(S, label: str, sort: str | None = None, display=None, width: str | None = None) -> rx.Component:
    """A column header; a sortable one is a button that says which way the list is sorted."""
    if sort is None:
        return rx.table.column_header_cell(label, display=display, width=width, white_space="nowrap")
    active = S.sort == sort
    icon = rx.cond(
        active,
        rx.cond(S.direction == "desc", rx.icon("arrow-down", size=12), rx.icon("arrow-up", size=12)),
        rx.icon("arrow-up-down", size=12, color=rx.color("gray", 8)),
    )
    return rx.table.column_header_cell(
        rx.el.button(
            rx.hstack(label, icon, spacing="1", align="center"),
            on_click=S.sort_by(sort),
            title=f"Sort by {label.lower()}",
            style={
                "all": "unset",
                "cursor": "pointer",
                "font_weight": "inherit",
                "white_space": "nowrap",
            },
            _focus_visible={"outline": f"2px solid {rx.color('accent', 8)}", "border_radius": "2px"},
        ),
        custom_attrs={
            "aria-sort": rx.cond(active, rx.cond(S.direction == "desc", "descending", "ascending"), "none"),
        },
        display=display,
        width=width,
        white_space="nowrap",
    )


def row_checkbox(B, line) -> rx.Component:
    """A row's selection box: a click ticks it, a shift-click ticks every row from the last one clicked."""
    return rx.checkbox(
        checked=B.selected.contains(line.number),
        on_click=lambda event: B.pick(line.number, event["shift_key"]),
        aria_label="Select " + line.number,
        size="2",
        custom_attrs={"data-row-select": ""},
    )


def tag_badges(tags) -> rx.Component:
    """A row's tags, each a link to the list of that tag's tickets."""
    return rx.foreach(
        tags,
        lambda tag: rx.link(
            rx.badge(tag, variant="surface", color_scheme="gray", radius="full", size="1"),
            href=routes.TICKETS + "?tag=" + tag,
            title="Tickets tagged " + tag,
            underline="none",
            flex_shrink="0",
        ),
    )


def _row(B, line) -> rx.Component:
    href = routes.TICKETS + "/" + line.number
    muted = rx.color("gray", 11)
    return rx.table.row(
        rx.table.cell(row_checkbox(B, line), padding_right="0"),
        rx.table.cell(
            rx.link(
                rx.code(line.number, variant="ghost", weight="medium"),
                href=href,
                white_space="nowrap",
                custom_attrs={"data-row-open": ""},
            )
        ),
        # max-width 0 lets the cell shrink below its text, so the title takes only the width left over.
        rx.table.row_header_cell(
            rx.hstack(
                rx.link(
                    line.title,
                    href=href,
                    weight="medium",
                    color=rx.color("gray", 12),
                    title=line.title,
                    display="block",
                    min_width="0",
                    style=ONE_LINE,
                ),
                tag_badges(line.tags),
                spacing="1",
                align="center",
                min_width="0",
            ),
            max_width="0",
            width="100%",
        ),
        rx.table.cell(rx.text(line.project, color=muted, style=ONE_LINE), display=_FROM_XL, max_width="160px"),
        rx.table.cell(rx.text(line.type_name, color=muted, style=ONE_LINE), display=_FROM_LG, max_width="140px"),
        rx.table.cell(
            rx.badge(line.status, color_scheme=line.status_color, variant="soft", radius="full", white_space="nowrap")
        ),
        rx.table.cell(rx.badge(line.priority, color_scheme=line.priority_color, variant="outline")),
        rx.table.cell(sla_badge(line.sla_text, line.sla_color, line.sla_detail)),
        rx.table.cell(rx.text(line.assignee, color=muted, style=ONE_LINE), display=_FROM_LG, max_width="160px"),
        rx.table.cell(
            rx.text(line.reporter, style=ONE_LINE),
            rx.cond(line.organisation != "", rx.text(line.organisation, size="1", color=muted, style=ONE_LINE)),
            display=_FROM_XL,
            max_width="160px",
        ),
        rx.table.cell(rx.text(local_time(line.updated), color=rx.color("gray", 11), white_space="nowrap")),
        rx.table.cell(
            rx.text(local_time(line.created), color=rx.color("gray", 11), white_space="nowrap"), display=_FROM_XL
        ),
        align="center",
        custom_attrs={"data-list-row": ""},
        background=rx.cond(B.selected.contains(line.number), rx.color("accent", 3), "transparent"),
    )


def _page_checkbox(B) -> rx.Component:
    return rx.checkbox(checked=B.all_on_page, on_click=B.pick_page, aria_label="Select all on this page", size="2")


def _table(S, B) -> rx.Component:
    return rx.card(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(_page_checkbox(B), padding_right="0", width="28px"),
                    _header(S, "Ticket", "number"),
                    _header(S, "Title"),
                    _header(S, "Project", display=_FROM_XL),
                    _header(S, "Type", display=_FROM_LG),
                    _header(S, "Status"),
                    _header(S, "Priority", "priority"),
                    _header(S, "SLA", "due"),
                    _header(S, "Assignee", display=_FROM_LG),
                    _header(S, "Reporter", display=_FROM_XL),
                    _header(S, "Updated", "updated"),
                    _header(S, "Created", "created", display=_FROM_XL),
                )
            ),
            rx.table.body(rx.foreach(S.rows, lambda line: _row(B, line))),
            variant="ghost",
            size="1",
            width="100%",
            aria_label="Tickets",
        ),
        padding="0",
        width="100%",
        display=_TABLE_FROM_MD,
    )


def ticket_list_table(S, B) -> rx.Component:
    """The rows of list state `S` (`rows`, `sort`, `direction`, `sort_by`): a table, or compact rows on phones.

    Each row has a selection box of selection state `B` (`selected`, `pick`, `pick_page`).
    """
    return rx.box(
        _table(S, B),
        compact_ticket_rows(S.rows, routes.TICKETS, display=_ROWS_BELOW_MD, leading=lambda line: row_checkbox(B, line)),
        width="100%",
    )
