"""A drag-and-drop reorderable list: @dnd-kit wrapped through the JSX glue beside this file.

`sortable_list(items=[{key, label, archived?}, ...], on_reorder=handler)`: each row has a handle
button labelled "Drag <label>" (pointer drag, or keyboard: Space to lift, arrows, Space to drop);
`on_reorder` receives the full new list of keys. Archived items are left out of the list.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import passthrough_event_spec


class SortableList(rx.Component):
    """`SortableList` from sortable_list.jsx (DndContext + SortableContext, pointer and keyboard sensors)."""

    library = rx.asset("sortable_list.jsx", shared=True).importable_path
    tag = "SortableList"
    is_default = False
    lib_dependencies: list[str] = [
        "@dnd-kit/core@6.3.1",
        "@dnd-kit/sortable@10.0.0",
        "@dnd-kit/utilities@3.2.2",
    ]

    items: rx.Var[list[Any]]

    on_reorder: rx.EventHandler[passthrough_event_spec(list[str])]


sortable_list = SortableList.create
