"""The requester's "This is solved" and "Reopen" buttons on their portal ticket page."""

from __future__ import annotations

import reflex as rx

from tickit.components.confirm import confirm
from tickit.components.local_time import local_time
from tickit.state.portal_lifecycle import PortalLifecycleState as L


def requester_status_actions() -> rx.Component:
    """Shown only when the ticket's workflow offers the requester the move now."""
    return rx.vstack(
        rx.cond(
            L.can_close,
            confirm(
                rx.button(rx.icon("circle-check", size=14), "This is solved", variant="soft", size="2", width="100%"),
                title="Close this request?",
                consequence="The team stops working on it. You can reopen it for a while if you need to.",
                action="Close it",
                on_confirm=L.close,
                danger=False,
            ),
        ),
        rx.cond(
            L.can_reopen,
            rx.vstack(
                rx.button(
                    rx.icon("rotate-ccw", size=14),
                    "Reopen",
                    variant="soft",
                    color_scheme="amber",
                    size="2",
                    width="100%",
                    on_click=L.reopen,
                ),
                rx.cond(
                    L.reopen_until != "",
                    rx.text(
                        "You can reopen it until ",
                        local_time(L.reopen_until),
                        ".",
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                ),
                spacing="1",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )
