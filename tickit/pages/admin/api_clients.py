"""/admin/projects/<key>/api-clients: the apps that file tickets into a project over the integration API."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.confirm import confirm
from tickit.components.forms import dialog_actions, field, form_error
from tickit.components.layout import app_page, empty_state, page_header
from tickit.components.local_time import local_time
from tickit.components.one_time_secret import secret_banner
from tickit.state.admin_api_clients import NEW_TOKEN_ID
from tickit.state.admin_api_clients import AdminApiClientsState as S

# A backend route: the browser must load it, not the single-page app's router.
API_DOCS = routes.API_PREFIX + "/docs"
COLUMNS = ("Name", "Token", "Created", "Last used", "Requests", "Status", "Reads", "")


def _create_error(key: str) -> rx.Var:
    return S.create_errors.get(key, "")


def _docs_link(text: str) -> rx.Component:
    # A new tab, so a token still on screen is not lost on the way to the docs.
    return rx.link(
        rx.hstack(rx.icon("book-open", size=14), rx.text(text, size="2"), align="center", spacing="1"),
        href=API_DOCS,
        reload_document=True,
        is_external=True,
    )


def _create_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("plus", size=16), "New API client"), on_click=S.open_create),
        rx.dialog.content(
            rx.dialog.title("New API client"),
            rx.dialog.description(
                "Name it after the app that will use it. Its token is shown once, right after you create it.",
                size="2",
                margin_bottom="12px",
            ),
            rx.form(
                rx.vstack(
                    form_error(_create_error("form")),
                    field(
                        "Name",
                        rx.input(
                            id="api-client-name",
                            name="name",
                            value=S.create_name,
                            on_change=S.set_create_name,
                            width="100%",
                            placeholder="Web shop",
                            max_length=100,
                            auto_focus=True,
                        ),
                        _create_error("name"),
                        "api-client-name",
                    ),
                    rx.el.label(
                        rx.hstack(
                            rx.checkbox(
                                checked=S.create_read_all,
                                on_change=S.set_create_read_all,
                                aria_label="May read all tickets of the project",
                                margin_top="3px",
                            ),
                            rx.vstack(
                                rx.text("May read all tickets of the project", size="2", weight="medium"),
                                rx.text(
                                    "Off, it reads back only the tickets it files.",
                                    size="1",
                                    color=rx.color("gray", 11),
                                ),
                                spacing="0",
                            ),
                            align="start",
                            spacing="2",
                        ),
                    ),
                    dialog_actions("Create client"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.create,
                reset_on_submit=False,
            ),
            max_width="460px",
        ),
        open=S.create_open,
        on_open_change=S.set_create_open,
    )


def _new_token() -> rx.Component:
    return secret_banner(
        NEW_TOKEN_ID,
        heading=["Token of ", S.new_token_client],
        explanation=rx.text(
            "Copy it now and keep it as a secret in the app that uses it. ",
            rx.text.strong("It will not be shown again"),
            ": TickIt keeps only a fingerprint of it. Lost it? Revoke the client and create a new one.",
            size="2",
        ),
        label="New API token",
        region_label="New API token of " + S.new_token_client,
        what="Token",
        on_done=S.dismiss_token,
    )


def _revoke(client) -> rx.Component:
    return confirm(
        rx.button("Revoke", size="1", variant="soft", color_scheme="red", aria_label="Revoke " + client.name),
        title=["Revoke ", client.name, "?"],
        consequence=(
            "Its token stops working at once: every request from an app still using it is refused. "
            "This cannot be undone; create a new client to connect the app again."
        ),
        action="Revoke client",
        on_confirm=S.revoke(client.id),
    )


def _row(client) -> rx.Component:
    muted = rx.color("gray", 11)
    return rx.table.row(
        rx.table.row_header_cell(rx.text(client.name, weight="medium")),
        rx.table.cell(rx.code(client.token_prefix, variant="soft", color_scheme="gray", white_space="nowrap")),
        rx.table.cell(rx.text(local_time(client.created), color=muted, white_space="nowrap")),
        rx.table.cell(
            rx.cond(
                client.last_used,
                rx.text(local_time(client.last_used), white_space="nowrap"),
                rx.text("never", color=muted),
            )
        ),
        rx.table.cell(rx.text(client.request_count), text_align="right"),
        rx.table.cell(
            rx.cond(
                client.revoked,
                rx.badge("Revoked ", client.revoked_on, color_scheme="gray", variant="soft"),
                rx.badge("Active", color_scheme="green", variant="soft"),
            )
        ),
        rx.table.cell(
            rx.cond(
                client.revoked,
                rx.text(rx.cond(client.may_read_all, "All tickets", "Its own tickets"), size="2"),
                rx.el.label(
                    rx.hstack(
                        rx.switch(
                            checked=client.may_read_all,
                            on_change=lambda read_all: S.set_read_all(client.id, read_all),
                            aria_label="May " + client.name + " read all tickets of the project",
                            size="1",
                        ),
                        rx.text(rx.cond(client.may_read_all, "All tickets", "Its own tickets"), size="2"),
                        align="center",
                        spacing="2",
                        white_space="nowrap",
                    ),
                ),
            ),
            title="An API client reads back the tickets it filed, or every ticket of the project when allowed.",
        ),
        rx.table.cell(rx.cond(client.revoked, rx.fragment(), _revoke(client)), text_align="right"),
        align="center",
        color=rx.cond(client.revoked, muted, rx.color("gray", 12)),
    )


def _clients() -> rx.Component:
    return rx.card(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h, text_align="right" if h == "Requests" else "left")
                        for h in COLUMNS
                    ]
                )
            ),
            rx.table.body(rx.foreach(S.rows, _row)),
            variant="ghost",
            width="100%",
        ),
        padding="0",
        width="100%",
    )


def _no_clients() -> rx.Component:
    return empty_state(
        "plug",
        "No API clients yet",
        "An API client is another app (a web shop, a monitoring tool, your own backend) that files tickets "
        "into this project over TickIt's integration API, with a token of its own that you can revoke.",
        _docs_link("Read the API docs"),
    )


def _how_to() -> rx.Component:
    curl = (
        "curl -X POST "
        + S.api_url
        + routes.API_TICKETS
        + ' \\\n  -H "Authorization: Bearer tk_…"'
        + ' \\\n  -H "Idempotency-Key: <unique id>"'
        + ' \\\n  -H "Content-Type: application/json"'
        + ' \\\n  -d \'{"type":"<type key>","title":"…"}\''
    )
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("terminal", size=16),
                rx.heading("How to use", size="3", as_="h2"),
                rx.spacer(),
                _docs_link("API docs"),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.text(
                "Send the token as a bearer token. Give every new ticket its own Idempotency-Key: "
                "a retry with the same key files nothing twice. ",
                rx.code("GET " + routes.API_PREFIX + routes.API_TICKET_TYPES, white_space="nowrap"),
                " lists the types and the fields they require.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.box(
                rx.el.pre(
                    curl,
                    margin="0",
                    font_family="var(--code-font-family)",
                    font_size="13px",
                    line_height="1.6",
                    white_space="pre-wrap",
                    word_break="break-all",
                ),
                rx.icon_button(
                    rx.icon("copy", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    aria_label="Copy example",
                    on_click=[rx.set_clipboard(curl), rx.toast.info("Example copied")],
                    position="absolute",
                    top="10px",
                    right="10px",
                ),
                position="relative",
                width="100%",
                padding="12px 44px 12px 14px",
                background=rx.color("gray", 2),
                border=f"1px solid {rx.color('gray', 5)}",
                border_radius="var(--radius-3)",
            ),
            spacing="3",
            width="100%",
        ),
        size="2",
        width="100%",
        margin_top="20px",
    )


def api_clients_page() -> rx.Component:
    return app_page(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Projects", size="2"), align="center", spacing="1"),
            href=routes.ADMIN_PROJECTS,
            color=rx.color("gray", 11),
        ),
        page_header(
            "API clients of " + S.project_name,
            "Apps that file tickets into this project over the integration API, each with its own token.",
            _create_dialog(),
        ),
        rx.cond(S.new_token_client != "", _new_token()),
        rx.cond(S.rows.length() > 0, _clients(), _no_clients()),
        _how_to(),
    )
