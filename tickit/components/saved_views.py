"""The sidebar's saved views, with live counts, and the list's "Save view" dialog."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.live import ticker
from tickit.state.saved_views import POLL_SECONDS
from tickit.state.saved_views import SavedViewsState as V
from tickit.state.session import SessionState
from tickit.state.tickets import StaffTicketsState


def _view(line, in_drawer: bool) -> rx.Component:
    # The list's own address for what it shows (a bare /tickets shows "My open tickets").
    path = SessionState.router.url.path
    on_list = (path == routes.TICKETS) | (path == routes.TICKETS + "/")  # the static build adds the slash
    active = on_list & (StaffTicketsState.list_path == line.url)
    link = rx.link(
        rx.hstack(
            rx.text(
                line.name,
                size="2",
                weight="medium",
                flex="1",
                min_width="0",
                style={"white_space": "nowrap", "overflow": "hidden", "text_overflow": "ellipsis"},
            ),
            rx.cond(line.shared_with != "", rx.text(line.shared_with, size="1", color=rx.color("gray", 11))),
            rx.badge(line.count, variant="soft", color_scheme="gray", radius="full", size="1"),
            spacing="2",
            align="center",
            width="100%",
        ),
        href=line.url,
        underline="none",
        padding_x="12px",
        padding_y="6px",
        border_radius="var(--radius-3)",
        width="100%",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        _hover={"background": rx.color("gray", 3), "color": rx.color("gray", 12)},
        aria_label=line.name + ", " + line.count + " tickets",
    )
    link = rx.drawer.close(link) if in_drawer else link
    if in_drawer:
        return link
    # Reordering: the arrows show on hover or keyboard focus, beside the link (never for the built-in view).
    return rx.hstack(
        link,
        rx.cond(
            line.id != 0,
            rx.hstack(
                rx.icon_button(
                    rx.icon("chevron-up", size=12),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=V.move(line.id, -1),
                    aria_label="Move " + line.name + " up",
                ),
                rx.icon_button(
                    rx.icon("chevron-down", size=12),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=V.move(line.id, 1),
                    aria_label="Move " + line.name + " down",
                ),
                spacing="0",
                class_name="view-order",
            ),
        ),
        spacing="0",
        align="center",
        width="100%",
        class_name="view-line",
    )


def sidebar_views(in_drawer: bool) -> rx.Component:
    """The "Views" section of the staff sidebar; its ticker keeps the counts current."""
    return rx.vstack(
        rx.foreach(V.lines, lambda line: _view(line, in_drawer)),
        *([] if in_drawer else [ticker(seconds=POLL_SECONDS, on_tick=V.watch)]),
        spacing="1",
        width="100%",
        aria_label="Views",
        role="navigation",
        on_mount=None if in_drawer else V.watch,
    )


def save_view_button(projects) -> rx.Component:
    """The list's "Save view" dialog: a name, and whether the view is one's own or shared with a project."""
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(rx.icon("bookmark-plus", size=14), "Save view", variant="soft", color_scheme="gray", size="2")
        ),
        rx.dialog.content(
            rx.dialog.title("Save this view", size="4"),
            rx.dialog.description(
                "The list's filters and sort, under a name in the sidebar with a live count.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.form(
                rx.vstack(
                    rx.el.label(rx.text("Name", size="2", weight="medium"), html_for="view-name"),
                    rx.input(id="view-name", name="name", max_length=60, size="3", width="100%", auto_focus=True),
                    rx.el.label(rx.text("Who sees it", size="2", weight="medium"), html_for="view-share"),
                    rx.select.root(
                        rx.select.trigger(id="view-share", aria_label="Who sees it", width="100%"),
                        rx.select.content(
                            rx.select.item("Only me", value="mine"),
                            rx.foreach(projects, lambda p: rx.select.item("Agents of " + p[1], value=p[0])),
                        ),
                        name="share",
                        default_value="mine",
                        size="3",
                    ),
                    rx.cond(V.error != "", rx.text(V.error, size="2", color=rx.color("red", 11), role="alert")),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
                        rx.button("Save", type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=V.save,
                reset_on_submit=False,
            ),
            max_width="440px",
        ),
        open=V.save_open,
        on_open_change=V.set_save_open,
    )
