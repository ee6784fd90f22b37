"""/profile: the signed-in user's name, password, notification choices and push devices."""

from __future__ import annotations

import reflex as rx

from tickit.components.forms import field, form_error
from tickit.components.layout import app_page, page_header
from tickit.components.local_time import local_time
from tickit.components.push_control import push_control
from tickit.models import Role
from tickit.services.notification_choices import NEW_TICKETS_LABELS
from tickit.state.profile import ProfileState as S
from tickit.state.session import SessionState


def _details() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Your details", size="4", as_="h2"),
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
                rx.heading("Password", size="4", as_="h2"),
                rx.text(
                    rx.cond(
                        S.has_password,
                        "Changing it signs you out on every other device.",
                        "You sign in with Google. Set a password to sign in with your email too.",
                    ),
                    size="2",
                    color=rx.color("gray", 11),
                ),
                form_error(S.password_errors.get("form", "")),
                rx.cond(S.has_password, _password_input("current", "Current password", "current-password")),
                _password_input(
                    "new",
                    "New password",
                    "new-password",
                    hint="At least 12 characters, not one leaked from another site.",
                ),
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


def _choice(label: str, hint: str, checked: rx.Var, on_change, control_id: str) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.el.label(rx.text(label, size="2", weight="medium"), html_for=control_id),
            rx.text(hint, size="1", color=rx.color("gray", 11)),
            spacing="0",
        ),
        rx.spacer(),
        rx.switch(id=control_id, checked=checked, on_change=on_change),
        align="center",
        width="100%",
    )


def _device_row(device: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.icon("monitor-smartphone", size=16, color=rx.color("gray", 11)),
        rx.vstack(
            rx.hstack(
                rx.text(device["service"], size="2", weight="medium"),
                rx.cond(device["here"], rx.badge("This device", color_scheme="green", variant="soft", radius="full")),
                rx.cond(
                    device["current_key"],
                    rx.fragment(),
                    rx.badge("Needs enabling again", color_scheme="amber", variant="soft", radius="full"),
                ),
                spacing="2",
                align="center",
            ),
            rx.text("Added ", local_time(device["added"].to(str)), size="1", color=rx.color("gray", 11)),
            spacing="0",
        ),
        rx.spacer(),
        rx.button(
            "Remove",
            size="1",
            variant="ghost",
            color_scheme="red",
            on_click=S.remove_device(device["id"]),
            aria_label="Remove " + device["service"].to(str),
        ),
        align="center",
        width="100%",
        role="listitem",
    )


def _project_row(project: rx.Var) -> rx.Component:
    control_id = "new-tickets-" + project["key"].to(str)
    return rx.hstack(
        rx.el.label(rx.text(project["name"], size="2"), html_for=control_id),
        rx.spacer(),
        rx.select.root(
            rx.select.trigger(id=control_id, min_width="150px"),
            rx.select.content(*[rx.select.item(label, value=key) for key, label in NEW_TICKETS_LABELS.items()]),
            value=project["new_tickets"].to(str),
            on_change=lambda choice: S.set_new_tickets(project["key"], choice),
            size="2",
        ),
        align="center",
        width="100%",
        role="listitem",
        wrap="wrap",
    )


def _what_you_hear() -> rx.Component:
    """What concerns the user, and (for staff) each project's new tickets: what the bell and the channels carry."""
    return rx.card(
        rx.vstack(
            rx.heading("What you hear about", size="4"),
            _choice(
                "Assigned to me",
                "A ticket someone gives you.",
                S.notify_assigned,
                S.set_notify_assigned,
                "notify-assigned",
            ),
            _choice(
                "Mentions",
                "Someone writes @your name in a comment or an internal note.",
                S.notify_mentions,
                S.set_notify_mentions,
                "notify-mentions",
            ),
            _choice(
                "Replies on my tickets",
                "A requester answers on a ticket assigned to you, or on an unassigned one.",
                S.notify_replies,
                S.set_notify_replies,
                "notify-replies",
            ),
            rx.cond(
                S.projects.length() > 0,
                rx.vstack(
                    rx.separator(size="4"),
                    rx.heading("New tickets", size="3"),
                    rx.text(
                        "Per project. Unassigned only skips a ticket someone took before the news went out.",
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                    rx.vstack(
                        rx.foreach(S.projects, _project_row),
                        spacing="2",
                        width="100%",
                        role="list",
                        aria_label="New tickets per project",
                    ),
                    spacing="2",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _notifications() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Notifications", size="4", as_="h2"),
            rx.text(
                "The bell at the top of the sidebar always shows what happened to your tickets. "
                "Choose where else you hear about it.",
                size="2",
                color=rx.color("gray", 11),
            ),
            _choice(
                "Email me",
                "A mail for each event, threaded by ticket.",
                S.notify_by_mail,
                S.set_notify_by_mail,
                "notify-mail",
            ),
            _choice(
                "Push to my devices",
                "A notification on every device you enabled below.",
                S.notify_by_push,
                S.set_notify_by_push,
                "notify-push",
            ),
            rx.separator(size="4"),
            rx.heading("This device", size="3", as_="h3"),
            push_control(
                vapid_key=S.vapid_key,
                enabled_here=S.enabled_here,
                on_browser=S.browser_checked,
                on_subscribe=S.subscribed,
                on_unsubscribe=S.unsubscribed,
            ),
            rx.cond(
                ~S.notify_by_push & S.enabled_here,
                rx.text(
                    "Push is switched off above, so this device receives nothing until you switch it on.",
                    size="1",
                    color=rx.color("amber", 11),
                ),
            ),
            rx.heading("Your devices", size="3", as_="h3", padding_top="8px"),
            rx.cond(
                S.devices.length() > 0,
                rx.vstack(
                    rx.foreach(S.devices, _device_row),
                    spacing="3",
                    width="100%",
                    role="list",
                    aria_label="Your devices",
                ),
                rx.text("No device receives push notifications yet.", size="2", color=rx.color("gray", 11)),
            ),
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _session_row(line: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.icon("monitor", size=16, color=rx.color("gray", 11)),
        rx.vstack(
            rx.hstack(
                rx.text(line.device, size="2", weight="medium"),
                rx.cond(line.current, rx.badge("This browser", color_scheme="green", variant="soft", radius="full")),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(line.address, " · last seen ", local_time(line.last_seen), size="1", color=rx.color("gray", 11)),
            spacing="0",
        ),
        rx.spacer(),
        rx.cond(
            line.current,
            rx.fragment(),
            rx.button(
                "Sign out",
                size="1",
                variant="ghost",
                color_scheme="red",
                on_click=S.end_session(line.id),
                aria_label="Sign out " + line.device + " at " + line.address,
            ),
        ),
        align="center",
        width="100%",
        role="listitem",
    )


def _sessions() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Where you are signed in", size="4", as_="h2"),
            rx.text(
                "A session unused for ",
                S.idle_hours,
                " hours ends by itself. If you see one you do not recognise, sign it out and change your password.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.vstack(
                rx.foreach(S.sessions, _session_row),
                spacing="3",
                width="100%",
                role="list",
                aria_label="Your sessions",
            ),
            rx.cond(
                S.sessions.length() > 1,
                rx.hstack(
                    rx.button(
                        "Sign out everywhere else", variant="soft", color_scheme="red", on_click=S.end_other_sessions
                    ),
                    justify="end",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def profile_page() -> rx.Component:
    return app_page(
        page_header("Profile", "Your account on this TickIt."),
        rx.vstack(
            _details(),
            # Clients hear only of their own tickets (replies, status), so there is nothing to choose.
            rx.cond(SessionState.user_role != Role.CLIENT, _what_you_hear()),
            _notifications(),
            _password(),
            _sessions(),
            spacing="4",
            width="100%",
            max_width="640px",
        ),
    )
