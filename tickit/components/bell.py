"""The bell in the sidebar (the top bar on a phone): unread count, and a popover with the newest notifications."""

from __future__ import annotations

import reflex as rx

from tickit.components.live import ticker
from tickit.components.local_time import local_time
from tickit.models import Role
from tickit.state.bell import ALL, FOR_ME, POLL_SECONDS, BellState


def _entry(entry: rx.Var) -> rx.Component:
    unread = ~entry["read"].to(bool)
    body = rx.hstack(
        rx.box(
            width="8px",
            height="8px",
            min_width="8px",
            margin_top="6px",
            border_radius="50%",
            background=rx.cond(unread, rx.color("accent", 9), "transparent"),
        ),
        rx.vstack(
            rx.text(
                entry["summary"],
                size="2",
                weight=rx.cond(unread, "medium", "regular"),
                color=rx.cond(unread, rx.color("gray", 12), rx.color("gray", 11)),
            ),
            rx.text(local_time(entry["when"].to(str)), size="1", color=rx.color("gray", 11)),
            spacing="0",
            align="start",
        ),
        spacing="2",
        align="start",
        width="100%",
    )
    row_style = {
        "display": "block",
        "width": "100%",
        "padding": "8px 10px",
        "border_radius": "var(--radius-2)",
        "background": rx.cond(unread, rx.color("accent", 2), "transparent"),
        "_hover": {"background": rx.color("gray", 3)},
        "text_align": "left",
    }
    label = entry["summary"].to(str) + rx.cond(unread, ", unread", "")
    return rx.cond(
        entry["href"] != "",
        rx.link(
            body,
            href=entry["href"].to(str),
            on_click=BellState.open_entry(entry["id"]).prevent_default,
            underline="none",
            aria_label=label,
            **row_style,
        ),
        rx.el.button(
            body,
            type="button",
            on_click=BellState.open_entry(entry["id"]),
            aria_label=label,
            cursor="pointer",
            border="none",
            **row_style,
        ),
    )


def bell() -> rx.Component:
    """The bell button with its unread badge, counted when it appears and kept live by its ticker."""
    return rx.fragment(ticker(seconds=POLL_SECONDS, on_tick=BellState.watch), _popover())


def _popover() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("bell", size=18),
                rx.cond(
                    BellState.unread > 0,
                    rx.badge(BellState.badge, color_scheme="red", variant="solid", radius="full", size="1"),
                ),
                variant="ghost",
                color_scheme="gray",
                size="2",
                aria_label=BellState.label,
                title=BellState.label,
                on_mount=BellState.watch,
            ),
        ),
        rx.popover.content(
            rx.vstack(
                rx.hstack(
                    rx.heading("Notifications", size="3", as_="h2"),
                    rx.spacer(),
                    rx.button(
                        "Mark all read",
                        size="1",
                        variant="ghost",
                        on_click=BellState.mark_all_read,
                        disabled=BellState.unread == 0,
                    ),
                    align="center",
                    width="100%",
                    padding_x="6px",
                ),
                # A client hears only of their own tickets: everything is "for me".
                rx.cond(
                    BellState.user_role != Role.CLIENT,
                    rx.segmented_control.root(
                        rx.segmented_control.item("For me", value=FOR_ME),
                        rx.segmented_control.item("All", value=ALL),
                        value=BellState.tab,
                        on_change=BellState.set_tab,
                        size="1",
                        width="100%",
                        aria_label="Which notifications",
                    ),
                ),
                rx.cond(
                    BellState.entries.length() > 0,
                    rx.scroll_area(
                        rx.vstack(rx.foreach(BellState.entries, _entry), spacing="1", width="100%"),
                        type="auto",
                        scrollbars="vertical",
                        max_height="420px",
                    ),
                    rx.text(
                        rx.cond(
                            BellState.tab == FOR_ME,
                            "Nothing for you yet. Assignments, mentions and replies show up here.",
                            "Nothing yet. New tickets, assignments and replies show up here.",
                        ),
                        size="2",
                        color=rx.color("gray", 11),
                        padding="12px 6px",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            # Below the bell, kept on screen: at the top right of a phone as beside the sidebar's brand.
            side="bottom",
            align="end",
            collision_padding=8,
            width="min(360px, calc(100vw - 16px))",
            aria_label="Notifications",
        ),
        open=BellState.is_open,
        on_open_change=BellState.set_open,
    )
