"""Form building blocks: a labelled field with its error shown beneath it."""

from __future__ import annotations

import reflex as rx


def field(label: str, control: rx.Component, error: rx.Var, html_for: str, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=html_for),
        control,
        rx.cond(
            error != "",
            rx.text(error, size="1", color=rx.color("red", 11), role="alert"),
            rx.text(hint, size="1", color=rx.color("gray", 11)) if hint else rx.fragment(),
        ),
        spacing="1",
        width="100%",
        align="stretch",
    )


def form_error(error: rx.Var) -> rx.Component:
    return rx.cond(error != "", rx.callout(error, icon="triangle-alert", color_scheme="red", role="alert", size="1"))


def dialog_actions(submit_label: str) -> rx.Component:
    """A dialog form's closing row: Cancel closes the dialog, the other button submits."""
    return rx.hstack(
        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
        rx.button(submit_label, type="submit"),
        justify="end",
        width="100%",
        spacing="3",
    )


def option_select(options: rx.Var, value: rx.Var, on_change, id: str, placeholder: str = "", size: str = "3"):
    """A select over `[key, label]` pairs, labelled by the <label for=id> beside it."""
    return rx.select.root(
        rx.select.trigger(id=id, width="100%", placeholder=placeholder),
        rx.select.content(rx.foreach(options, lambda option: rx.select.item(option[1], value=option[0]))),
        value=value,
        on_change=on_change,
        size=size,
    )
