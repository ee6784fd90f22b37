"""Inputs for a ticket type's custom fields, one kind per field type, labelled and with their errors."""

from __future__ import annotations

import reflex as rx


def _label(field) -> rx.Component:
    # The marker stays outside the <label>, so the field's accessible name is its label alone.
    return rx.hstack(
        rx.el.label(rx.text(field.label, size="2", weight="medium"), html_for=field.name),
        rx.cond(field.required, rx.text("*", size="2", color=rx.color("red", 10), aria_hidden="true")),
        spacing="1",
        align="baseline",
    )


def _options_as_checkboxes(field) -> rx.Component:
    return rx.flex(
        rx.foreach(
            field.options,
            lambda option: rx.text(
                rx.flex(rx.checkbox(name=field.name, value=option[0]), option[1], spacing="2", align="center"),
                as_="label",
                size="2",
            ),
        ),
        role="group",
        aria_label=field.label,
        direction="column",
        gap="2",
        padding_y="4px",
    )


def _control(field) -> rx.Component:
    text_like = {"id": field.name, "name": field.name, "width": "100%", "size": "3"}
    return rx.match(
        field.type,
        ("long_text", rx.text_area(rows="4", **text_like)),
        ("number", rx.input(type="number", step="any", **text_like)),
        ("date", rx.input(type="date", **text_like)),
        ("url", rx.input(type="url", placeholder="https://", **text_like)),
        ("email", rx.input(type="email", placeholder="name@company.com", **text_like)),
        (
            "select",
            rx.select.root(
                rx.select.trigger(id=field.name, placeholder="Choose…", width="100%"),
                rx.select.content(rx.foreach(field.options, lambda option: rx.select.item(option[1], value=option[0]))),
                name=field.name,
                size="3",
            ),
        ),
        ("multi_select", _options_as_checkboxes(field)),
        ("checkbox", rx.checkbox(id=field.name, name=field.name, size="2")),
        rx.input(max_length=500, **text_like),
    )


def custom_field(field) -> rx.Component:
    """One custom field of the form, keyed by its form name so switching types keeps shared fields' input."""
    return rx.vstack(
        rx.cond(
            field.type == "checkbox",
            rx.hstack(_control(field), _label(field), align="center", spacing="2"),
            rx.fragment(_label(field), _control(field)),
        ),
        rx.cond(field.error != "", rx.text(field.error, size="1", color=rx.color("red", 11), role="alert")),
        spacing="1",
        width="100%",
        align="stretch",
        key=field.name,
    )
