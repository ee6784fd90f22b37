"""/admin/projects/<key>/webhooks: where a project's events are posted, and how each delivery went."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.confirm import confirm
from tickit.components.forms import dialog_actions, field, form_error
from tickit.components.layout import app_page, empty_state, page_header
from tickit.components.local_time import local_time
from tickit.components.one_time_secret import secret_banner
from tickit.state.admin_webhooks import EVENT_CHOICES, NEW_SECRET_ID
from tickit.state.admin_webhooks import AdminWebhooksState as S

MUTED = rx.color("gray", 11)


def _error(key: str) -> rx.Var:
    return S.form_errors.get(key, "")


def _checkbox_line(control: rx.Component, title: str, hint: str = "") -> rx.Component:
    return rx.el.label(
        rx.hstack(
            control,
            rx.vstack(
                rx.text(title, size="2", weight="medium"),
                rx.text(hint, size="1", color=MUTED) if hint else rx.fragment(),
                spacing="0",
            ),
            align="start",
            spacing="2",
        )
    )


def _toggle(key: str):
    return lambda chosen: S.toggle_event(key, chosen)


def _event_choices() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(rx.text("Events to send", size="2", weight="medium"), margin_bottom="6px"),
        rx.grid(
            *[
                _checkbox_line(
                    rx.checkbox(
                        checked=S.form_events.contains(choice.key),
                        on_change=_toggle(choice.key),
                        margin_top="3px",
                    ),
                    choice.label,
                )
                for choice in EVENT_CHOICES
            ],
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="2",
        ),
        rx.cond(
            _error("event_types") != "",
            rx.text(_error("event_types"), size="1", color=rx.color("red", 11), role="alert"),
        ),
        border="none",
        padding="0",
        margin="0",
    )


def _form_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("plus", size=16), "New endpoint"), on_click=S.open_add),
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing_id == 0, "New webhook endpoint", "Edit webhook endpoint")),
            rx.dialog.description(
                "TickIt posts each chosen event to this URL as JSON, signed as Standard Webhooks says. "
                "The signing secret is shown once, right after you add the endpoint.",
                size="2",
                margin_bottom="12px",
            ),
            rx.form(
                rx.vstack(
                    form_error(_error("form")),
                    field(
                        "URL",
                        rx.input(
                            id="webhook-url",
                            name="url",
                            value=S.form_url,
                            on_change=S.set_form_url,
                            width="100%",
                            placeholder="https://example.com/tickit-events",
                            max_length=2000,
                            auto_focus=True,
                        ),
                        _error("url"),
                        "webhook-url",
                    ),
                    field(
                        "Description",
                        rx.input(
                            id="webhook-description",
                            name="description",
                            value=S.form_description,
                            on_change=S.set_form_description,
                            width="100%",
                            placeholder="What receives it (optional)",
                            max_length=500,
                        ),
                        _error("description"),
                        "webhook-description",
                    ),
                    _event_choices(),
                    _checkbox_line(
                        rx.checkbox(checked=S.form_private, on_change=S.set_form_private, margin_top="3px"),
                        "Allow a private address",
                        "For a receiver inside your network: a private or local address, and http as well as https.",
                    ),
                    dialog_actions(rx.cond(S.editing_id == 0, "Add endpoint", "Save")),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.save,
                reset_on_submit=False,
            ),
            max_width="520px",
        ),
        open=S.form_open,
        on_open_change=S.set_form_open,
    )


def _new_secret() -> rx.Component:
    return secret_banner(
        NEW_SECRET_ID,
        heading=["Signing secret of ", S.new_secret_url],
        explanation=rx.text(
            "Give it to the receiver, which checks every delivery's signature with it. ",
            rx.text.strong("It will not be shown again"),
            ". After a rotation the old secret keeps signing alongside this one for 24 hours.",
            size="2",
        ),
        label="Signing secret",
        region_label="New signing secret",
        what="Secret",
        on_done=S.dismiss_secret,
    )


def _status(endpoint) -> rx.Component:
    return rx.cond(
        endpoint.enabled,
        rx.cond(
            endpoint.failing_since != "",
            rx.badge("Failing since ", local_time(endpoint.failing_since), color_scheme="amber", variant="soft"),
            rx.badge("Enabled", color_scheme="green", variant="soft"),
        ),
        rx.badge("Disabled", color_scheme="gray", variant="soft"),
    )


def _actions(endpoint) -> rx.Component:
    return rx.hstack(
        rx.el.label(
            rx.hstack(
                rx.switch(
                    checked=endpoint.enabled,
                    on_change=lambda enabled: S.set_enabled(endpoint.id, enabled),
                    aria_label="Send events to " + endpoint.url,
                    size="1",
                ),
                rx.text("Enabled", size="2"),
                align="center",
                spacing="2",
            )
        ),
        rx.button("Delivery log", size="1", variant="soft", on_click=S.show_log(endpoint.id)),
        rx.button(
            "Send test event",
            size="1",
            variant="soft",
            on_click=S.send_test(endpoint.id),
            disabled=~endpoint.enabled,
        ),
        rx.button("Edit", size="1", variant="soft", on_click=S.open_edit(endpoint.id)),
        confirm(
            rx.button("Rotate secret", size="1", variant="soft", color_scheme="gray"),
            title="Rotate the signing secret?",
            consequence=(
                "A new secret is shown once. The old one keeps signing alongside it for 24 hours, "
                "so the receiver can switch without missing an event."
            ),
            action="Rotate secret",
            on_confirm=S.rotate(endpoint.id),
            danger=False,
        ),
        confirm(
            rx.button("Delete", size="1", variant="soft", color_scheme="red", aria_label="Delete " + endpoint.url),
            title=["Delete the endpoint ", endpoint.url, "?"],
            consequence="Events still waiting for it are dropped, and its delivery log goes with it.",
            action="Delete endpoint",
            on_confirm=S.delete(endpoint.id),
        ),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _endpoint(endpoint) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.code(endpoint.url, variant="ghost", size="3", word_break="break-all", weight="medium"),
                _status(endpoint),
                rx.cond(
                    endpoint.allow_private_address,
                    rx.badge("Private address allowed", color_scheme="blue", variant="soft"),
                ),
                align="center",
                spacing="2",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(endpoint.description != "", rx.text(endpoint.description, size="2")),
            rx.cond(
                ~endpoint.enabled & (endpoint.disabled_reason != ""),
                rx.callout(endpoint.disabled_reason, icon="circle-pause", color_scheme="amber", size="1"),
            ),
            rx.hstack(
                rx.foreach(
                    endpoint.event_labels, lambda label: rx.badge(label, variant="outline", color_scheme="gray")
                ),
                spacing="1",
                wrap="wrap",
            ),
            rx.cond(
                endpoint.previous_secret_until != "",
                rx.text(
                    "The previous secret signs too until ",
                    local_time(endpoint.previous_secret_until, relative=False),
                    ".",
                    size="1",
                    color=MUTED,
                ),
            ),
            _actions(endpoint),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _attempt(attempt) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.badge(
                attempt.status,
                color_scheme=rx.cond(attempt.succeeded, "green", "red"),
                variant="soft",
                min_width="72px",
                justify_content="center",
            ),
            rx.text(attempt.event_type, size="2", weight="medium"),
            rx.text(local_time(attempt.attempted_at), size="2", color=MUTED),
            rx.text(attempt.duration, size="2", color=MUTED),
            rx.spacer(),
            rx.button("Redeliver", size="1", variant="soft", on_click=S.redeliver(attempt.id)),
            align="center",
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        rx.text(
            rx.code(attempt.webhook_id, variant="ghost", size="1"),
            rx.cond(attempt.detail != "", rx.fragment(" · ", attempt.detail)),
            size="1",
            color=MUTED,
            word_break="break-all",
            margin_top="4px",
        ),
        padding="10px 0",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
    )


def _log() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("scroll-text", size=16),
                rx.heading("Delivery log", size="3", as_="h2"),
                rx.spacer(),
                rx.button(rx.icon("refresh-cw", size=14), "Refresh", size="1", variant="soft", on_click=S.refresh_log),
                rx.icon_button(
                    rx.icon("x", size=14), size="1", variant="ghost", aria_label="Close the log", on_click=S.close_log
                ),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.text(S.log_url, size="1", color=MUTED, word_break="break-all"),
            rx.text(
                "Every attempt of the last 30 days, newest first. A redelivery sends the same body under the "
                "same webhook-id, so a receiver that already took it can ignore it.",
                size="2",
                color=MUTED,
            ),
            rx.cond(
                S.log.length() > 0,
                rx.vstack(rx.foreach(S.log, _attempt), spacing="0", width="100%"),
                rx.text("No attempts yet.", size="2", color=MUTED),
            ),
            spacing="2",
            width="100%",
        ),
        role="region",
        aria_label="Delivery log",
        width="100%",
        margin_top="20px",
    )


def _no_endpoints() -> rx.Component:
    return empty_state(
        "webhook",
        "No webhooks yet",
        "A webhook tells another system (a CRM, a chat channel, your own service) about this project's tickets "
        "as they happen: filed, moved, assigned, answered, rated, or at risk of missing their SLA.",
    )


def webhooks_page() -> rx.Component:
    return app_page(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Projects", size="2"), align="center", spacing="1"),
            href=routes.ADMIN_PROJECTS,
            color=MUTED,
        ),
        page_header(
            "Webhooks of " + S.project_name,
            "Other systems hear of this project's tickets as they change: signed JSON posts, retried for "
            "three days when a receiver is down.",
            _form_dialog(),
        ),
        rx.cond(S.new_secret_url != "", _new_secret()),
        rx.cond(
            S.rows.length() > 0,
            rx.vstack(rx.foreach(S.rows, _endpoint), spacing="3", width="100%"),
            _no_endpoints(),
        ),
        rx.cond(S.log_id != 0, _log()),
    )
