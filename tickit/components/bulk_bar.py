"""The staff list's bulk bar: how many rows are ticked, what to do to them, progress, and what did not apply."""

from __future__ import annotations

import reflex as rx

from tickit.labels import PRIORITY_LABELS
from tickit.services import bulk
from tickit.state.bulk_actions import BulkState as B
from tickit.state.tickets import StaffTicketsState as S


def _menu(label: str, icon: str, *items: rx.Component) -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.button(rx.icon(icon, size=14), label, rx.icon("chevron-down", size=12), variant="soft", size="2"),
            disabled=B.running,
        ),
        rx.dropdown_menu.content(*items, max_height="min(60vh, 420px)", overflow_y="auto"),
    )


def _item(label, action: str, value) -> rx.Component:
    return rx.dropdown_menu.item(label, on_click=B.start(action, value))


def _tags_form() -> rx.Component:
    """Tags to add or remove, comma-separated: the two buttons say which."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(rx.icon("tags", size=14), "Tags", variant="soft", size="2", disabled=B.running),
        ),
        rx.popover.content(
            rx.vstack(
                rx.input(
                    id="bulk-tags",
                    placeholder="vip, billing",
                    aria_label="Tags for the selected tickets",
                    max_length=400,
                    width="100%",
                    size="2",
                ),
                rx.hstack(
                    rx.popover.close(
                        rx.button(
                            "Add",
                            size="2",
                            on_click=B.start(bulk.ADD_TAGS, rx.Var("document.getElementById('bulk-tags').value")),
                        )
                    ),
                    rx.popover.close(
                        rx.button(
                            "Remove",
                            size="2",
                            variant="soft",
                            color_scheme="red",
                            on_click=B.start(bulk.REMOVE_TAGS, rx.Var("document.getElementById('bulk-tags').value")),
                        )
                    ),
                    spacing="2",
                ),
                spacing="2",
            ),
            width="min(280px, 90vw)",
        ),
    )


def _macro_menu() -> rx.Component:
    """The macros of the selection's project, each with what it does; or why none applies."""
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.button(
                rx.icon("wand-sparkles", size=14), "Macro", rx.icon("chevron-down", size=12), variant="soft", size="2"
            ),
            disabled=B.running,
        ),
        rx.dropdown_menu.content(
            rx.cond(
                B.macro_refusal != "",
                rx.box(
                    rx.text(B.macro_refusal, size="2", color=rx.color("gray", 11)),
                    padding="8px",
                    max_width="min(320px, 85vw)",
                    role="status",
                ),
            ),
            rx.foreach(
                B.macro_options,
                lambda macro: rx.dropdown_menu.item(
                    rx.vstack(
                        rx.text(macro[1], size="2", weight="medium"),
                        rx.text(macro[2], size="1", color=rx.color("gray", 11)),
                        spacing="0",
                        align="start",
                    ),
                    on_click=B.start(bulk.MACRO, macro[0]),
                    height="auto",
                    padding_y="6px",
                    aria_label=macro[1],
                ),
            ),
            max_height="min(60vh, 420px)",
            overflow_y="auto",
            max_width="min(360px, 90vw)",
        ),
        on_open_change=B.load_macros,
    )


def _actions() -> rx.Component:
    return rx.flex(
        _menu(
            "Assign",
            "user-round",
            _item("Me", bulk.ASSIGN, bulk.ASSIGN_ME),
            _item("Unassigned", bulk.ASSIGN, bulk.UNASSIGN),
            rx.cond(S.assignee_options.length() > 0, rx.dropdown_menu.separator()),
            rx.foreach(S.assignee_options, lambda agent: _item(agent[1], bulk.ASSIGN, agent[0])),
        ),
        _menu(
            "Priority",
            "signal",
            *[_item(label, bulk.PRIORITY, key) for key, label in PRIORITY_LABELS.items()],
        ),
        _menu(
            "Status",
            "arrow-right",
            rx.foreach(S.status_options, lambda status: _item(status[1], bulk.STATUS, status[0].split(":")[1])),
        ),
        _tags_form(),
        _macro_menu(),
        rx.button(
            rx.icon("circle-check", size=14),
            "Close",
            variant="soft",
            size="2",
            on_click=B.start(bulk.CLOSE, ""),
            disabled=B.running,
        ),
        gap="8px",
        wrap="wrap",
        align="center",
    )


def _selection() -> rx.Component:
    count = B.selected.length()
    return rx.flex(
        rx.text(
            rx.cond(B.all_matching, "All ", ""),
            count,
            " selected",
            weight="medium",
            size="2",
            white_space="nowrap",
            aria_live="polite",
        ),
        rx.cond(
            ~B.all_matching,
            rx.button("Select all matching", variant="ghost", size="1", on_click=B.pick_all_matching),
        ),
        rx.button("Clear", variant="ghost", size="1", color_scheme="gray", on_click=B.clear_selection),
        gap="8px",
        align="center",
        wrap="wrap",
    )


def _progress() -> rx.Component:
    return rx.hstack(
        rx.progress(value=B.progress, max=100, width="160px", aria_label="Bulk action progress"),
        rx.text(B.done, " of ", B.total, size="2", color=rx.color("gray", 11), white_space="nowrap"),
        align="center",
        spacing="2",
    )


def _summary() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("list-checks")),
        rx.flex(
            rx.vstack(
                rx.callout.text(
                    B.summary,
                    rx.cond(B.unchanged > 0, rx.text.span(" ", B.unchanged, " already were so.")),
                    rx.cond(B.skipped.length() > 0, rx.text.span(" ", B.skipped.length(), " did not apply:")),
                    weight="medium",
                ),
                rx.cond(
                    B.skipped.length() > 0,
                    rx.el.ul(
                        rx.foreach(
                            B.skipped,
                            lambda row: rx.el.li(row.reason),
                        ),
                        style={"margin": "0", "padding_left": "18px", "overflow_wrap": "anywhere"},
                    ),
                ),
                spacing="1",
                min_width="0",
            ),
            rx.icon_button(
                rx.icon("x", size=14),
                variant="ghost",
                color_scheme="gray",
                size="1",
                on_click=B.dismiss_summary,
                aria_label="Dismiss",
            ),
            justify="between",
            gap="8px",
            width="100%",
        ),
        color_scheme=rx.cond(B.skipped.length() > 0, "amber", "green"),
        size="1",
        width="100%",
        aria_label="Bulk action summary",
    )


def bulk_bar() -> rx.Component:
    """Shown while rows are ticked or a run's summary waits to be read."""
    return rx.vstack(
        rx.cond(B.summary != "", _summary()),
        rx.cond(
            (B.selected.length() > 0) | B.running,
            rx.flex(
                _selection(),
                rx.cond(B.running, _progress(), _actions()),
                gap="12px",
                align="center",
                justify="between",
                wrap="wrap",
                padding="8px 12px",
                border_radius="var(--radius-3)",
                background=rx.color("accent", 2),
                border=f"1px solid {rx.color('accent', 5)}",
                width="100%",
                role="toolbar",
                aria_label="Bulk actions",
            ),
        ),
        spacing="2",
        width="100%",
        padding_bottom="8px",
    )
