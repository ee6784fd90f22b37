"""Admin: /admin/projects/<KEY>/intake — how the project takes in requests."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.forms import field
from tickit.components.layout import app_page, page_header
from tickit.state.admin_intake import AdminIntakeState as S


def _switch(label: str, hint: str, checked, on_change, id: str) -> rx.Component:
    return rx.hstack(
        rx.switch(id=id, checked=checked, on_change=on_change),
        rx.vstack(
            rx.el.label(rx.text(label, size="2", weight="medium"), html_for=id),
            rx.text(hint, size="1", color=rx.color("gray", 11)),
            spacing="0",
        ),
        align="start",
        spacing="3",
    )


def _limit(label: str, name: str, value, on_change, hint: str) -> rx.Component:
    return field(
        label,
        rx.input(
            id=name, name=name, type="number", min=0, value=value, on_change=on_change, size="3", max_width="160px"
        ),
        S.errors.get(name, ""),
        name,
        hint=hint,
    )


def intake_page() -> rx.Component:
    return app_page(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Projects", size="2"), align="center", spacing="1"),
            href=routes.ADMIN_PROJECTS,
            color=rx.color("gray", 11),
        ),
        page_header("Intake of " + S.project_name, "How the project takes in requests from its clients."),
        rx.card(
            rx.form(
                rx.vstack(
                    _switch(
                        "Acknowledge new requests",
                        "The requester gets “We received your request” with a link to its page.",
                        S.acknowledge,
                        S.set_acknowledge,
                        "acknowledge",
                    ),
                    _switch(
                        "Clients may set the priority",
                        "Otherwise the new-ticket form offers priority to staff only.",
                        S.clients_set_priority,
                        S.set_clients_set_priority,
                        "clients_set_priority",
                    ),
                    rx.separator(size="4"),
                    _limit(
                        "Requests per hour, per person",
                        "tickets_per_hour",
                        S.tickets_per_hour,
                        S.set_tickets_per_hour,
                        "0 for no limit. Staff and apps are not limited.",
                    ),
                    _limit(
                        "Comments per ten minutes, per person and ticket",
                        "comments_per_window",
                        S.comments_per_window,
                        S.set_comments_per_window,
                        "0 for no limit. Staff are not limited.",
                    ),
                    rx.separator(size="4"),
                    _switch(
                        "Clients may create their own account",
                        "“Create an account” on the sign-in page offers this project. The account exists "
                        "once its owner confirms the address from a mailed link.",
                        S.self_signup,
                        S.set_self_signup,
                        "self_signup",
                    ),
                    # Hidden rather than left out while sign-up is off: the form reads every input it
                    # rendered, and one taken out of the page would fail the submit.
                    rx.box(
                        field(
                            "Only these email domains",
                            rx.input(
                                id="signup_domains",
                                name="signup_domains",
                                value=S.signup_domains,
                                on_change=S.set_signup_domains,
                                placeholder="example.com, example.org",
                                size="3",
                                width="100%",
                            ),
                            S.errors.get("signup_domains", ""),
                            "signup_domains",
                            hint="Leave empty to take any address.",
                        ),
                        display=rx.cond(S.self_signup, "block", "none"),
                        width="100%",
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
        ),
    )
