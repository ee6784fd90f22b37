"""/tickets: the tickets of the projects an agent works (filtered, searched, sorted, paged), and filing one."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.layout import app_page, empty_state, new_ticket_button, page_header
from tickit.components.new_ticket_form import new_ticket_form
from tickit.components.ticket_list_table import ticket_list_table
from tickit.components.ticket_table import page_buttons
from tickit.labels import CATEGORY_LABELS, PRIORITY_LABELS
from tickit.state.new_ticket import NewTicketState
from tickit.state.tickets import ANY, ASSIGNEE_LABELS, SORT_CHOICES
from tickit.state.tickets import StaffTicketsState as S


def _select(label: str, value, on_change, *items: rx.Component, width: str = "150px") -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=label, width=width),
        rx.select.content(*items),
        value=value,
        on_change=on_change,
        size="2",
    )


def _created_between() -> rx.Component:
    def day(label: str, value, on_change) -> rx.Component:
        return rx.input(type="date", value=value, on_change=on_change, aria_label=label, size="2", width="156px")

    return rx.hstack(
        rx.text("Created", size="2", color=rx.color("gray", 10)),
        day("Created from", S.created_from, S.set_created_from),
        rx.text("–", size="2", color=rx.color("gray", 10)),
        day("Created to", S.created_to, S.set_created_to),
        spacing="2",
        align="center",
    )


def _filters() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.form(
                rx.input(
                    rx.input.slot(rx.icon("search", size=14)),
                    name="q",
                    value=S.draft,
                    on_change=S.set_draft,
                    placeholder="Search title, description, comments",
                    aria_label="Search",
                    max_length=200,
                    width="100%",
                    size="2",
                ),
                on_submit=S.search,
                reset_on_submit=False,
                flex="1",
                min_width="240px",
            ),
            _created_between(),
            _select(
                "Sort",
                S.sort,
                S.set_sort,
                *[rx.select.item(label, value=value) for value, label in SORT_CHOICES],
                width="170px",
            ),
            spacing="3",
            align="center",
            width="100%",
        ),
        rx.hstack(
            _select(
                "Project",
                S.project,
                S.set_project,
                rx.select.item("All projects", value=ANY),
                rx.foreach(S.project_options, lambda option: rx.select.item(option[1], value=option[0])),
                width="170px",
            ),
            _select(
                "Type",
                S.type_key,
                S.set_type,
                rx.select.item("All types", value=ANY),
                rx.foreach(S.type_options, lambda option: rx.select.item(option[1], value=option[0])),
            ),
            _select(
                "Status",
                S.status,
                S.set_status,
                rx.select.item("Any status", value=ANY),
                rx.select.group(
                    rx.select.label("Category"),
                    *[rx.select.item(label, value=f"category:{key}") for key, label in CATEGORY_LABELS.items()],
                ),
                rx.select.separator(),
                rx.select.group(
                    rx.select.label("Status"),
                    rx.foreach(S.status_options, lambda option: rx.select.item(option[1], value=option[0])),
                ),
            ),
            _select(
                "Assignee",
                S.assignee,
                S.set_assignee,
                rx.select.item("Anyone", value=ANY),
                *[rx.select.item(label, value=value) for value, label in ASSIGNEE_LABELS.items()],
                rx.cond(
                    S.assignee_options.length() > 0,
                    rx.fragment(
                        rx.select.separator(),
                        rx.select.group(
                            rx.select.label("Agents"),
                            rx.foreach(S.assignee_options, lambda option: rx.select.item(option[1], value=option[0])),
                        ),
                    ),
                ),
                width="170px",
            ),
            _select(
                "Priority",
                S.priority,
                S.set_priority,
                rx.select.item("Any priority", value=ANY),
                *[rx.select.item(label, value=key) for key, label in PRIORITY_LABELS.items()],
                width="140px",
            ),
            rx.cond(
                S.summary != "",
                rx.button(
                    rx.icon("x", size=14), "Clear", variant="soft", color_scheme="gray", size="2", on_click=S.clear
                ),
            ),
            spacing="3",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        spacing="3",
        width="100%",
        padding_bottom="16px",
    )


def _pager() -> rx.Component:
    return page_buttons(S, rx.text(S.rows.length(), " tickets on this page", size="2", color=rx.color("gray", 10)))


def tickets_page() -> rx.Component:
    return app_page(
        page_header(
            "Tickets",
            "Tickets in the projects you work. Filters stay in the address bar, to bookmark or share a view.",
            new_ticket_button(routes.TICKETS_NEW),
        ),
        _filters(),
        rx.cond(
            S.rows.length() > 0,
            rx.box(ticket_list_table(S.rows), _pager(), width="100%"),
            rx.cond(
                S.summary != "",
                empty_state(
                    "search-x",
                    "No tickets match",
                    "Filters on: " + S.summary + ".",
                    rx.button("Clear filters", variant="soft", size="2", on_click=S.clear),
                ),
                rx.cond(
                    S.later_page,
                    empty_state(
                        "list-end",
                        "No more tickets",
                        "This page is past the end of the list.",
                        rx.button("First page", variant="soft", size="2", on_click=S.first_page),
                    ),
                    empty_state(
                        "list-todo",
                        "Nothing here yet",
                        "Tickets filed in your projects, from the portal or by other apps, appear here.",
                    ),
                ),
            ),
        ),
    )


def staff_new_ticket_page() -> rx.Component:
    return app_page(
        page_header("New ticket", "File a ticket in one of your projects; you are its reporter."),
        rx.cond(
            NewTicketState.project_options.length() > 0,
            new_ticket_form(NewTicketState, routes.TICKETS),
            empty_state(
                "folder-lock",
                "No project to file in",
                "You work no project yet. An admin adds agents to projects under Projects → Members.",
            ),
        ),
    )
