"""The side-panel block of both ticket pages that lists the addresses in copy and, for who may, changes them."""

from __future__ import annotations

import reflex as rx

from tickit.components.comment_thread import panel_section


def _cc_row(S, email) -> rx.Component:
    return rx.hstack(
        rx.icon("mail", size=12, color=rx.color("gray", 11), flex_shrink="0"),
        rx.text(email, size="1", min_width="0", overflow_wrap="anywhere"),
        rx.spacer(),
        rx.cond(
            S.cc_manageable,
            rx.icon_button(
                rx.icon("x", size=12),
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=S.remove_cc(email),
                aria_label="Remove " + email + " from copy",
            ),
        ),
        align="center",
        width="100%",
    )


def _add_form(S) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.input(
                    name="email",
                    type="email",
                    placeholder="name@example.com",
                    size="1",
                    width="100%",
                    key=S.cc_form_key,
                    custom_attrs={"aria-label": "Address to put in copy"},
                ),
                rx.button(rx.icon("plus", size=12), "Add", size="1", variant="soft", type="submit"),
                width="100%",
                spacing="2",
            ),
            rx.cond(S.cc_error != "", rx.text(S.cc_error, size="1", color=rx.color("red", 11), role="alert")),
            spacing="1",
            width="100%",
        ),
        on_submit=S.add_cc,
        reset_on_submit=False,
        width="100%",
    )


def cc_section(S) -> rx.Component:
    """ "In copy": the addresses that get the public replies by mail, with add and remove for who may."""
    return panel_section(
        "In copy",
        rx.cond(
            S.ccs.length() > 0,
            rx.vstack(rx.foreach(S.ccs, lambda email: _cc_row(S, email)), spacing="1", width="100%"),
            rx.text("Nobody is in copy.", size="1", color=rx.color("gray", 11)),
        ),
        rx.cond(
            S.cc_manageable,
            rx.fragment(
                _add_form(S),
                rx.text(
                    "Addresses in copy get the public replies by mail and may answer them.",
                    size="1",
                    color=rx.color("gray", 11),
                ),
            ),
        ),
    )
