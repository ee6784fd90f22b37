"""The application shell: a sidebar that shows what the role may use, and the page frame."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.bell import bell
from tickit.components.brand import brand
from tickit.components.post_form import post_form
from tickit.state.session import SessionState

SIDEBAR_WIDTH = "248px"


def _nav_link(label: str, href: str, icon: str, exact: bool = False) -> rx.Component:
    path = SessionState.router.url.path
    active = (path == href) if exact else (path == href) | path.startswith(href + "/")
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="2", weight="medium"), spacing="3", align="center"),
        href=href,
        underline="none",
        padding_x="12px",
        padding_y="8px",
        border_radius="var(--radius-3)",
        width="100%",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        _hover={"background": rx.color("gray", 3), "color": rx.color("gray", 12)},
    )


def _section(title: str) -> rx.Component:
    return rx.text(
        title,
        size="1",
        weight="bold",
        color=rx.color("gray", 9),
        padding_x="12px",
        padding_top="16px",
        padding_bottom="4px",
        text_transform="uppercase",
        letter_spacing="0.06em",
    )


def _client_nav() -> rx.Component:
    return rx.vstack(
        _section("Support"),
        _nav_link("My tickets", routes.PORTAL, "inbox", exact=True),
        _nav_link("New ticket", routes.PORTAL_NEW_TICKET, "circle-plus"),
        spacing="1",
        width="100%",
    )


def _staff_nav() -> rx.Component:
    return rx.vstack(
        _section("Work"),
        _nav_link("Tickets", routes.TICKETS, "list-todo", exact=True),
        _nav_link("Board", routes.TICKETS_BOARD, "square-kanban"),
        _nav_link("New ticket", routes.TICKETS_NEW, "circle-plus"),
        rx.cond(
            SessionState.user_role == "admin",
            rx.vstack(
                _section("Administration"),
                _nav_link("Overview", routes.ADMIN, "layout-dashboard", exact=True),
                _nav_link("Users", routes.ADMIN_USERS, "users"),
                _nav_link("Projects", routes.ADMIN_PROJECTS, "folder-kanban"),
                spacing="1",
                width="100%",
            ),
        ),
        spacing="1",
        width="100%",
    )


def _user_block() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(
                rx.avatar(fallback=SessionState.initials, size="2", radius="full", color_scheme="indigo"),
                rx.vstack(
                    rx.text(SessionState.user_name, size="2", weight="medium"),
                    rx.text(
                        SessionState.user_email,
                        size="1",
                        color=rx.color("gray", 10),
                        overflow="hidden",
                        text_overflow="ellipsis",
                        white_space="nowrap",
                        max_width="160px",
                    ),
                    spacing="0",
                ),
                spacing="3",
                align="center",
                width="100%",
            ),
            href=routes.PROFILE,
            underline="none",
            color=rx.color("gray", 12),
            title="Your profile",
            custom_attrs={"aria-label": "Your profile"},
            border_radius="var(--radius-3)",
            padding="4px",
            margin="-4px",
            _hover={"background": rx.color("gray", 3)},
        ),
        rx.hstack(
            rx.badge(
                SessionState.user_role,
                variant="soft",
                radius="full",
                color_scheme=rx.match(SessionState.user_role, ("admin", "purple"), ("agent", "blue"), "green"),
            ),
            rx.spacer(),
            rx.color_mode.button(size="1", variant="ghost", aria_label="Toggle dark mode"),
            post_form(
                rx.button(
                    rx.icon("log-out", size=14),
                    "Sign out",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    type="submit",
                ),
                action=routes.AUTH_LOGOUT,
            ),
            width="100%",
            align="center",
            spacing="2",
        ),
        spacing="3",
        width="100%",
        padding="12px",
        border_top=f"1px solid {rx.color('gray', 5)}",
    )


def sidebar() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.link(brand("small"), href=SessionState.home_path, underline="none", color=rx.color("gray", 12)),
            rx.spacer(),
            rx.cond(SessionState.user_role != "", bell()),
            align="center",
            width="100%",
            padding="16px 12px 8px",
        ),
        rx.el.nav(
            rx.cond(SessionState.user_role == "client", _client_nav(), _staff_nav()),
            aria_label="Main",
            width="100%",
            padding_x="8px",
        ),
        rx.spacer(),
        _user_block(),
        width=SIDEBAR_WIDTH,
        min_width=SIDEBAR_WIDTH,
        height="100vh",
        position="sticky",
        top="0",
        spacing="0",
    )


def page_header(title: str, subtitle: str | rx.Var = "", *actions: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.heading(title, size="6", weight="bold"),
            rx.cond(subtitle != "", rx.text(subtitle, size="2", color=rx.color("gray", 10)))
            if subtitle
            else rx.fragment(),
            spacing="1",
        ),
        rx.spacer(),
        *actions,
        width="100%",
        align="end",
        padding_bottom="20px",
    )


def not_allowed() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.center(
                    rx.icon("shield-x", size=28, color=rx.color("red", 10)),
                    width="56px",
                    height="56px",
                    border_radius="50%",
                    background=rx.color("red", 3),
                ),
                rx.heading("You don't have access to this page", size="5", text_align="center"),
                rx.text(
                    "You are signed in as ",
                    rx.text.strong(SessionState.user_email),
                    " (",
                    SessionState.user_role,
                    "). This part of TickIt is for other roles.",
                    size="2",
                    color=rx.color("gray", 11),
                    text_align="center",
                ),
                rx.link(rx.button("Go to your start page", size="2"), href=SessionState.home_path),
                spacing="4",
                align="center",
                padding="16px",
            ),
            max_width="440px",
        ),
        width="100%",
        padding_top="12vh",
    )


def _loading() -> rx.Component:
    return rx.center(rx.spinner(size="3"), width="100%", padding_top="20vh")


def app_page(*content: rx.Component, wide: bool = False) -> rx.Component:
    """The signed-in frame: sidebar plus content, shown only once the page admitted the user.

    Content is at most 1200 px wide, for reading; `wide` pages (the board) take the whole window.
    """
    return rx.cond(
        SessionState.access == "pending",
        _loading(),
        rx.hstack(
            # The column stretches with the page; the sidebar inside it stays in view while scrolling.
            rx.box(
                sidebar(),
                align_self="stretch",
                background=rx.color("gray", 2),
                border_right=f"1px solid {rx.color('gray', 5)}",
            ),
            rx.box(
                rx.cond(SessionState.access == "allowed", rx.box(*content, width="100%"), not_allowed()),
                flex="1",
                min_width="0",
                padding="32px 40px",
                max_width="none" if wide else "1200px",
            ),
            spacing="0",
            align="start",
            width="100%",
            min_height="100vh",
            background=rx.color("gray", 1),
        ),
    )


def empty_state(icon: str, title: str, text: str, *actions: rx.Component) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon(icon, size=24, color=rx.color("accent", 10)),
                width="48px",
                height="48px",
                border_radius="12px",
                background=rx.color("accent", 3),
            ),
            rx.heading(title, size="4"),
            rx.text(text, size="2", color=rx.color("gray", 10), text_align="center", max_width="380px"),
            *actions,
            spacing="3",
            align="center",
        ),
        padding="48px",
        width="100%",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="var(--radius-4)",
    )


def new_ticket_button(href: str) -> rx.Component:
    """The primary action of a ticket list: file a new one."""
    return rx.link(rx.button(rx.icon("plus", size=16), "New ticket", size="2"), href=href)
