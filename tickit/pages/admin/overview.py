"""/admin: the state of this TickIt at a glance, and where to go next."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.layout import app_page, page_header
from tickit.components.link_button import link_button
from tickit.state.admin_overview import AdminOverviewState as S


def _stat(label: str, value, icon: str, note=None) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(label, size="2", color=rx.color("gray", 11)),
                rx.text(value, size="7", weight="bold"),
                rx.text(note, size="1", color=rx.color("gray", 11)) if note is not None else rx.fragment(),
                spacing="1",
            ),
            rx.spacer(),
            rx.center(
                rx.icon(icon, size=18, color=rx.color("accent", 11)),
                width="36px",
                height="36px",
                border_radius="10px",
                background=rx.color("accent", 3),
            ),
            align="start",
            width="100%",
        ),
        size="2",
    )


def _step(icon: str, title: str, text: str, href: str, action: str) -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon(icon, size=16),
            width="32px",
            height="32px",
            border_radius="8px",
            background=rx.color("gray", 3),
            flex_shrink="0",
        ),
        rx.vstack(
            rx.text(title, size="2", weight="medium"), rx.text(text, size="1", color=rx.color("gray", 11)), spacing="0"
        ),
        rx.spacer(),
        link_button(action, href=href, size="1", variant="soft"),
        align="center",
        width="100%",
        spacing="3",
        padding_y="10px",
    )


def overview_page() -> rx.Component:
    return app_page(
        page_header(
            "Overview",
            "Your helpdesk at a glance.",
            link_button("Analytics: trends, SLAs, agents", href=routes.ANALYTICS, size="2", variant="soft"),
        ),
        rx.grid(
            _stat("People", S.admins + S.agents + S.clients, "users", S.people_breakdown),
            _stat("Projects", S.projects, "folder-kanban"),
            _stat("Open tickets", S.open_tickets, "inbox"),
            _stat("Filed this week", S.tickets_this_week, "trending-up"),
            columns=rx.breakpoints(initial="1", sm="2", lg="4"),
            spacing="4",
            width="100%",
        ),
        rx.card(
            rx.vstack(
                rx.heading("Setting up", size="3", as_="h2"),
                _step(
                    "folder-plus",
                    "Create a project from a template",
                    "Each template brings ticket types with their statuses, transitions and fields.",
                    routes.ADMIN_PROJECTS,
                    "Projects",
                ),
                rx.separator(size="4"),
                _step(
                    "user-plus",
                    "Invite your agents and clients",
                    "Create accounts, then add people to projects as agents or clients.",
                    routes.ADMIN_USERS,
                    "Users",
                ),
                rx.separator(size="4"),
                _step(
                    "list-todo",
                    "Work the queue",
                    "Every ticket of every project, most recent first.",
                    routes.TICKETS_ALL,
                    "Tickets",
                ),
                spacing="1",
                width="100%",
            ),
            size="3",
            margin_top="24px",
        ),
    )
