"""A Kanban board: @dnd-kit wrapped through the JSX glue beside this file.

`kanban(columns=[{key, name, color, count, cards: [...]}, ...], legal_moves={status: [targets]},
href_prefix="/tickets/", on_move=handler)`: each card is a link to its ticket and a drag handle
(pointer drag, or keyboard: Space to lift, arrows, Space to drop). While a card is lifted the columns it
may move to are highlighted and the others dimmed. `on_move` receives `{number, to_status, after,
before}`, the neighbours' numbers at the drop position (None at an end). Cards never change column
in the browser; the server's answer re-renders the board.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import passthrough_event_spec


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
    href_prefix: rx.Var[str]

    on_move: rx.EventHandler[passthrough_event_spec(dict[str, Any])]


kanban = Kanban.create
