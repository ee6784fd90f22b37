"""The agent's one-click available/away switch, in the sidebar's user block."""

from __future__ import annotations

import reflex as rx

from tickit.state.availability import AvailabilityState as S


def availability_toggle() -> rx.Component:
    """A switch for agents in at least one project; nothing for anyone else. Loads itself when shown."""
    return rx.box(
        _switch(),
        on_mount=S.load,
        width="100%",
    )


def _switch() -> rx.Component:
    return rx.cond(
        S.projects > 0,
        rx.el.label(
            rx.hstack(
                rx.switch(
                    checked=S.available,
                    on_change=S.set_available,
                    color_scheme="green",
                    size="1",
                    custom_attrs={"aria-label": "Available for new tickets"},
                ),
                rx.vstack(
                    rx.text(
                        rx.cond(S.available, "Available", "Away"),
                        size="2",
                        weight="medium",
                        color=rx.cond(S.available, rx.color("gray", 12), rx.color("gray", 11)),
                    ),
                    rx.text(
                        rx.cond(
                            S.partly,
                            "Available in "
                            + S.available_in.to_string()
                            + " of "
                            + S.projects.to_string()
                            + " projects",
                            rx.cond(S.available, "New tickets can come to you", "No new tickets come to you"),
                        ),
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                    spacing="0",
                ),
                align="center",
                spacing="2",
            ),
            title="Away: automatic assignment passes you by; your open tickets stay yours.",
            cursor="pointer",
        ),
        rx.fragment(),
    )
