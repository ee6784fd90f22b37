"""The page for an address TickIt does not have: the brand, what happened, and ways on."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.brand import brand
from tickit.components.link_button import link_button


def not_found_page() -> rx.Component:
    # No state: the page must render for anyone, signed in or not. The start page sends each role on
    # to its own home (or to sign-in).
    return rx.center(
        rx.vstack(
            rx.link(brand("large"), href=routes.HOME, underline="none", color=rx.color("gray", 12)),
            rx.card(
                rx.vstack(
                    rx.center(
                        rx.icon("map-pin-off", size=24, color=rx.color("accent", 10)),
                        width="48px",
                        height="48px",
                        border_radius="12px",
                        background=rx.color("accent", 3),
                    ),
                    rx.text("Error 404", size="1", weight="bold", color=rx.color("gray", 11)),
                    rx.heading("Page not found", size="6", as_="h1"),
                    rx.text(
                        "There is nothing at this address. The link may be mistyped, or the page may have moved.",
                        size="2",
                        color=rx.color("gray", 11),
                        text_align="center",
                    ),
                    rx.el.nav(
                        rx.flex(
                            link_button(rx.icon("house", size=16), "Go to your start page", href=routes.HOME, size="3"),
                            rx.button(
                                rx.icon("arrow-left", size=16),
                                "Go back",
                                size="3",
                                variant="soft",
                                color_scheme="gray",
                                on_click=rx.call_script("window.history.back()"),
                            ),
                            gap="3",
                            wrap="wrap",
                            justify="center",
                        ),
                        aria_label="Ways on",
                        padding_top="8px",
                    ),
                    spacing="3",
                    align="center",
                    padding="8px",
                ),
                size="3",
                width="100%",
            ),
            spacing="5",
            align="center",
            width="100%",
            max_width="440px",
        ),
        min_height="100vh",
        padding="24px",
        background=rx.color("gray", 2),
    )
