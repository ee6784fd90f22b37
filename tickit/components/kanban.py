"""A Kanban board: @dnd-kit wrapped through the JSX glue beside this file.

`kanban(columns=[{key, name, color, count, cards: [...]}, ...], legal_moves={status: [targets]},
revision=n, href_prefix="/tickets/", show_step=50, on_move=handler, on_show_more=handler)`: each card
is a link to its ticket and a drag handle (pointer drag, or keyboard: Space to lift, arrows, Space to
drop). While a card is lifted the columns it may move to are highlighted and the others dimmed.

A column may hold fewer cards than its count: a "Show N more" button (N up to `show_step`) then
calls `on_show_more(column key)`. A drop on the card's own column or a legal one is drawn at once
and `on_move` receives `{number, to_status, after, before}`, the neighbours' numbers at the drop
position (None at an end); a drop on an illegal column is only reported. Whenever `revision`
changes the board shows the server's columns again, so a refused drop snaps back. The cards'
priority badges read and look as everywhere else: `create` passes them from tickit.labels.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import passthrough_event_spec

from tickit.labels import PRIORITY_BADGES


class Kanban(rx.Component):
    """`Kanban` from kanban.jsx (DndContext, one SortableContext per column, a DragOverlay)."""

    library = rx.asset("kanban.jsx", shared=True).importable_path
    tag = "Kanban"
    is_default = False
    # The same pins as sortable_list.py: one copy of @dnd-kit in the bundle.
    lib_dependencies: list[str] = [
        "@dnd-kit/core@6.3.1",
        "@dnd-kit/sortable@10.0.0",
        "@dnd-kit/utilities@3.2.2",
    ]

    columns: rx.Var[list[Any]]
    legal_moves: rx.Var[dict[str, list[str]]]
    revision: rx.Var[int]
    href_prefix: rx.Var[str]
    show_step: rx.Var[int]
    priorities: rx.Var[dict[str, dict[str, str]]]  # {priority: {label, color}}

    on_move: rx.EventHandler[passthrough_event_spec(dict[str, Any])]
    on_show_more: rx.EventHandler[passthrough_event_spec(str)]


def kanban(**props: Any) -> rx.Component:
    """The board, its priority badges labelled and coloured as everywhere else (tickit.labels)."""
    return Kanban.create(priorities=PRIORITY_BADGES, **props)
