"""The ticket page's lifecycle facts: when it closed, the requester's rating, the ticket it follows up."""

from __future__ import annotations

from typing import Any

import reflex as rx

from tickit import routes
from tickit.components.comment_thread import fact


def lifecycle_facts(state: Any) -> rx.Component:
    """`state` holds `closed_at` (ISO), `satisfaction` and `follow_up_of` ("" when none)."""
    return rx.fragment(
        fact("Closed", state.closed_at, is_time=True),
        fact("Rating", state.satisfaction),
        rx.cond(
            state.follow_up_of != "",
            rx.hstack(
                rx.text("Follow-up of", size="1", color=rx.color("gray", 11), min_width="104px"),
                rx.link(state.follow_up_of, href=f"{routes.TICKETS}/" + state.follow_up_of, size="1"),
                width="100%",
                align="baseline",
            ),
        ),
    )
