"""Admin: /admin/projects/<KEY>/mail — the project's mailboxes, and what became of the mail they received."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.confirm import confirm
from tickit.components.forms import dialog_actions, field, form_error, option_select
from tickit.components.layout import app_page, empty_state, page_header
from tickit.components.local_time import local_time
from tickit.components.one_time_secret import secret_banner
from tickit.state.admin_mail import NEW_SECRET_ID
from tickit.state.admin_mail import AdminMailState as S

MUTED = rx.color("gray", 11)

OUTCOME_COLOURS = {
    "new_ticket": "green",
    "threaded": "blue",
    "dropped": "gray",
    "refused": "orange",
    "failed": "red",
    "pending": "amber",
}


def _fact(label: str, value: rx.Component) -> rx.Component:
    return rx.flex(
        rx.text(label, size="2", color=MUTED, min_width="120px"),
        value,
        direction=rx.breakpoints(initial="column", sm="row"),
        gap=rx.breakpoints(initial="0", sm="3"),
        width="100%",
    )


def _code(value) -> rx.Component:
    return rx.code(value, variant="soft", color_scheme="gray", word_break="break-all")


def _error(key: str) -> rx.Var:
    return S.form_errors.get(key, "")


def _text_input(name: str, value, **props) -> rx.Component:
    # Not bound to the state: the form's submit carries the values (see AdminMailState.save).
    return rx.input(id=f"mailbox-{name}", name=name, default_value=value, width="100%", **props)


def _switch_line(label: str, checked, on_change, hint: str = "") -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.switch(checked=checked, on_change=on_change, margin_top="2px"),
            rx.vstack(
                rx.text(label, size="2", weight="medium"),
                rx.text(hint, size="1", color=MUTED) if hint else rx.fragment(),
                spacing="0",
            ),
            align="start",
            spacing="2",
        )
    )


def _imap_fields() -> rx.Component:
    # Hidden rather than removed while IMAP is off, so what was typed survives switching it off and on.
    return rx.vstack(
        rx.grid(
            field(
                "IMAP server",
                _text_input("imap_host", S.form_host, placeholder="imap.example.com", max_length=255),
                _error("imap_host"),
                "mailbox-imap_host",
            ),
            field(
                "Port",
                # Bound to the state, unlike the others: switching TLS changes it to that protocol's usual port.
                rx.input(
                    id="mailbox-imap_port",
                    name="imap_port",
                    value=S.form_port,
                    on_change=S.set_form_port,
                    input_mode="numeric",
                    max_length=5,
                    width="100%",
                ),
                _error("imap_port"),
                "mailbox-imap_port",
            ),
            columns=rx.breakpoints(initial="1", sm="3fr 1fr"),
            spacing="3",
            width="100%",
        ),
        _switch_line(
            "TLS",
            S.form_tls,
            S.set_form_tls,
            "Encrypted from the first byte (IMAPS, usually port 993). Turn off only for a server on this machine.",
        ),
        rx.grid(
            field(
                "User name",
                _text_input("imap_username", S.form_username, auto_complete="off", max_length=255),
                _error("imap_username"),
                "mailbox-imap_username",
            ),
            field(
                "Password",
                rx.input(
                    id="mailbox-imap_password",
                    name="imap_password",
                    type="password",
                    auto_complete="new-password",
                    width="100%",
                    max_length=255,
                    placeholder=rx.cond(S.form_has_password, "Unchanged", ""),
                ),
                _error("imap_password"),
                "mailbox-imap_password",
                hint="",
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        rx.cond(
            S.form_has_password & (_error("imap_password") == ""),
            rx.text("The stored password stays unless you type a new one.", size="1", color=MUTED),
        ),
        rx.grid(
            field(
                "Folder to read",
                _text_input("imap_folder", S.form_folder, max_length=255),
                _error("imap_folder"),
                "mailbox-imap_folder",
            ),
            field(
                "Move processed mail to",
                _text_input("imap_move_to", S.form_move_to, placeholder="Leave it where it is", max_length=255),
                _error("imap_move_to"),
                "mailbox-imap_move_to",
                "A folder that exists, like Processed (optional).",
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        display=rx.cond(S.form_imap, "flex", "none"),
        spacing="3",
        width="100%",
        padding="12px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="var(--radius-3)",
    )


def _form_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("plus", size=16), "Add mailbox"), on_click=S.open_add),
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing_key == "", "Add a mailbox", "Edit mailbox " + S.editing_key)),
            rx.dialog.description(
                rx.cond(
                    S.editing_key == "",
                    "Mail to this address becomes tickets of the project, and replies thread onto them. It can "
                    "arrive by IMAP polling, the mail-transport pipe, or the HTTP endpoint; the endpoint's secret "
                    "is shown once, right after you add the mailbox.",
                    "Changes apply from the next mail or poll. Tickets already filed keep their type.",
                ),
                size="2",
                margin_bottom="12px",
            ),
            rx.form(
                rx.vstack(
                    form_error(_error("form")),
                    field(
                        "Key",
                        _text_input(
                            "key",
                            S.form_key,
                            placeholder="support",
                            max_length=40,
                            read_only=S.editing_key != "",
                            auto_focus=S.editing_key == "",
                            variant=rx.cond(S.editing_key == "", "surface", "soft"),
                            color_scheme="gray",
                        ),
                        _error("key"),
                        "mailbox-key",
                        "Names the mailbox in the pipe command and the HTTP path; it cannot change later.",
                    ),
                    field(
                        "Address",
                        _text_input(
                            "address",
                            S.form_address,
                            type="email",
                            placeholder="support@example.com",
                            max_length=320,
                            auto_focus=S.editing_key != "",
                        ),
                        _error("address"),
                        "mailbox-address",
                    ),
                    field(
                        "New tickets are",
                        option_select(S.type_options, S.form_type, S.set_form_type, id="mailbox-type", size="2"),
                        _error("type"),
                        "mailbox-type",
                    ),
                    _switch_line(
                        "Fetch mail over IMAP",
                        S.form_imap,
                        S.set_form_imap,
                        "TickIt polls the folder every minute. Leave off for the pipe or HTTP only.",
                    ),
                    _imap_fields(),
                    dialog_actions(rx.cond(S.editing_key == "", "Add mailbox", "Save")),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.save,
                reset_on_submit=False,
                key=S.form_generation,
            ),
            max_width="560px",
        ),
        open=S.form_open,
        on_open_change=S.set_form_open,
    )


def _new_secret() -> rx.Component:
    return secret_banner(
        NEW_SECRET_ID,
        heading=["HTTP secret of ", S.new_secret_key],
        explanation=rx.text(
            "A relay posts mail to the endpoint with this secret as a Bearer token. ",
            rx.text.strong("It will not be shown again"),
            "; rotate it if it is lost.",
            size="2",
        ),
        label="HTTP secret",
        region_label="New HTTP secret",
        what="Secret",
        on_done=S.dismiss_secret,
    )


def _check_result(box) -> rx.Component:
    return rx.cond(
        S.checked_key == box.key,
        rx.cond(
            S.check_message == "",
            rx.hstack(rx.spinner(size="1"), rx.text("Logging in…", size="2", color=MUTED), align="center"),
            rx.callout(
                rx.text(rx.text.strong("Connection check: "), S.check_message),
                icon=rx.cond(S.check_ok, "circle-check", "triangle-alert"),
                color_scheme=rx.cond(S.check_ok, "green", "red"),
                size="1",
                width="100%",
                role="status",
            ),
        ),
    )


def _removal(box) -> rx.Component:
    button = rx.button("Remove", size="1", variant="soft", color_scheme="red", aria_label="Remove " + box.address)
    kept = rx.alert_dialog.root(
        rx.alert_dialog.trigger(button),
        rx.alert_dialog.content(
            rx.alert_dialog.title(box.address, " stays", size="4"),
            rx.alert_dialog.description(box.not_removable_because, size="2"),
            rx.flex(
                rx.alert_dialog.cancel(rx.button("Close", variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="16px",
            ),
            max_width="440px",
        ),
    )
    return rx.cond(
        box.removable,
        confirm(
            button,
            title=["Remove the mailbox ", box.address, "?"],
            consequence="Its pipe command and HTTP endpoint stop working at once. It has received no mail.",
            action="Remove mailbox",
            on_confirm=S.remove(box.key),
        ),
        kept,
    )


def _actions(box) -> rx.Component:
    return rx.hstack(
        rx.el.label(
            rx.hstack(
                rx.switch(
                    checked=box.enabled,
                    on_change=lambda enabled: S.set_enabled(box.key, enabled),
                    aria_label="Take mail for " + box.address,
                    size="1",
                ),
                rx.text("Enabled", size="2"),
                align="center",
                spacing="2",
            )
        ),
        rx.cond(
            box.imap != "",
            rx.button(
                rx.icon("plug-zap", size=14),
                "Check connection",
                size="1",
                variant="soft",
                aria_label="Check the IMAP connection of " + box.address,
                loading=(S.checked_key == box.key) & (S.check_message == ""),
                on_click=S.check_connection(box.key),
            ),
        ),
        rx.button("Edit", size="1", variant="soft", aria_label="Edit " + box.address, on_click=S.open_edit(box.key)),
        confirm(
            rx.button("Rotate secret", size="1", variant="soft", color_scheme="gray"),
            title=["Rotate the HTTP secret of ", box.address, "?"],
            consequence=(
                "A new secret is shown once, and the old one stops working at once: give the new one to "
                "the relay that posts this mailbox's mail."
            ),
            action="Rotate secret",
            on_confirm=S.rotate(box.key),
            danger=False,
        ),
        _removal(box),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _mailbox(box) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("mail", size=18, color=rx.color("accent", 10)),
                rx.heading(box.address, size="3", as_="h2", word_break="break-all"),
                rx.badge(box.key, variant="soft", color_scheme="gray"),
                rx.cond(
                    box.enabled,
                    rx.fragment(),
                    rx.badge("Disabled", color_scheme="amber", variant="soft"),
                ),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            rx.cond(
                ~box.enabled,
                rx.text(
                    "Not polled; the pipe and the HTTP endpoint answer “try later”, so senders’ servers keep its mail.",
                    size="2",
                    color=MUTED,
                ),
            ),
            _fact("New tickets", rx.text(box.type_name, size="2")),
            _fact(
                "Arrives by",
                rx.cond(box.imap, _code(box.imap), rx.text("the mail-transport pipe or HTTP", size="2")),
            ),
            rx.cond(
                box.imap & (box.imap_move_to != ""),
                _fact("Processed mail", rx.text("moved to ", _code(box.imap_move_to), size="2")),
            ),
            rx.cond(
                box.imap,
                _fact(
                    "Last poll",
                    rx.cond(
                        box.last_poll,
                        rx.text(local_time(box.last_poll), size="2"),
                        rx.text("not yet", size="2", color=MUTED),
                    ),
                ),
            ),
            rx.cond(
                box.error,
                rx.callout(
                    rx.text(rx.text.strong("Last poll failed: "), box.error),
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    width="100%",
                ),
            ),
            _fact("HTTP endpoint", _code("POST " + box.endpoint)),
            _fact("Pipe", _code(box.pipe)),
            _check_result(box),
            rx.divider(),
            _actions(box),
            spacing="3",
            width="100%",
        ),
        size="2",
        width="100%",
    )


def _message(message) -> rx.Component:
    colour = rx.match(
        message.outcome,
        *[(outcome, colour) for outcome, colour in OUTCOME_COLOURS.items()],
        "gray",
    )
    return rx.box(
        rx.vstack(
            rx.flex(
                rx.badge(message.outcome_word, color_scheme=colour, variant="soft"),
                rx.text(message.subject, size="2", weight="medium", flex="1", min_width="0", word_break="break-word"),
                rx.text(local_time(message.received), size="1", color=MUTED, white_space="nowrap"),
                align="center",
                spacing="2",
                wrap="wrap",
                width="100%",
            ),
            rx.text(message.sender, " · ", message.mailbox, size="1", color=MUTED, word_break="break-all"),
            rx.cond(message.detail, rx.text(message.detail, size="2")),
            rx.cond(
                message.ticket | message.may_process_again,
                rx.hstack(
                    rx.cond(
                        message.ticket,
                        rx.link(
                            rx.hstack(rx.icon("ticket", size=14), rx.text(message.ticket, size="2"), spacing="1"),
                            href=message.ticket_url,
                        ),
                    ),
                    rx.spacer(),
                    rx.cond(
                        message.may_process_again,
                        rx.button(
                            rx.icon("rotate-cw", size=14),
                            "Process again",
                            size="1",
                            variant="soft",
                            aria_label="Process again: " + message.subject,
                            on_click=S.process_again(message.id),
                        ),
                    ),
                    align="center",
                    width="100%",
                ),
            ),
            spacing="1",
            width="100%",
        ),
        padding="12px 16px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
    )


def _messages() -> rx.Component:
    return rx.vstack(
        rx.heading("Received mail", size="4", as_="h2"),
        rx.text("The last 100 messages, newest first.", size="2", color=MUTED),
        rx.cond(
            S.messages.length() > 0,
            rx.card(rx.foreach(S.messages, _message), padding="0", width="100%"),
            rx.text("No mail has arrived yet.", size="2", color=MUTED),
        ),
        spacing="2",
        width="100%",
    )


def mail_page() -> rx.Component:
    return app_page(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Projects", size="2"), align="center", spacing="1"),
            href=routes.ADMIN_PROJECTS,
            color=MUTED,
        ),
        page_header(
            "Mail of " + S.project_name,
            "Where mail reaches the project, and what became of each message.",
            _form_dialog(),
        ),
        rx.cond(S.new_secret_key != "", _new_secret()),
        rx.cond(
            S.boxes.length() > 0,
            rx.vstack(rx.foreach(S.boxes, _mailbox), spacing="3", width="100%", margin_bottom="24px"),
            rx.box(
                empty_state(
                    "mail",
                    "No mailboxes yet",
                    "Add a mailbox for an address people write to, then let TickIt fetch its mail over IMAP, "
                    "or point a mail-transport pipe or a relay's HTTP post at it.",
                ),
                margin_bottom="24px",
                width="100%",
            ),
        ),
        _messages(),
    )
