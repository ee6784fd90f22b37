"""/login: the sign-in form posts over HTTP so the session cookie can be HttpOnly."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.brand import brand
from tickit.components.post_form import FORGET_TAB_STATE, post_form
from tickit.state.login import LoginState


def _google_button() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.separator(size="4"),
            rx.text("or", size="1", color=rx.color("gray", 11)),
            rx.separator(size="4"),
            align="center",
            width="100%",
        ),
        rx.button(
            rx.link(
                rx.image(src="/google.svg", width="16px", height="16px", alt=""),
                "Continue with Google",
                href=LoginState.google_href,
                # A document navigation: the sign-in route is served by the backend, not a page of the app.
                reload_document=True,
                underline="none",
                # Signing in through Google starts a fresh UI state too, like the password form.
                custom_attrs={"onClick": FORGET_TAB_STATE},
            ),
            as_child=True,
            variant="outline",
            size="3",
            width="100%",
        ),
        width="100%",
        spacing="4",
    )


def login_page() -> rx.Component:
    form = post_form(
        rx.vstack(
            rx.el.label(rx.text("Email", size="2", weight="medium"), html_for="email"),
            rx.input(
                id="email",
                name="email",
                type="email",
                default_value=LoginState.email,
                required=True,
                auto_complete="username",
                size="3",
                width="100%",
                placeholder="you@company.com",
            ),
            rx.hstack(
                rx.el.label(rx.text("Password", size="2", weight="medium"), html_for="password"),
                rx.link(
                    "Forgot password?",
                    href=routes.FORGOT_PASSWORD,
                    # A document navigation: the form is served by the backend, not a page of the app.
                    reload_document=True,
                    size="2",
                    custom_attrs={"onClick": FORGET_TAB_STATE},
                ),
                justify="between",
                align="center",
                width="100%",
            ),
            rx.input(
                id="password",
                name="password",
                type="password",
                required=True,
                auto_complete="current-password",
                size="3",
                width="100%",
            ),
            rx.el.input(type="hidden", name="next", default_value=LoginState.next_path),
            rx.button("Sign in", type="submit", size="3", width="100%", margin_top="8px"),
            rx.text(
                "No password yet? ",
                rx.link(
                    "Email me a sign-in link",
                    href=routes.SIGN_IN_LINK,
                    reload_document=True,
                    custom_attrs={"onClick": FORGET_TAB_STATE},
                ),
                size="2",
                color=rx.color("gray", 11),
                align="center",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        action=routes.AUTH_LOGIN,
        width="100%",
    )
    return rx.center(
        rx.vstack(
            brand("large"),
            rx.card(
                rx.vstack(
                    rx.heading("Sign in", size="5", as_="h1"),
                    rx.text("Welcome back. Sign in to file and follow tickets.", size="2", color=rx.color("gray", 11)),
                    rx.cond(
                        LoginState.error != "",
                        rx.callout(
                            LoginState.error, icon="triangle-alert", color_scheme="red", role="alert", width="100%"
                        ),
                    ),
                    rx.cond(
                        LoginState.notice != "",
                        rx.callout(LoginState.notice, icon="info", color_scheme="blue", width="100%"),
                    ),
                    rx.cond(LoginState.ready, form, rx.center(rx.spinner(), height="160px", width="100%")),
                    rx.cond(LoginState.google_enabled, _google_button()),
                    rx.cond(
                        LoginState.signup_open,
                        rx.text(
                            "New here? ",
                            rx.link(
                                "Create an account",
                                href=routes.SIGN_UP,
                                reload_document=True,
                                custom_attrs={"onClick": FORGET_TAB_STATE},
                            ),
                            size="2",
                            color=rx.color("gray", 11),
                            align="center",
                            width="100%",
                        ),
                    ),
                    spacing="4",
                    width="100%",
                    padding="8px",
                ),
                width="100%",
                size="3",
            ),
            rx.text("Self-hosted helpdesk · your workflow, as data", size="1", color=rx.color("gray", 11)),
            spacing="5",
            align="center",
            width="100%",
            max_width="400px",
        ),
        min_height="100vh",
        padding="24px",
        background=rx.color("gray", 2),
    )
