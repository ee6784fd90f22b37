"""/admin/organisations: customer organisations, their mail domains, sharing and managers."""

from __future__ import annotations

import reflex as rx

from tickit.components.forms import dialog_actions, field, form_error
from tickit.components.layout import app_page, empty_state, page_header
from tickit.state.admin_organisations import AdminOrganisationsState as S


def _error(key: str) -> rx.Var:
    return S.form_errors.get(key, "")


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_error(_error("form")),
            field(
                "Name",
                rx.input(id="org-name", name="name", default_value=S.draft_name, width="100%", placeholder="Acme Ltd"),
                _error("name"),
                "org-name",
            ),
            field(
                "Email domains",
                rx.text_area(
                    id="org-domains",
                    name="domains",
                    default_value=S.draft_domains,
                    width="100%",
                    rows="2",
                    placeholder="acme.com, acme.co.uk",
                ),
                _error("domains"),
                "org-domains",
                hint="Clients whose verified address is on one of these join the organisation.",
            ),
            field(
                "Managers",
                rx.text_area(
                    id="org-managers",
                    name="managers",
                    default_value=S.draft_managers,
                    width="100%",
                    rows="2",
                    placeholder="lead@acme.com",
                ),
                _error("managers"),
                "org-managers",
                hint="Email addresses of users who see all of the organisation's tickets.",
            ),
            rx.el.label(
                rx.hstack(
                    rx.switch(checked=S.draft_shares, on_change=S.set_draft_shares, id="org-shares"),
                    rx.text("Members see each other's tickets", size="2"),
                    align="center",
                    spacing="2",
                ),
            ),
            dialog_actions("Save organisation"),
            spacing="3",
            width="100%",
        ),
        on_submit=S.save,
        reset_on_submit=False,
        # A new key per opening, so the fields start from what is being edited.
        key=S.editing_id.to_string() + S.draft_name,
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing_id == 0, "New organisation", "Edit organisation")),
            rx.dialog.description(
                "A customer company: its people can share tickets; staff see which one a requester belongs to.",
                size="2",
                margin_bottom="12px",
            ),
            _form(),
            max_width="480px",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )


def _fact(label: str, value: rx.Var, empty: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        rx.text(rx.cond(value != "", value, empty), size="2", word_break="break-word"),
        spacing="0",
        min_width="0",
    )


def _card(row) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(row.name, size="4", as_="h2", word_break="break-word"),
                rx.spacer(),
                rx.button(
                    rx.icon("pencil", size=14),
                    "Edit",
                    size="1",
                    variant="soft",
                    on_click=S.open_edit(row.id),
                    aria_label="Edit " + row.name,
                ),
                align="center",
                width="100%",
            ),
            rx.hstack(
                rx.cond(
                    row.shares_tickets,
                    rx.badge("Members see each other's tickets", color_scheme="green", variant="soft"),
                    rx.badge("Members see only their own tickets", color_scheme="gray", variant="soft"),
                ),
                rx.badge(
                    row.member_count.to_string() + rx.cond(row.member_count == 1, " member", " members"),
                    color_scheme="gray",
                    variant="outline",
                ),
                wrap="wrap",
                spacing="2",
            ),
            rx.grid(
                _fact("Email domains", row.domains, "None: members are added on the users page"),
                _fact("Managers", row.managers, "None"),
                columns=rx.breakpoints(initial="1", sm="2"),
                gap="3",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def organisations_page() -> rx.Component:
    return app_page(
        page_header(
            "Organisations",
            "The companies your requesters belong to.",
            rx.button(rx.icon("building-2", size=16), "New organisation", on_click=S.open_new),
        ),
        _dialog(),
        rx.cond(
            S.rows.length() > 0,
            rx.vstack(rx.foreach(S.rows, _card), spacing="3", width="100%"),
            empty_state(
                "building-2",
                "No organisations yet",
                "Group requesters by company: give it their mail domain and they join as they sign up.",
            ),
        ),
    )
