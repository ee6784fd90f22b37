"""One confirmation step before a move that is hard to take back: an alert dialog naming what will happen.

`confirm(trigger, title=..., consequence=..., action=..., on_confirm=handler)` wraps the button
that asks; its dialog says what will happen and offers Cancel (focused first, so Enter does not
confirm by accident) and the named action. For a control whose change needs a second thought only
sometimes (a role select, where only "admin" asks), leave out the trigger and drive the dialog with
`open` and `on_open_change` from state. A `choice` (a select, say) shows under the consequence.
"""

from __future__ import annotations

from typing import Any

import reflex as rx


def confirm(
    trigger: rx.Component | None = None,
    *,
    title: Any,
    consequence: Any,
    action: str,
    on_confirm: Any,
    danger: bool = True,
    open: Any = None,
    on_open_change: Any = None,
    choice: rx.Component | None = None,
) -> rx.Component:
    """The alert dialog; `title` and `consequence` may mix text and vars (a list is joined)."""
    parts = lambda value: value if isinstance(value, list | tuple) else [value]  # noqa: E731
    controlled: dict[str, Any] = {}
    if open is not None:
        controlled["open"] = open
    if on_open_change is not None:
        controlled["on_open_change"] = on_open_change
    return rx.alert_dialog.root(
        *([rx.alert_dialog.trigger(trigger)] if trigger is not None else []),
        rx.alert_dialog.content(
            rx.alert_dialog.title(*parts(title), size="4"),
            rx.alert_dialog.description(*parts(consequence), size="2"),
            *([rx.box(choice, margin_top="12px")] if choice is not None else []),
            rx.flex(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(action, color_scheme="red" if danger else "amber", on_click=on_confirm)
                ),
                justify="end",
                spacing="3",
                margin_top="16px",
                wrap="wrap",
            ),
            max_width="440px",
        ),
        **controlled,
    )
