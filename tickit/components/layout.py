"""The application shell: a sidebar that shows what the role may use, and the page frame.

Below the `NARROW` breakpoint (phones, tablets upright) the sidebar folds into a top bar: the brand and the
bell stay in view, the navigation and the user block move into a drawer behind a menu button, and the
content takes the whole width.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.breakpoints import Breakpoints

from tickit import routes
from tickit.components.availability_toggle import availability_toggle
from tickit.components.bell import bell
from tickit.components.brand import brand
from tickit.components.link_button import link_button
from tickit.components.post_form import post_form
from tickit.components.saved_views import sidebar_views
from tickit.labels import ROLE_LABELS
from tickit.state.session import SessionState

SIDEBAR_WIDTH = "248px"


def responsive(narrow, wide) -> Breakpoints:
    """A style value: `narrow` on phones and upright tablets, `wide` from the breakpoint (62em, 992 px) up."""
    return rx.breakpoints(initial=narrow, md=wide)


def wide_only(value: str) -> Breakpoints:
    """`value` from the breakpoint up, `none` below it (for display, borders)."""
    return responsive("none", value)


def narrow_only(value: str) -> Breakpoints:
    """`value` below the breakpoint, `none` from it up."""
    return responsive(value, "none")


def _nav_link(label: str, href: str, icon: str, exact: bool = False, in_drawer: bool = False) -> rx.Component:
    path = SessionState.router.url.path
    # The static build serves a page at its path with a trailing slash: "/tickets/" is "/tickets".
    here = (path == href) | (path == href + "/")
    active = here if exact else here | path.startswith(href + "/")
    link = rx.link(
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
        aria_current=rx.cond(active, "page", None),
    )
    # In the drawer a chosen link also closes it (the drawer's Close takes the link as its own element).
    return rx.drawer.close(link) if in_drawer else link


def _section(title: str) -> rx.Component:
    return rx.text(
        title,
        size="1",
        weight="bold",
        color=rx.color("gray", 11),
        padding_x="12px",
        padding_top="16px",
        padding_bottom="4px",
        text_transform="uppercase",
        letter_spacing="0.06em",
    )


def _client_nav(in_drawer: bool) -> rx.Component:
    return rx.vstack(
        _section("Support"),
        _nav_link("My tickets", routes.PORTAL, "inbox", exact=True, in_drawer=in_drawer),
        _nav_link("New ticket", routes.PORTAL_NEW_TICKET, "circle-plus", in_drawer=in_drawer),
        spacing="1",
        width="100%",
    )


def _staff_nav(in_drawer: bool) -> rx.Component:
    return rx.vstack(
        _section("Work"),
        _nav_link("Tickets", routes.TICKETS, "list-todo", exact=True, in_drawer=in_drawer),
        _nav_link("Board", routes.TICKETS_BOARD, "square-kanban", in_drawer=in_drawer),
        _nav_link("Workload", routes.TICKETS_WORKLOAD, "gauge", in_drawer=in_drawer),
        _nav_link("Canned replies", routes.TICKETS_REPLIES, "message-square-text", in_drawer=in_drawer),
        _nav_link("Analytics", routes.ANALYTICS, "chart-line", in_drawer=in_drawer),
        _nav_link("New ticket", routes.TICKETS_NEW, "circle-plus", in_drawer=in_drawer),
        _section("Views"),
        sidebar_views(in_drawer),
        rx.cond(
            SessionState.user_role == "admin",
            rx.vstack(
                _section("Administration"),
                _nav_link("Overview", routes.ADMIN, "layout-dashboard", exact=True, in_drawer=in_drawer),
                _nav_link("Users", routes.ADMIN_USERS, "users", in_drawer=in_drawer),
                _nav_link("Projects", routes.ADMIN_PROJECTS, "folder-kanban", in_drawer=in_drawer),
                _nav_link("Organisations", routes.ADMIN_ORGANISATIONS, "building-2", in_drawer=in_drawer),
                _nav_link("Audit log", routes.ADMIN_AUDIT, "scroll-text", in_drawer=in_drawer),
                spacing="1",
                width="100%",
            ),
        ),
        rx.cond(
            SessionState.configures_projects,
            rx.vstack(
                _section("Administration"),
                _nav_link("Project settings", routes.ADMIN_PROJECTS, "settings", in_drawer=in_drawer),
                spacing="1",
                width="100%",
            ),
        ),
        spacing="1",
        width="100%",
    )


def _role_label() -> rx.Var:
    return rx.match(SessionState.user_role, *ROLE_LABELS.items(), SessionState.user_role)


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
                        color=rx.color("gray", 11),
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
        rx.cond((SessionState.user_role == "agent") | (SessionState.user_role == "admin"), availability_toggle()),
        rx.hstack(
            rx.badge(
                _role_label(),
                variant="soft",
                high_contrast=True,
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


def _nav(in_drawer: bool = False) -> rx.Component:
    return rx.el.nav(
        rx.cond(SessionState.user_role == "client", _client_nav(in_drawer), _staff_nav(in_drawer)),
        aria_label="Main",
        width="100%",
        padding_x="8px",
    )


def _menu_drawer() -> rx.Component:
    """The menu button of the top bar, and the drawer it opens from the left with the navigation."""
    return rx.drawer.root(
        rx.drawer.trigger(
            rx.icon_button(rx.icon("menu", size=18), variant="ghost", color_scheme="gray", size="2", aria_label="Menu"),
        ),
        rx.drawer.overlay(z_index="40", background="rgba(0, 0, 0, 0.45)"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.flex(
                    rx.hstack(
                        rx.drawer.title(brand("small")),
                        rx.spacer(),
                        rx.drawer.close(
                            rx.icon_button(
                                rx.icon("x", size=18),
                                variant="ghost",
                                color_scheme="gray",
                                size="2",
                                aria_label="Close menu",
                            )
                        ),
                        align="center",
                        width="100%",
                        padding="16px 12px 8px",
                    ),
                    _nav(in_drawer=True),
                    rx.spacer(),
                    _user_block(),
                    direction="column",
                    height="100%",
                    width="100%",
                    overflow_y="auto",
                ),
                width="min(300px, 85vw)",
                right="auto",
                background=rx.color("gray", 2),
                border_right=f"1px solid {rx.color('gray', 5)}",
                aria_label="Menu",
            ),
        ),
        direction="left",
    )


def sidebar() -> rx.Component:
    """The sidebar from the breakpoint up; below it, the top bar with the menu button."""
    return rx.flex(
        rx.hstack(
            rx.box(_menu_drawer(), display=narrow_only("block")),
            rx.link(brand("small"), href=SessionState.home_path, underline="none", color=rx.color("gray", 12)),
            rx.spacer(),
            rx.cond(SessionState.user_role != "", bell()),
            align="center",
            width="100%",
            padding=responsive("8px 12px", "16px 12px 8px"),
            spacing="3",
        ),
        # The nav scrolls on its own when its views outgrow the window, so it never runs under the user block.
        rx.box(_nav(), display=wide_only("block"), width="100%", flex="1", min_height="0", overflow_y="auto"),
        rx.box(_user_block(), display=wide_only("block"), width="100%"),
        direction="column",
        width=responsive("100%", SIDEBAR_WIDTH),
        min_width=responsive("0", SIDEBAR_WIDTH),
        height=responsive("auto", "100vh"),
        position="sticky",
        top="0",
    )


def page_header(title: str, subtitle: str | rx.Var = "", *actions: rx.Component) -> rx.Component:
    """The page's title (its one h1) with a line beneath; the actions wrap below it on a narrow screen."""
    return rx.flex(
        rx.vstack(
            rx.heading(title, size="6", weight="bold", as_="h1"),
            rx.cond(subtitle != "", rx.text(subtitle, size="2", color=rx.color("gray", 11)))
            if isinstance(subtitle, rx.Var) or subtitle
            else rx.fragment(),
            spacing="1",
            flex="1",
            min_width="min(100%, 240px)",
        ),
        *actions,
        width="100%",
        align="end",
        wrap="wrap",
        gap="3",
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
                rx.heading("You don't have access to this page", size="5", text_align="center", as_="h1"),
                rx.text(
                    "You are signed in as ",
                    rx.text.strong(SessionState.user_email),
                    " (",
                    _role_label(),
                    "). This part of TickIt is for other roles.",
                    size="2",
                    color=rx.color("gray", 11),
                    text_align="center",
                ),
                link_button("Go to your start page", href=SessionState.home_path, size="2"),
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
        rx.flex(
            # Wide: the column stretches with the page and the sidebar inside it stays in view while
            # scrolling. Narrow: it is the top bar, kept in view above the content.
            rx.box(
                sidebar(),
                align_self="stretch",
                position=responsive("sticky", "static"),
                top="0",
                z_index=responsive("20", "auto"),
                background=rx.color("gray", 2),
                border_right=wide_only(f"1px solid {rx.color('gray', 5)}"),
                border_bottom=narrow_only(f"1px solid {rx.color('gray', 5)}"),
            ),
            rx.el.main(
                rx.cond(SessionState.access == "allowed", rx.box(*content, width="100%"), not_allowed()),
                flex="1",
                min_width="0",
                width="100%",
                padding=rx.breakpoints(initial="16px", sm="24px 32px", md="32px 40px"),
                max_width="none" if wide else "1200px",
            ),
            direction=responsive("column", "row"),
            align="start",
            width="100%",
            min_height="100vh",
            background=rx.color("gray", 1),
        ),
    )


def with_side_panel(head: rx.Component, body: rx.Component, side: rx.Component, side_width: str) -> rx.Component:
    """A ticket's page: its head and conversation, with the side panel (status, people, fields) beside both.

    On a narrow screen the panel comes between the head and the conversation, full width, so what the
    ticket is and where it stands are read before the thread.
    """
    return rx.box(
        rx.box(head, grid_area="head", min_width="0"),
        rx.box(
            side,
            grid_area="side",
            min_width="0",
            align_self="start",
            position=responsive("static", "sticky"),
            top="24px",
        ),
        rx.box(body, grid_area="body", min_width="0"),
        display="grid",
        grid_template_columns=responsive("minmax(0, 1fr)", f"minmax(0, 1fr) {side_width}"),
        grid_template_areas=responsive('"head" "side" "body"', '"head side" "body side"'),
        grid_template_rows=responsive("auto", "auto 1fr"),
        column_gap="24px",
        row_gap="16px",
        width="100%",
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
            rx.heading(title, size="4", as_="h2"),
            rx.text(text, size="2", color=rx.color("gray", 11), text_align="center", max_width="380px"),
            *actions,
            spacing="3",
            align="center",
        ),
        padding=responsive("32px 16px", "48px"),
        width="100%",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="var(--radius-4)",
    )


def new_ticket_button(href: str) -> rx.Component:
    """The primary action of a ticket list: file a new one."""
    return link_button(rx.icon("plus", size=16), "New ticket", href=href, size="2")
