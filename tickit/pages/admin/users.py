"""/admin/users: accounts, their roles, and who may sign in."""

from __future__ import annotations

import reflex as rx

from tickit.components.confirm import confirm
from tickit.components.forms import dialog_actions, field, form_error
from tickit.components.layout import app_page, page_header
from tickit.components.local_time import local_time
from tickit.components.one_time_secret import copy_secret, secret_text
from tickit.state.admin_users import GENERATED_PASSWORD_ID
from tickit.state.admin_users import AdminUsersState as S

ROLE_ITEMS = ["client", "agent", "admin"]


def _error(key: str) -> rx.Var:
    return S.form_errors.get(key, "")


def _created_notice() -> rx.Component:
    return rx.vstack(
        rx.callout(
            "Account created. Hand over this password now: it is shown only once.",
            icon="key-round",
            color_scheme="green",
            width="100%",
        ),
        rx.hstack(
            secret_text(GENERATED_PASSWORD_ID, "Generated password", size="4"),
            rx.icon_button(
                rx.icon("copy", size=14),
                variant="soft",
                size="2",
                aria_label="Copy password",
                on_click=copy_secret(GENERATED_PASSWORD_ID, "Password"),
            ),
            align="center",
            spacing="3",
        ),
        rx.text(
            "Signed in as ",
            S.created_email,
            " they can change it from their profile.",
            size="1",
            color=rx.color("gray", 11),
        ),
        rx.hstack(rx.dialog.close(rx.button("Done", size="2")), justify="end", width="100%"),
        spacing="3",
        width="100%",
    )


def _create_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_error(_error("form")),
            field(
                "Name",
                rx.input(id="new-name", name="name", width="100%", placeholder="Ada Lovelace"),
                _error("name"),
                "new-name",
            ),
            field(
                "Email",
                rx.input(id="new-email", name="email", type="email", width="100%", placeholder="ada@company.com"),
                _error("email"),
                "new-email",
            ),
            field(
                "Role",
                rx.select(ROLE_ITEMS, value=S.new_role, on_change=S.set_new_role, id="new-role", width="100%"),
                _error("role"),
                "new-role",
                hint="Clients file tickets; agents work them; admins set everything up.",
            ),
            field(
                "Password",
                rx.input(
                    id="new-password",
                    name="password",
                    type="password",
                    width="100%",
                    placeholder="Leave empty to generate one",
                ),
                _error("password"),
                "new-password",
                hint="At least 10 characters. Left empty, TickIt generates one and shows it once.",
            ),
            dialog_actions("Create account"),
            spacing="3",
            width="100%",
        ),
        on_submit=S.create,
        reset_on_submit=False,
    )


def _create_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("user-plus", size=16), "New user"), on_click=S.open_create),
        rx.dialog.content(
            rx.dialog.title("New user"),
            rx.dialog.description("They get a welcome mail with the sign-in link.", size="2", margin_bottom="12px"),
            rx.cond(S.password_generated, _created_notice(), _create_form()),
            max_width="460px",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )


def _row(user) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.hstack(
                rx.avatar(fallback=user.name[0], size="2", radius="full", variant="soft"),
                rx.vstack(
                    rx.text(user.name, weight="medium"),
                    rx.text(user.email, size="1", color=rx.color("gray", 11)),
                    spacing="0",
                ),
                align="center",
                spacing="3",
            ),
        ),
        rx.table.cell(
            rx.select(
                ROLE_ITEMS,
                value=user.role,
                size="1",
                disabled=user.is_me,
                on_change=lambda role: S.choose_role(user.id, role),
                # rx.select passes custom_attrs, not aria_label, on to the trigger.
                custom_attrs={"aria-label": "Role of " + user.name},
            ),
        ),
        rx.table.cell(
            rx.hstack(
                rx.cond(
                    user.active,
                    rx.badge("Active", color_scheme="green", variant="soft"),
                    rx.badge("Deactivated", color_scheme="gray", variant="soft"),
                ),
                rx.cond(
                    user.mail_bounced,
                    rx.tooltip(
                        rx.badge(rx.icon("mail-x", size=12), "Mail bounces", color_scheme="orange", variant="soft"),
                        content="Mail to this address bounced; TickIt sends it none for 7 days after a bounce.",
                    ),
                ),
                spacing="1",
                wrap="wrap",
            )
        ),
        rx.table.cell(
            rx.text(
                rx.cond(user.last_sign_in, local_time(user.last_sign_in), "never"),
                color=rx.color("gray", 11),
                white_space="nowrap",
            )
        ),
        rx.table.cell(
            rx.cond(
                user.is_me,
                rx.text("You", size="1", color=rx.color("gray", 11)),
                rx.cond(
                    user.active,
                    confirm(
                        rx.button("Deactivate", size="1", variant="soft", color_scheme="red"),
                        title=["Deactivate ", user.name, "?"],
                        consequence=[
                            user.name,
                            " (",
                            user.email,
                            ") is signed out everywhere at once and can no longer sign in. Their tickets and "
                            "comments stay. You can reactivate the account later.",
                        ],
                        choice=rx.cond(user.role != "client", _heir_choice()),
                        action="Deactivate account",
                        on_confirm=S.set_active(user.id, False),
                        # On opening (and closing, which changes nothing): the heir starts as the queue.
                        on_open_change=lambda _opened: S.choose_heir(user.id),
                    ),
                    rx.button("Reactivate", size="1", variant="soft", on_click=S.set_active(user.id, True)),
                ),
            ),
        ),
        align="center",
    )


def _heir_choice() -> rx.Component:
    return rx.vstack(
        rx.text("Their open tickets go", size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(custom_attrs={"aria-label": "Their open tickets go"}, width="100%"),
            rx.select.content(rx.foreach(S.heirs, lambda heir: rx.select.item(heir[1], value=heir[0]))),
            value=S.heir,
            on_change=S.set_heir,
        ),
        spacing="1",
        width="100%",
    )


def _admin_role_confirm() -> rx.Component:
    return confirm(
        title=["Make ", S.admin_candidate, " an admin?"],
        consequence=[
            S.admin_candidate,
            " will see and change everything: every project, its workflow and members, all users and API "
            "clients, including taking admin rights away from others.",
        ],
        action="Make admin",
        on_confirm=S.confirm_admin_role,
        danger=False,
        open=S.admin_candidate != "",
        on_open_change=S.keep_admin_candidate,
    )


def users_page() -> rx.Component:
    return app_page(
        page_header("Users", "Everyone who can sign in, and what they may do.", _create_dialog()),
        _admin_role_confirm(),
        rx.card(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[rx.table.column_header_cell(h) for h in ("Person", "Role", "Status", "Last sign-in", "")]
                    )
                ),
                rx.table.body(rx.foreach(S.rows, _row)),
                variant="ghost",
                width="100%",
            ),
            padding="0",
            width="100%",
        ),
    )
