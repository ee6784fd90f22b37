"""/tickets/board: the Kanban board of one project's ticket type, with filters."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.kanban import kanban
from tickit.components.layout import app_page, empty_state, page_header
from tickit.components.live import ticker
from tickit.labels import PRIORITY_LABELS
from tickit.state.board import ANY_PRIORITY, ANYONE, CARD_STEP, POLL_SECONDS, PRIORITIES
from tickit.state.board import BoardState as S


def _select(label: str, value, on_change, *items: rx.Component, width: str = "160px") -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=label, width=width),
        rx.select.content(*items),
        value=value,
        on_change=on_change,
        size="2",
    )


def _filters() -> rx.Component:
    return rx.hstack(
        _select(
            "Board",
            S.choice,
            S.choose,
            rx.foreach(S.choices, lambda choice: rx.select.item(choice[1], value=choice[0])),
            width="240px",
        ),
        rx.separator(orientation="vertical", size="1", height="24px"),
        _select(
            "Assignee",
            S.assignee,
            S.set_assignee,
            rx.select.item("Anyone", value=ANYONE),
            rx.select.item("Mine", value="mine"),
            rx.select.item("Unassigned", value="unassigned"),
            rx.select.separator(),
            rx.foreach(S.agents, lambda agent: rx.select.item(agent[1], value=agent[0])),
        ),
        _select(
            "Priority",
            S.priority,
            S.set_priority,
            rx.select.item("Any priority", value=ANY_PRIORITY),
            *[rx.select.item(PRIORITY_LABELS[p], value=p) for p in PRIORITIES],
            width="140px",
        ),
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            placeholder="Title or number",
            value=S.text,
            on_change=S.set_text,
            debounce_timeout=300,
            aria_label="Search",
            width="220px",
        ),
        rx.cond(
            (S.assignee != ANYONE) | (S.priority != ANY_PRIORITY) | (S.text != ""),
            rx.button("Clear filters", variant="ghost", size="2", on_click=S.clear_filters),
        ),
        spacing="3",
        align="center",
        wrap="wrap",
        padding_bottom="16px",
    )


def board_page() -> rx.Component:
    return app_page(
        page_header("Board", "Drag a card to move it along its workflow; drop it within a column to reorder."),
        rx.cond(
            S.choices.length() > 0,
            rx.box(
                _filters(),
                kanban(
                    columns=S.columns,
                    legal_moves=S.legal_moves,
                    revision=S.revision,
                    href_prefix=routes.TICKETS + "/",
                    show_step=CARD_STEP,
                    on_move=S.move,
                    on_show_more=S.show_more,
                ),
                ticker(seconds=POLL_SECONDS, on_tick=S.watch),
                width="100%",
            ),
            empty_state(
                "square-kanban",
                "No board to show",
                "Boards show the ticket types of the projects you work. An admin adds agents to projects under "
                "Projects → Members.",
            ),
        ),
        wide=True,  # six columns of 272 px: the board takes the whole window and scrolls sideways beyond it
    )
