"""The type editor's "Requester view" section: each status's public label and, for done statuses,
whether it resolves or closes the ticket; and the type's reply rules."""

from __future__ import annotations

import reflex as rx

from tickit.state.type_editor import NO_RULE
from tickit.state.type_editor import TypeEditorState as S


def _label_row(status) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(status.name, size="2", weight="medium")),
        rx.table.cell(
            rx.input(
                default_value=status.public_label,
                placeholder=status.shown_label,
                on_blur=lambda label: S.set_public_label(status.key, label),
                size="1",
                min_width="140px",
                max_length=40,
                aria_label="Public label of " + status.name,
                key=status.key + status.public_label,
            ),
        ),
        rx.table.cell(
            rx.cond(
                status.category == "done",
                rx.select.root(
                    rx.select.trigger(aria_label="Ending of " + status.name),
                    rx.select.content(
                        rx.select.item("Resolves (may close later)", value="resolves"),
                        rx.select.item("Closes", value="closes"),
                    ),
                    value=rx.cond(status.closes, "closes", "resolves"),
                    on_change=lambda ending: S.set_closes(status.key, ending),
                    size="1",
                ),
                rx.text("—", size="1", color=rx.color("gray", 11)),
            ),
        ),
        align="center",
    )


def _rule(label: str, rule: str, value) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", min_width="220px"),
        rx.select.root(
            rx.select.trigger(aria_label=label, min_width="180px"),
            rx.select.content(
                rx.select.item("Leave the status alone", value=NO_RULE),
                rx.foreach(S.statuses, lambda s: rx.select.item(s.name, value=s.key)),
            ),
            value=value,
            on_change=lambda key: S.set_reply_rule(rule, key),
            size="2",
        ),
        align="center",
        spacing="2",
        wrap="wrap",
        width="100%",
    )


def requester_view() -> rx.Component:
    """The section, in the type editor's card style."""
    return rx.card(
        rx.vstack(
            rx.heading("Requester view", size="4", as_="h2"),
            rx.text(
                "Requesters never see status names: they read each status's public label (left empty, the plain "
                "word for its category). Moving between two statuses with the same label tells them nothing.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[rx.table.column_header_cell(h) for h in ("Status", "Requester reads", "When done, it")]
                        )
                    ),
                    rx.table.body(rx.foreach(S.statuses, _label_row)),
                    size="1",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.heading("Status follows the conversation", size="3", as_="h3", padding_top="8px"),
            _rule("When staff reply publicly, move to", "staff_reply_status", S.staff_reply_status),
            _rule("When the requester replies, move to", "requester_reply_status", S.requester_reply_status),
            rx.text(
                "A move happens only where the transitions allow it. The requester's reply moves a ticket "
                "only while it waits on them (a status that pauses the SLA, or the staff-reply status "
                "above); their reply to a solved ticket reopens it (to the status above, else the initial "
                "one) within the project's reopen window.",
                size="1",
                color=rx.color("gray", 11),
            ),
            spacing="3",
            width="100%",
        ),
        size="2",
        width="100%",
    )
