"""A link that looks like a button: one element, so no button sits inside a link."""

from __future__ import annotations

import reflex as rx


def link_button(
    *children: rx.Component | str, href: str | rx.Var, reload_document: bool = False, **button_props
) -> rx.Component:
    """An `<a>` drawn as a Radix button (`variant`, `size`, `color_scheme` as for `rx.button`).

    Wrapping a button in a link nests one control in another (two tab stops, one of them meaningless to
    a screen reader); `as_child` makes the button lend its look to the link instead. `reload_document`
    for a backend route (a download), which the single-page app's router cannot open.
    """
    # The link takes the button's colour too: merged into one element, its own (the accent) would win.
    colour = {"color_scheme": button_props["color_scheme"]} if "color_scheme" in button_props else {}
    return rx.button(
        rx.link(*children, href=href, underline="none", reload_document=reload_document, **colour),
        as_child=True,
        **button_props,
    )
