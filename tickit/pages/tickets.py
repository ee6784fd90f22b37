"""/tickets: the tickets of the projects an agent works (filtered, searched, sorted, paged), and filing one."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.bulk_bar import bulk_bar
from tickit.components.layout import app_page, empty_state, new_ticket_button, page_header
from tickit.components.link_button import link_button
from tickit.components.new_ticket_form import new_ticket_form
from tickit.components.saved_views import save_view_button
from tickit.components.sla_badge import sla_filter
from tickit.components.ticket_list_table import ticket_list_table
from tickit.components.ticket_table import page_buttons
from tickit.labels import CATEGORY_LABELS, PRIORITY_LABELS
from tickit.services.ticket_list import to_query_string
from tickit.services.views import ALL_NAME, MY_OPEN, MY_OPEN_NAME
from tickit.state.bulk_actions import BulkState
from tickit.state.new_ticket import NewTicketState
from tickit.state.tickets import ALL_OPEN, ANY, ASSIGNEE_LABELS
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
        return rx.input(type="date", value=value, on_change=on_change, aria_label=label, size="2", width="140px")

    return rx.hstack(
        rx.text("Created", size="2", color=rx.color("gray", 11)),
        day("Created from", S.created_from, S.set_created_from),
        rx.text("–", size="2", color=rx.color("gray", 11)),
        day("Created to", S.created_to, S.set_created_to),
        # Links from the analytics dashboard filter on resolution days and name the project's zone.
        rx.cond(
            S.resolved_range != "",
            rx.badge(
                "Resolved " + S.resolved_range,
                rx.icon_button(
                    rx.icon("x", size=12),
                    variant="ghost",
                    size="1",
                    on_click=S.clear_resolved,
                    aria_label="Remove the resolved filter",
                ),
                variant="soft",
                size="2",
            ),
        ),
        rx.cond(S.day_zone != "", rx.text("Days in " + S.day_zone, size="1", color=rx.color("gray", 11))),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _tag_filter() -> rx.Component:
    # A form, not a debounced input: a half-typed tag would hide every ticket while it is typed.
    return rx.form(
        rx.input(
            rx.input.slot(rx.icon("tag", size=14)),
            name="tag",
            key=S.tag_filter,
            default_value=S.tag_filter,
            placeholder="Tag, Enter",
            aria_label="Tag",
            max_length=200,
            size="2",
            width="100%",
        ),
        on_submit=S.set_tag_filter,
        reset_on_submit=False,
        width="140px",
    )


def _search() -> rx.Component:
    # Debounced: the list follows the text as the user pauses typing; Enter opens a ticket it names.
    return rx.form(
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            name="q",
            value=S.text,
            on_change=S.set_text,
            debounce_timeout=350,
            placeholder="Search, or go to a ticket number",
            aria_label="Search",
            max_length=200,
            width="100%",
            size="2",
        ),
        on_submit=S.open_or_search,
        reset_on_submit=False,
        flex="1 1 260px",
        min_width="min(260px, 100%)",
    )


def _status_choice(value, name) -> rx.Component:
    return rx.checkbox(
        name,
        checked=S.statuses.contains(value),
        on_change=lambda _: S.toggle_status(value),
        size="2",
    )


def _status_group(category: str, label: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="bold", color=rx.color("gray", 11), text_transform="uppercase"),
        rx.foreach(
            S.status_options,
            lambda option: rx.cond(option[2] == category, _status_choice(option[0], option[1])),
        ),
        spacing="2",
    )


def _status_filter() -> rx.Component:
    """Several statuses at once, grouped by category, with "All open" as one choice."""
    groups = [_status_group(category, label) for category, label in CATEGORY_LABELS.items()]
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.text(
                    S.status_label, style={"white_space": "nowrap", "overflow": "hidden", "text_overflow": "ellipsis"}
                ),
                rx.icon("chevron-down", size=14),
                variant="surface",
                color_scheme="gray",
                size="2",
                aria_label="Status",
                max_width="200px",
                justify_content="space-between",
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.checkbox(
                    "All open",
                    checked=S.statuses.contains(ALL_OPEN),
                    on_change=lambda _: S.toggle_status(ALL_OPEN),
                    size="2",
                ),
                rx.separator(size="4"),
                *groups,
                rx.separator(size="4"),
                rx.button("Any status", variant="soft", color_scheme="gray", size="1", on_click=S.any_status),
                spacing="3",
            ),
            max_height="min(70vh, 520px)",
            overflow_y="auto",
            aria_label="Status filter",
        ),
    )


def _filters() -> rx.Component:
    return rx.flex(
        _search(),
        _select(
            "Project",
            S.project,
            S.set_project,
            rx.select.item("All projects", value=ANY),
            rx.foreach(S.project_options, lambda option: rx.select.item(option[1], value=option[0])),
        ),
        _select(
            "Type",
            S.type_key,
            S.set_type,
            rx.select.item("All types", value=ANY),
            rx.foreach(S.type_options, lambda option: rx.select.item(option[1], value=option[0])),
            width="130px",
        ),
        _status_filter(),
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
        ),
        _select(
            "Priority",
            S.priority,
            S.set_priority,
            rx.select.item("Any priority", value=ANY),
            *[rx.select.item(label, value=key) for key, label in PRIORITY_LABELS.items()],
            width="130px",
        ),
        sla_filter(S),
        rx.cond(
            S.organisation_options.length() > 0,
            _select(
                "Organisation",
                S.organisation,
                S.set_organisation,
                rx.select.item("Any organisation", value=ANY),
                rx.foreach(S.organisation_options, lambda option: rx.select.item(option[1], value=option[0])),
                width="170px",
            ),
        ),
        _tag_filter(),
        _created_between(),
        rx.cond(
            S.summary != "",
            rx.button(rx.icon("x", size=14), "Clear", variant="soft", color_scheme="gray", size="2", on_click=S.clear),
        ),
        gap="8px",
        align="center",
        wrap="wrap",
        width="100%",
        padding_bottom="12px",
    )


def _built_in_lists() -> rx.Component:
    """The two lists every agent has, as links: which one is shown, and the way to the other."""

    def choice(name: str, icon: str, href: str) -> rx.Component:
        active = S.built_in == name
        return link_button(
            rx.icon(icon, size=14),
            name,
            href=href,
            size="2",
            variant=rx.cond(active, "soft", "ghost"),
            color_scheme=rx.cond(active, "accent", "gray"),
            aria_current=rx.cond(active, "page", None),
        )

    return rx.hstack(
        choice(MY_OPEN_NAME, "user-round-check", routes.ticket_list(to_query_string(MY_OPEN))),
        choice(ALL_NAME, "list", routes.TICKETS_ALL),
        spacing="2",
        align="center",
        role="navigation",
        aria_label="Ticket lists",
        padding_bottom="12px",
    )


def _empty_list() -> rx.Component:
    """No rows: nothing of one's own open, no match for the filters, past the end, or no ticket at all."""
    return rx.cond(
        S.built_in == MY_OPEN_NAME,
        empty_state(
            "inbox",
            "Nothing open is assigned to you",
            "Tickets assigned to you that are not done yet show here.",
            link_button("See all tickets", href=routes.TICKETS_ALL, variant="soft", size="2"),
        ),
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
    )


def _toolbar() -> rx.Component:
    """How many tickets, the ticket a number search names, and the page buttons."""
    return page_buttons(
        S,
        rx.text(S.shown, size="2", color=rx.color("gray", 11), white_space="nowrap", aria_live="polite"),
        rx.cond(
            S.named != "",
            rx.text("Enter opens ", rx.code(S.named, variant="ghost"), size="2", color=rx.color("gray", 11)),
        ),
    )


def tickets_page() -> rx.Component:
    return app_page(
        page_header(
            "Tickets",
            rx.cond(
                S.built_in == MY_OPEN_NAME,
                "Assigned to you and not done yet.",
                rx.cond(S.built_in == ALL_NAME, "Every ticket you may see.", ""),
            ),
            rx.hstack(
                link_button(
                    rx.icon("download", size=16),
                    "Download CSV",
                    href=S.csv_path,
                    reload_document=True,
                    variant="soft",
                    title="Every ticket under the filters below, for a spreadsheet",
                ),
                save_view_button(S.project_options),
                new_ticket_button(routes.TICKETS_NEW),
                spacing="2",
                wrap="wrap",
            ),
        ),
        _built_in_lists(),
        _filters(),
        rx.cond(
            S.rows.length() > 0,
            rx.box(_toolbar(), bulk_bar(), ticket_list_table(S, BulkState), width="100%"),
            _empty_list(),
        ),
        wide=True,
    )


def staff_new_ticket_page() -> rx.Component:
    return app_page(
        page_header("New ticket", "File a ticket in one of your projects, yourself or on behalf of a client."),
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
