"""TickIt's logo: the ticket mark beside the name."""

from __future__ import annotations

import reflex as rx

_SIZES = {"small": ("30px", 18, "8px", "5", "2"), "large": ("40px", 22, "10px", "7", "3")}


def brand(size: str = "small") -> rx.Component:
    box, icon, radius, text, gap = _SIZES[size]
    return rx.hstack(
        rx.center(
            rx.icon("ticket-check", size=icon, color="white"),
            width=box,
            height=box,
            border_radius=radius,
            background=rx.color("accent", 9),
        ),
        rx.text("TickIt", size=text, weight="bold", letter_spacing="-0.01em"),
        spacing=gap,
        align="center",
    )
