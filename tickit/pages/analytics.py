"""/analytics: how the helpdesk is doing — tiles, charts and the agent table, each linking to its tickets."""

from __future__ import annotations

import reflex as rx

from tickit.components.forms import option_select
from tickit.components.layout import app_page, page_header
from tickit.state.analytics import RANGES
from tickit.state.analytics import AnalyticsState as S

MUTED = rx.color("gray", 11)
# Series colours that read on light and dark backgrounds alike (Radix steps 9).
CREATED, RESOLVED, BACKLOG, P90 = (
    rx.color("indigo", 9),
    rx.color("grass", 9),
    rx.color("amber", 9),
    rx.color("tomato", 9),
)


def _filters() -> rx.Component:
    return rx.flex(
        rx.box(
            rx.el.label(rx.text("Project", size="2", weight="medium"), html_for="analytics-project"),
            option_select(S.projects, S.project, S.set_project, "analytics-project", size="2"),
            min_width="200px",
        ),
        rx.box(
            rx.el.label(rx.text("Range", size="2", weight="medium"), html_for="analytics-range"),
            option_select(RANGES, S.range_choice, S.set_range, "analytics-range", size="2"),
            min_width="180px",
        ),
        rx.cond(
            S.range_choice == "custom",
            rx.form(
                rx.flex(
                    rx.box(
                        rx.el.label(rx.text("From", size="2", weight="medium"), html_for="analytics-start"),
                        rx.input(id="analytics-start", name="start", type="date", default_value=S.start, size="2"),
                    ),
                    rx.box(
                        rx.el.label(rx.text("To", size="2", weight="medium"), html_for="analytics-end"),
                        rx.input(id="analytics-end", name="end", type="date", default_value=S.end, size="2"),
                    ),
                    rx.button("Show", type="submit", size="2", variant="soft"),
                    spacing="2",
                    align="end",
                    wrap="wrap",
                ),
                on_submit=S.apply_custom,
                reset_on_submit=False,
            ),
        ),
        spacing="3",
        wrap="wrap",
        align="end",
        width="100%",
    )


def _exports(table: str) -> rx.Component:
    return rx.hstack(
        rx.button(
            "CSV", on_click=S.download(table, "csv"), size="1", variant="soft", aria_label=f"Download {table} as CSV"
        ),
        rx.button(
            "XLSX", on_click=S.download(table, "xlsx"), size="1", variant="soft", aria_label=f"Download {table} as XLSX"
        ),
        spacing="1",
    )


def _section(title: str, table: str, *content: rx.Component) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.heading(title, size="3", as_="h2"),
            _exports(table),
            justify="between",
            align="center",
            spacing="2",
            wrap="wrap",
            padding_bottom="8px",
        ),
        *content,
        width="100%",
        min_width="0",
    )


def _tile(tile) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.text(tile.label, size="2", color=MUTED),
                rx.text(tile.value, size="6", weight="bold"),
                rx.text(tile.detail, size="1", color=MUTED),
                spacing="1",
            ),
            width="100%",
            height="100%",
        ),
        href=tile.href,
        underline="none",
        color="inherit",
        aria_label=tile.label,
    )


def _axes(key: str) -> list[rx.Component]:
    return [
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke=rx.color("gray", 6)),
        rx.recharts.x_axis(data_key=key, stroke=MUTED, tick={"fill": MUTED, "fontSize": 12}),
        rx.recharts.y_axis(stroke=MUTED, tick={"fill": MUTED, "fontSize": 12}, width=40),
        rx.recharts.graphing_tooltip(
            content_style={"background": rx.color("gray", 2), "border": f"1px solid {rx.color('gray', 6)}"},
            label_style={"color": rx.color("gray", 12)},
        ),
        rx.recharts.legend(),
    ]


def _daily() -> rx.Component:
    return rx.recharts.composed_chart(
        rx.recharts.bar(data_key="created", name="Created", fill=CREATED, is_animation_active=False),
        rx.recharts.bar(data_key="resolved", name="Resolved", fill=RESOLVED, is_animation_active=False),
        rx.recharts.line(
            data_key="backlog",
            name="Open at day's end",
            stroke=BACKLOG,
            dot=False,
            connect_nulls=True,
            is_animation_active=False,
        ),
        *_axes("day"),
        data=S.days,
        width="100%",
        height=280,
    )


def _times() -> rx.Component:
    return rx.recharts.line_chart(
        rx.recharts.line(
            data_key="first_response_median",
            name="First response, median (h)",
            stroke=CREATED,
            is_animation_active=False,
        ),
        rx.recharts.line(
            data_key="first_response_p90",
            name="First response, p90 (h)",
            stroke=CREATED,
            stroke_dasharray="4 3",
            is_animation_active=False,
        ),
        rx.recharts.line(
            data_key="resolution_median", name="Resolution, median (h)", stroke=RESOLVED, is_animation_active=False
        ),
        rx.recharts.line(
            data_key="resolution_p90",
            name="Resolution, p90 (h)",
            stroke=RESOLVED,
            stroke_dasharray="4 3",
            is_animation_active=False,
        ),
        *_axes("week"),
        data=S.weeks,
        width="100%",
        height=280,
    )


def _compliance() -> rx.Component:
    return rx.recharts.bar_chart(
        rx.recharts.bar(data_key="sla_compliance", name="SLA compliance (%)", fill=RESOLVED, is_animation_active=False),
        *_axes("week"),
        data=S.weeks,
        width="100%",
        height=240,
    )


def _share_list(title: str, shares) -> rx.Component:
    return rx.vstack(
        rx.text(title, size="2", weight="medium"),
        rx.recharts.bar_chart(
            rx.recharts.bar(data_key="count", name="Created", fill=CREATED, is_animation_active=False),
            rx.recharts.x_axis(data_key="name", stroke=MUTED, tick={"fill": MUTED, "fontSize": 12}),
            rx.recharts.y_axis(stroke=MUTED, tick={"fill": MUTED, "fontSize": 12}, width=32, allow_decimals=False),
            data=shares,
            width="100%",
            height=160,
        ),
        rx.flex(
            rx.foreach(
                shares,
                lambda share: rx.cond(
                    share["href"] != "",
                    rx.link(rx.badge(share["name"], ": ", share["count"], variant="soft"), href=share["href"]),
                    rx.badge(share["name"], ": ", share["count"], variant="soft", color_scheme="gray"),
                ),
            ),
            spacing="1",
            wrap="wrap",
        ),
        width="100%",
        min_width="0",
        spacing="2",
    )


def _sortable(label: str, column: str) -> rx.Component:
    arrow = rx.cond(
        S.agent_sort == column,
        rx.cond(S.agent_descending, rx.icon("arrow-down", size=12), rx.icon("arrow-up", size=12)),
    )
    return rx.table.column_header_cell(
        rx.button(label, arrow, variant="ghost", size="1", on_click=S.sort_agents(column), color=rx.color("gray", 12)),
        white_space="nowrap",
    )


def _agent_row(agent) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(agent.name, href=agent.href)),
        rx.table.cell(rx.link(agent.assigned, href=agent.assigned_href)),
        rx.table.cell(agent.resolved),
        rx.table.cell(agent.first_response),
        rx.table.cell(agent.resolution),
        rx.table.cell(agent.satisfaction, white_space="nowrap"),
        rx.table.cell(rx.link(agent.open_now, href=agent.href)),
    )


def _agents() -> rx.Component:
    return rx.box(
        rx.cond(
            S.agents.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        _sortable("Agent", "name"),
                        _sortable("Assigned", "assigned"),
                        _sortable("Resolved", "resolved"),
                        _sortable("First response", "first_response"),
                        _sortable("Resolution", "resolution"),
                        _sortable("Satisfaction", "satisfaction"),
                        _sortable("Open now", "open_now"),
                    )
                ),
                rx.table.body(rx.foreach(S.agents, _agent_row)),
                variant="ghost",
                size="1",
                width="100%",
            ),
            rx.text("No agent worked a ticket in this range.", size="2", color=MUTED),
        ),
        overflow_x="auto",
        width="100%",
    )


def analytics_page() -> rx.Component:
    return app_page(
        page_header("Analytics", "How the helpdesk is doing: volumes, response and resolution times, SLAs, ratings."),
        _filters(),
        rx.text(S.described, size="2", color=MUTED, padding_top="8px"),
        rx.cond(S.range_error != "", rx.callout(S.range_error, color_scheme="red", size="1", margin_top="8px")),
        rx.flex(
            _section(
                "Figures",
                "figures",
                rx.grid(
                    rx.foreach(S.tiles, _tile),
                    columns=rx.breakpoints(initial="2", sm="3", lg="5"),
                    spacing="3",
                    width="100%",
                ),
                rx.text(
                    "Durations are business hours where an SLA calendar applies; medians and 90th percentiles.",
                    size="1",
                    color=MUTED,
                    padding_top="8px",
                ),
            ),
            _section("Created and resolved per day", "days", _daily()),
            rx.grid(
                _section("First response and resolution per week", "weeks", _times()),
                _section("SLA compliance per week", "weeks", _compliance()),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            _section(
                "Created by type, priority and source",
                "shares",
                rx.grid(
                    _share_list("Type", S.by_type),
                    _share_list("Priority", S.by_priority),
                    _share_list("Source", S.by_source),
                    columns=rx.breakpoints(initial="1", md="3"),
                    spacing="4",
                    width="100%",
                ),
            ),
            _section("Agents", "agents", _agents()),
            direction="column",
            spacing="4",
            width="100%",
            margin_top="16px",
        ),
    )
