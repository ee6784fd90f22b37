"""/admin/users: accounts, their roles, and who may sign in."""

from __future__ import annotations

import reflex as rx

from tickit.components.confirm import confirm
from tickit.components.forms import dialog_actions, field, form_error
from tickit.components.layout import app_page, page_header
from tickit.components.local_time import local_time
from tickit.components.one_time_secret import copy_secret, secret_text
from tickit.state.admin_invitations import AdminInvitationsState as I
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
                hint=(
                    "At least 12 characters, not one leaked from another site. "
                    "Left empty, TickIt generates one and shows it once."
                ),
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
            rx.cond(
                user.role == "client",
                rx.select.root(
                    rx.select.trigger(custom_attrs={"aria-label": "Organisation of " + user.name}, max_width="240px"),
                    rx.select.content(
                        rx.foreach(S.organisation_choices, lambda c: rx.select.item(c[1], value=c[0])),
                    ),
                    value=user.organisation,
                    size="1",
                    on_change=lambda choice: S.set_organisation(user.id, choice),
                ),
                rx.text("—", color=rx.color("gray", 11)),
            )
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
                        rx.badge(
                            rx.icon("mail-x", size=12),
                            "Bouncing since ",
                            local_time(user.mail_bounced, relative=False),
                            color_scheme="orange",
                            variant="soft",
                        ),
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
                    rx.hstack(
                        _reset_link_button(user),
                        _deactivate(user),
                        spacing="2",
                        wrap="wrap",
                        justify="end",
                    ),
                    rx.button("Reactivate", size="1", variant="soft", on_click=S.set_active(user.id, True)),
                ),
            ),
        ),
        align="center",
    )


def _reset_link_button(user) -> rx.Component:
    return confirm(
        rx.button("Send reset link", size="1", variant="soft", color_scheme="gray"),
        title=["Send ", user.name, " a password reset link?"],
        consequence=[
            user.email,
            " gets a mail with a link to choose a new password, valid for one hour. Their current password "
            "keeps working until they use it.",
        ],
        action="Send link",
        on_confirm=S.send_reset_link(user.id),
        danger=False,
    )


def _deactivate(user) -> rx.Component:
    return confirm(
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


def _invite_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_error(I.form_errors.get("form", "")),
            field(
                "Email",
                rx.input(id="invite-email", name="email", type="email", width="100%", placeholder="ada@company.com"),
                I.form_errors.get("email", ""),
                "invite-email",
            ),
            field(
                "Role",
                rx.select(ROLE_ITEMS, value=I.role, on_change=I.set_role, id="invite-role", width="100%"),
                I.form_errors.get("role", ""),
                "invite-role",
                hint="Clients file tickets; agents work them; admins set everything up.",
            ),
            rx.vstack(
                rx.text("Projects", size="2", weight="medium"),
                rx.cond(
                    I.projects.length() > 0,
                    rx.flex(
                        rx.foreach(
                            I.projects,
                            lambda p: rx.el.label(
                                rx.hstack(
                                    rx.checkbox(
                                        checked=I.chosen_projects.contains(p.id),
                                        on_change=lambda chosen: I.toggle_project(p.id, chosen),
                                    ),
                                    rx.text(p.name, size="2"),
                                    align="center",
                                    spacing="2",
                                ),
                            ),
                        ),
                        direction="column",
                        gap="2",
                    ),
                    rx.text("No projects yet.", size="2", color=rx.color("gray", 11)),
                ),
                rx.cond(
                    I.form_errors.get("projects", "") != "",
                    rx.text(I.form_errors.get("projects", ""), size="1", color=rx.color("red", 11), role="alert"),
                    rx.text(
                        "They join these as a client, or as an agent for staff roles.",
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                ),
                spacing="1",
                width="100%",
            ),
            dialog_actions("Send invitation"),
            spacing="3",
            width="100%",
        ),
        on_submit=I.invite,
        reset_on_submit=False,
    )


def _invite_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("mail-plus", size=16), "Invite", variant="soft"), on_click=I.open_invite),
        rx.dialog.content(
            rx.dialog.title("Invite someone"),
            rx.dialog.description(
                "They get a mail with a link, valid for seven days, to choose their name and password.",
                size="2",
                margin_bottom="12px",
            ),
            _invite_form(),
            max_width="460px",
        ),
        open=I.dialog_open,
        on_open_change=I.set_dialog_open,
    )


def _invitation_row(invitation) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.text(invitation.email, weight="medium"),
                rx.text("Invited by ", invitation.invited_by, size="1", color=rx.color("gray", 11)),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(invitation.role)),
        rx.table.cell(rx.text(invitation.projects, color=rx.color("gray", 11))),
        rx.table.cell(
            rx.cond(
                invitation.expired,
                rx.badge("Expired", color_scheme="amber", variant="soft"),
                rx.text(local_time(invitation.expires_at, relative=False), color=rx.color("gray", 11)),
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Resend",
                    size="1",
                    variant="soft",
                    on_click=I.resend(invitation.id),
                    aria_label="Resend the invitation of " + invitation.email,
                ),
                confirm(
                    rx.button(
                        "Revoke",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        aria_label="Revoke the invitation of " + invitation.email,
                    ),
                    title=["Revoke the invitation of ", invitation.email, "?"],
                    consequence="Its link stops working at once. You can invite them again later.",
                    action="Revoke invitation",
                    on_confirm=I.revoke(invitation.id),
                ),
                spacing="2",
                justify="end",
            )
        ),
        align="center",
    )


def _pending_invitations() -> rx.Component:
    return rx.cond(
        I.invitations.length() > 0,
        rx.vstack(
            rx.heading("Pending invitations", size="4", as_="h2"),
            rx.card(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[rx.table.column_header_cell(h) for h in ("Invited", "Role", "Projects", "Expires", "")]
                        )
                    ),
                    rx.table.body(rx.foreach(I.invitations, _invitation_row)),
                    variant="ghost",
                    width="100%",
                ),
                padding="0",
                width="100%",
                overflow_x="auto",
            ),
            spacing="3",
            width="100%",
            margin_top="24px",
        ),
    )


def users_page() -> rx.Component:
    return app_page(
        page_header(
            "Users",
            "Everyone who can sign in, and what they may do.",
            rx.hstack(_invite_dialog(), _create_dialog(), spacing="2", wrap="wrap"),
        ),
        _admin_role_confirm(),
        rx.card(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Person", "Role", "Organisation", "Status", "Last sign-in", "")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(S.rows, _row)),
                variant="ghost",
                width="100%",
            ),
            padding="0",
            width="100%",
        ),
        _pending_invitations(),
    )
