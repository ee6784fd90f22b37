"""The compact SLA badge: time left on the target due next, amber when warned, red when breached, grey when paused."""

from __future__ import annotations

import reflex as rx

from tickit.components.comment_thread import fact, panel_section
from tickit.state.tickets import ANY, SLA_FILTER_LABELS


def sla_badge(text, color, detail) -> rx.Component:
    """A badge for vars `text`/`color`/`detail` (nothing when `text` is empty); the detail shows on hover."""
    return rx.cond(
        text != "",
        rx.badge(
            rx.icon("timer", size=12),
            text,
            color_scheme=color,
            variant="soft",
            high_contrast=True,  # the words at 12 px: step 11 on a tinted ground falls short of 4.5:1
            radius="full",
            white_space="nowrap",
            title="SLA · " + detail,
            aria_label="SLA: " + text,
        ),
    )


def sla_dot(text, color) -> rx.Component:
    """The badge without its words, for a phone's one-line row: the colour, and the words for screen readers."""
    return rx.cond(
        text != "",
        rx.badge(
            rx.icon("timer", size=12),
            color_scheme=color,
            variant="soft",
            radius="full",
            title="SLA: " + text,
            aria_label="SLA: " + text,
        ),
    )


def sla_filter(S) -> rx.Component:
    """The list's SLA filter for list state `S` (`sla`, `set_sla`): any, breached, due within the next hour."""
    return rx.select.root(
        rx.select.trigger(aria_label="SLA", width="150px"),
        rx.select.content(
            rx.select.item("Any SLA", value=ANY),
            *[rx.select.item(label, value=key) for key, label in SLA_FILTER_LABELS.items()],
        ),
        value=S.sla,
        on_change=S.set_sla,
        size="2",
    )


def sla_panel(T) -> rx.Component:
    """The ticket page's SLA block for state `T`: the badge, the policy and its targets, both due times."""
    return rx.cond(
        T.sla_text != "",
        rx.fragment(
            panel_section(
                "SLA",
                sla_badge(T.sla_text, T.sla_color, T.sla_detail),
                rx.text(T.sla_detail, size="1", color=rx.color("gray", 11)),
                # Once answered, the response target is history: the details show when it was met.
                rx.cond(T.first_responded_at == "", fact("Response due", T.first_response_due_at, is_time=True)),
                rx.cond(T.resolved_at == "", fact("Resolution due", T.resolution_due_at, is_time=True)),
            ),
            rx.separator(size="4"),
        ),
    )
