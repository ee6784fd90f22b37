"""A rich-text comment editor: Tiptap wrapped through the JSX glue beside this file.

`rich_editor(content="", mentionables=[{id, label}], clear_key=n, placeholder=..., label=..., on_change=handler)`:
a toolbar (bold, italic, code, lists, quote, link), `@` offers the mentionables, and `on_change` receives
the HTML (throttled while typing, at once on blur; "" when empty). Changing `clear_key` empties the editor,
so a state clears it after posting by incrementing a counter. `commands=[{id, label, hint}]` is the `/` menu
(and a toolbar button for touch screens): choosing one sends `on_command(id)`; the state answers by changing
`insert={key, html}`, whose html the editor then inserts at the cursor.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import passthrough_event_spec

TIPTAP_VERSION = "3.34.0"  # one version for every @tiptap package: they must match exactly


class RichEditor(rx.Component):
    """`RichEditor` from rich_editor.jsx (useEditor with StarterKit, Link and Mention)."""

    library = rx.asset("rich_editor.jsx", shared=True).importable_path
    tag = "RichEditor"
    is_default = False
    lib_dependencies: list[str] = [
        f"@tiptap/core@{TIPTAP_VERSION}",
        f"@tiptap/react@{TIPTAP_VERSION}",
        f"@tiptap/pm@{TIPTAP_VERSION}",
        f"@tiptap/starter-kit@{TIPTAP_VERSION}",
        f"@tiptap/extension-link@{TIPTAP_VERSION}",
        f"@tiptap/extension-mention@{TIPTAP_VERSION}",
        f"@tiptap/suggestion@{TIPTAP_VERSION}",
    ]

    content: rx.Var[str]
    mentionables: rx.Var[list[dict[str, Any]]]
    commands: rx.Var[list[dict[str, Any]]]
    insert: rx.Var[dict[str, Any]]
    clear_key: rx.Var[int]
    placeholder: rx.Var[str]
    label: rx.Var[str]

    on_change: rx.EventHandler[passthrough_event_spec(str)]
    on_command: rx.EventHandler[passthrough_event_spec(int)]


rich_editor = RichEditor.create
