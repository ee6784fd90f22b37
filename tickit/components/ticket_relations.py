"""The ticket page's "Links" section: linked tickets both ways, a form to add one, and the merge."""

from __future__ import annotations

import reflex as rx

from tickit.components.comment_thread import panel_section
from tickit.components.confirm import confirm
from tickit.state.ticket_page import TicketState as T
from tickit.state.ticket_relations import LINK_KINDS
from tickit.state.ticket_relations import TicketRelationsState as R


def _link_row(link) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(link.label, size="1", color=rx.color("gray", 11)),
            rx.link(
                rx.text(rx.text.strong(link.number), " ", link.title, size="2"),
                href=link.url,
                text_decoration=rx.cond(link.done, "line-through", "none"),
                overflow_wrap="anywhere",
            ),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        rx.icon_button(
            rx.icon("x", size=12),
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=R.remove_link(link.id),
            aria_label="Remove link to " + link.number,
        ),
        align="center",
        width="100%",
    )


def _error(message) -> rx.Component:
    return rx.cond(message != "", rx.text(message, size="1", color=rx.color("red", 11), role="alert"))


def _add_link() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.select.root(
                rx.select.trigger(aria_label="Link kind", width="120px"),
                rx.select.content(*[rx.select.item(label, value=kind) for kind, label in LINK_KINDS]),
                value=R.link_kind,
                on_change=R.set_link_kind,
                size="1",
            ),
            rx.input(
                placeholder="HH-42",
                value=R.link_number,
                on_change=R.set_link_number,
                size="1",
                flex="1",
                min_width="0",
                custom_attrs={"aria-label": "Ticket to link"},
            ),
            rx.button("Link", size="1", variant="soft", on_click=R.add_link),
            gap="2",
            width="100%",
        ),
        _error(R.link_error),
        spacing="1",
        width="100%",
    )


def _merge() -> rx.Component:
    return rx.vstack(
        rx.text("Merge this ticket into", size="1", color=rx.color("gray", 11)),
        rx.flex(
            rx.input(
                placeholder="HH-42",
                value=R.merge_into,
                on_change=R.set_merge_into,
                size="1",
                flex="1",
                min_width="0",
                custom_attrs={"aria-label": "Merge into ticket"},
            ),
            confirm(
                rx.button(rx.icon("merge", size=12), "Merge…", size="1", variant="outline", color_scheme="red"),
                title=["Merge ", T.number, " into ", R.merge_into, "?"],
                consequence=(
                    "Its comments and files move there, it closes, and its number (in mail and the API) "
                    "leads there from now on. This cannot be undone."
                ),
                action="Merge",
                on_confirm=R.merge,
            ),
            gap="2",
            width="100%",
        ),
        _error(R.merge_error),
        spacing="1",
        width="100%",
    )


def ticket_relations() -> rx.Component:
    """The section for the side panel."""
    return panel_section(
        "Links",
        rx.cond(
            T.links.length() > 0,
            rx.vstack(rx.foreach(T.links, _link_row), spacing="2", width="100%"),
            rx.text("No linked tickets.", size="1", color=rx.color("gray", 11)),
        ),
        _add_link(),
        rx.separator(size="4"),
        _merge(),
    )
