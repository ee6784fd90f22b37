"""/admin/projects/<key>/lifecycle: how long a ticket may be reopened, when it closes on its own, the survey."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.forms import field
from tickit.components.layout import app_page, page_header
from tickit.state.admin_lifecycle import AdminLifecycleState as S


def _number(name: str, label: str, value, unit: str, hint: str) -> rx.Component:
    return field(
        label,
        rx.hstack(
            rx.input(
                id=f"lifecycle-{name}",
                name=name,
                default_value=value,
                key=value,
                input_mode="numeric",
                width="96px",
            ),
            rx.text(unit, size="2", color=rx.color("gray", 11)),
            align="center",
            spacing="2",
        ),
        S.errors.get(name, ""),
        f"lifecycle-{name}",
        hint,
    )


def _form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("After a ticket is solved", size="3", as_="h2"),
                _number(
                    "auto_close_days",
                    "Close solved tickets after",
                    S.auto_close_days,
                    "days",
                    "Through the workflow's own move to a closing status, as TickIt. 0: never.",
                ),
                _number(
                    "reopen_window_days",
                    "Requesters may reopen for",
                    S.reopen_window_days,
                    "days after closing",
                    "A reply after that starts a new request linked to the old one. 0: never reopens.",
                ),
                rx.separator(size="4"),
                rx.heading("Satisfaction survey", size="3", as_="h2"),
                rx.el.label(
                    rx.hstack(
                        rx.switch(checked=S.survey_enabled, on_change=S.set_survey_enabled),
                        rx.text("Ask the requester “How did we do?” when their ticket is solved", size="2"),
                        align="center",
                        spacing="2",
                    ),
                ),
                _number(
                    "survey_delay_minutes",
                    "Send the survey",
                    S.survey_delay_minutes,
                    "minutes after solving",
                    "Only if the ticket is still solved then; one survey per resolution.",
                ),
                rx.hstack(rx.button("Save", type="submit"), justify="end", width="100%"),
                spacing="4",
                width="100%",
            ),
            on_submit=S.save,
            reset_on_submit=False,
        ),
        size="3",
        width="100%",
        max_width="640px",
    )


def lifecycle_page() -> rx.Component:
    return app_page(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Projects", size="2"), align="center", spacing="1"),
            href=routes.ADMIN_PROJECTS,
            color=rx.color("gray", 11),
        ),
        page_header(
            "Lifecycle of " + S.project_name,
            "What happens to this project's tickets once the team has solved them.",
        ),
        _form(),
    )
