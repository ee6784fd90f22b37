"""/tickets/workload: each agent's open tickets in a project by category, capacity, availability, oldest ticket."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.layout import app_page, empty_state, page_header, responsive
from tickit.components.local_time import local_time
from tickit.state.workload import WorkloadState as S


def _project_picker() -> rx.Component:
    return rx.cond(
        S.projects.length() > 1,
        rx.select.root(
            rx.select.trigger(custom_attrs={"aria-label": "Project"}, width="220px"),
            rx.select.content(rx.foreach(S.projects, lambda p: rx.select.item(p[1], value=p[0]))),
            value=S.project_key,
            on_change=S.choose_project,
        ),
    )


def _count(label: str, value, href, tone: str = "gray") -> rx.Component:
    return rx.link(
        rx.vstack(
            rx.text(value, size="5", weight="bold", color=rx.color(tone, 12)),
            rx.text(label, size="1", color=rx.color("gray", 11), white_space="nowrap"),
            spacing="0",
            align="start",
        ),
        href=href,
        underline="none",
        padding="6px 10px",
        border_radius="var(--radius-3)",
        background=rx.color(tone, 3),
        _hover={"background": rx.color(tone, 4)},
        flex="1",
        aria_label=label + ": " + value.to_string(),
    )


def _agent_card(row) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.avatar(fallback=row.name[0], size="2", radius="full", color_scheme="indigo"),
                rx.heading(row.name, size="3", as_="h2", flex="1", min_width="0", truncate=True),
                rx.cond(
                    row.available,
                    rx.badge(rx.icon("circle-check", size=12), "Available", color_scheme="green", variant="soft"),
                    rx.badge(rx.icon("moon", size=12), "Away", color_scheme="gray", variant="soft"),
                ),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.hstack(
                _count("To do", row.todo, row.todo_href, "blue"),
                _count("In progress", row.in_progress, row.in_progress_href, "amber"),
                rx.link(
                    rx.vstack(
                        rx.text(
                            row.open,
                            rx.cond(row.capacity != "", rx.text.span(" / " + row.capacity, weight="regular"), ""),
                            size="5",
                            weight="bold",
                            color=rx.cond(row.full, rx.color("red", 11), rx.color("gray", 12)),
                        ),
                        rx.text(
                            rx.cond(row.capacity != "", rx.cond(row.full, "Open · full", "Open / capacity"), "Open"),
                            size="1",
                            color=rx.color("gray", 11),
                            white_space="nowrap",
                        ),
                        spacing="0",
                    ),
                    href=row.open_href,
                    underline="none",
                    padding="6px 10px",
                    border_radius="var(--radius-3)",
                    background=rx.color("gray", 3),
                    _hover={"background": rx.color("gray", 4)},
                    flex="1",
                    aria_label="Open tickets of " + row.name,
                ),
                spacing="2",
                width="100%",
            ),
            rx.cond(
                row.oldest_number != "",
                rx.hstack(
                    rx.text("Oldest open", size="1", color=rx.color("gray", 11), white_space="nowrap"),
                    rx.link(
                        row.oldest_number,
                        href=routes.TICKETS + "/" + row.oldest_number,
                        size="1",
                        weight="medium",
                        white_space="nowrap",
                    ),
                    rx.text(row.oldest_title, size="1", truncate=True, flex="1", min_width="0"),
                    rx.text(local_time(row.oldest_at), size="1", color=rx.color("gray", 11), white_space="nowrap"),
                    spacing="2",
                    align="center",
                    width="100%",
                ),
                rx.text("No open tickets", size="1", color=rx.color("gray", 11)),
            ),
            rx.cond(
                S.can_transfer & (row.open > 0),
                rx.button(
                    rx.icon("arrow-right-left", size=14),
                    "Move open tickets…",
                    size="1",
                    variant="soft",
                    on_click=S.open_transfer(row.user_id),
                    aria_label="Move the open tickets of " + row.name,
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _transfer_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Move ", S.transfer_from_name, "'s open tickets"),
            rx.dialog.description(
                "All ",
                S.transfer_count,
                " open tickets of ",
                S.transfer_from_name,
                " in ",
                S.project_name,
                " go to the agent you choose, or back to the queue for automatic assignment. "
                "Each ticket's history records the move.",
                size="2",
                margin_bottom="12px",
            ),
            rx.select.root(
                rx.select.trigger(custom_attrs={"aria-label": "Move them to"}, width="100%"),
                rx.select.content(rx.foreach(S.transfer_targets, lambda t: rx.select.item(t[1], value=t[0]))),
                value=S.transfer_to,
                on_change=S.set_transfer_to,
            ),
            rx.flex(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button("Move tickets", on_click=S.transfer),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
            max_width="440px",
        ),
        open=S.transfer_open,
        on_open_change=S.set_transfer_open,
    )


def _queue_line() -> rx.Component:
    return rx.hstack(
        rx.icon("inbox", size=16, color=rx.color("gray", 11)),
        rx.text(
            rx.match(
                S.unassigned,
                (0, "Nothing waits in the queue."),
                (1, "1 open ticket waits in the queue."),
                S.unassigned.to_string() + " open tickets wait in the queue.",
            ),
            size="2",
        ),
        rx.cond(S.unassigned > 0, rx.link("Show them", href=S.queue_href, size="2")),
        align="center",
        spacing="2",
        margin_bottom="16px",
    )


def workload_page() -> rx.Component:
    return app_page(
        page_header("Workload", "Open tickets per agent; every count opens the list.", _project_picker()),
        rx.cond(
            S.project_key != "",
            rx.fragment(
                _queue_line(),
                rx.cond(
                    S.rows.length() > 0,
                    rx.grid(
                        rx.foreach(S.rows, _agent_card),
                        columns=responsive("1", "2"),
                        spacing="4",
                        width="100%",
                    ),
                    empty_state("users", "No agents yet", "Add agents to the project to see their workload here."),
                ),
                _transfer_dialog(),
            ),
            empty_state("gauge", "No workload to show", "You work no project yet."),
        ),
    )
