"""/profile: the signed-in user's name and password."""

from __future__ import annotations

import reflex as rx

from tickit.components.forms import field, form_error
from tickit.components.layout import app_page, page_header
from tickit.state.profile import ProfileState as S
from tickit.state.session import SessionState


def _details() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Your details", size="4"),
                field(
                    "Name",
                    rx.input(id="profile-name", name="name", default_value=SessionState.user_name, width="100%"),
                    S.name_errors.get("name", ""),
                    "profile-name",
                ),
                rx.hstack(
                    rx.text("Email", size="2", weight="medium", width="60px"),
                    rx.text(SessionState.user_email, size="2", color=rx.color("gray", 11)),
                    align="center",
                ),
                rx.hstack(
                    rx.text("Role", size="2", weight="medium", width="60px"),
                    rx.badge(SessionState.user_role, variant="soft", radius="full"),
                    align="center",
                ),
                rx.hstack(rx.button("Save", type="submit"), justify="end", width="100%"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save_name,
            reset_on_submit=False,
        ),
        size="3",
        width="100%",
    )


def _password_input(key: str, label: str, autocomplete: str, hint: str = "") -> rx.Component:
    control = rx.input(id=f"password-{key}", name=key, type="password", auto_complete=autocomplete, width="100%")
    return field(label, control, S.password_errors.get(key, ""), f"password-{key}", hint=hint)


def _password() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Password", size="4"),
                rx.text(
                    rx.cond(
                        S.has_password,
                        "Changing it signs you out on every other device.",
                        "You sign in with Google. Set a password to sign in with your email too.",
                    ),
                    size="2",
                    color=rx.color("gray", 10),
                ),
                form_error(S.password_errors.get("form", "")),
                rx.cond(S.has_password, _password_input("current", "Current password", "current-password")),
                _password_input("new", "New password", "new-password", hint="At least 10 characters."),
                _password_input("confirm", "New password again", "new-password"),
                rx.hstack(rx.button("Change password", type="submit"), justify="end", width="100%"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.change_password,
            reset_on_submit=False,
            key=S.form_key,
        ),
        size="3",
        width="100%",
    )


def profile_page() -> rx.Component:
    return app_page(
        page_header("Profile", "Your account on this TickIt."),
        rx.vstack(_details(), _password(), spacing="4", width="100%", max_width="640px"),
    )
