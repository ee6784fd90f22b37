"""/choose-password: where the first admin lands after signing in with the password TickIt printed."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.brand import brand
from tickit.components.post_form import post_form
from tickit.services.passwords import MIN_PASSWORD_LENGTH
from tickit.state.choose_password import ChoosePasswordState as S


def _password_field(label: str, name: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=name),
        rx.input(
            id=name,
            name=name,
            type="password",
            required=True,
            min_length=MIN_PASSWORD_LENGTH,
            auto_complete="new-password",
            size="3",
            width="100%",
            color_scheme=rx.cond(S.error_field == name, "red", "indigo"),
            aria_invalid=rx.cond(S.error_field == name, "true", "false"),
        ),
        spacing="1",
        width="100%",
    )


def choose_password_page() -> rx.Component:
    form = post_form(
        rx.vstack(
            _password_field("New password", "new"),
            _password_field("New password again", "confirm"),
            rx.button("Save and continue", type="submit", size="3", width="100%", margin_top="8px"),
            spacing="3",
            width="100%",
        ),
        action=routes.AUTH_CHOOSE_PASSWORD,
        width="100%",
    )
    return rx.center(
        rx.vstack(
            brand("large"),
            rx.card(
                rx.vstack(
                    rx.heading("Choose your password", size="5"),
                    rx.text(
                        "You signed in with the password TickIt printed when it first started. "
                        "It works only once and for 24 hours: choose your own now, "
                        f"at least {MIN_PASSWORD_LENGTH} characters and not one leaked from another site.",
                        size="2",
                        color=rx.color("gray", 11),
                    ),
                    rx.cond(
                        S.error != "",
                        rx.callout(S.error, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
                    ),
                    form,
                    spacing="4",
                    width="100%",
                    padding="8px",
                ),
                width="100%",
                size="3",
            ),
            spacing="5",
            align="center",
            width="100%",
            max_width="400px",
        ),
        min_height="100vh",
        padding="24px",
        background=rx.color("gray", 2),
    )
