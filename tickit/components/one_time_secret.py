"""A secret shown once (a new API token, a generated password), never held in Reflex's state.

Reflex pickles state to `.states/` or Redis, so a secret in a state var would outlive the moment
it is shown. Instead the handler that makes the secret returns `reveal(...)`: a script that goes
to this one browser in the event's own message and writes the secret into the element that shows
it. The state keeps only whether the element is shown; the secret lives in that element's text
until the page changes or is reloaded, and nowhere on the server.
"""

from __future__ import annotations

import json

import reflex as rx

# The element may not be in the page yet when the script runs (the update that shows it arrives
# in the same message): look for it once a frame, for about two seconds.
_REVEAL = """(function (id, secret) {
  let frames = 0;
  (function put() {
    const element = document.getElementById(id);
    if (element) { element.textContent = secret; }
    else if (frames++ < 120) { requestAnimationFrame(put); }
  })();
})(%s, %s)"""
_COPY = "navigator.clipboard.writeText(document.getElementById(%s).textContent)"


def reveal(element_id: str, secret: str) -> rx.event.EventSpec:
    """The event that shows `secret` in the element `element_id` of this browser's page only."""
    return rx.call_script(_REVEAL % (json.dumps(element_id), json.dumps(secret)))


def secret_text(element_id: str, label: str, **props) -> rx.Component:
    """The element a `reveal` fills: empty as rendered, so no build or state update carries the secret."""
    return rx.code("", id=element_id, aria_label=label, **props)


def copy_secret(element_id: str, what: str) -> list:
    """Copy the shown secret from the page (the state has no copy of it), then say so."""
    return [rx.call_script(_COPY % json.dumps(element_id)), rx.toast.info(f"{what} copied")]


def secret_banner(
    element_id: str, *, heading: list, explanation: rx.Component, label: str, region_label, what: str, on_done
) -> rx.Component:
    """The green box that shows a secret just made (a `reveal` fills it, labelled `label`), with Copy and Done."""
    title = rx.heading(*heading, size="3", as_="h2", color=rx.color("green", 12))
    return rx.box(
        rx.vstack(
            rx.hstack(rx.icon("key-round", size=18, color=rx.color("green", 11)), title, align="center", spacing="2"),
            explanation,
            rx.hstack(
                secret_text(element_id, label, size="3", variant="ghost", word_break="break-all", flex="1"),
                rx.button(
                    rx.icon("copy", size=14),
                    "Copy",
                    variant="soft",
                    color_scheme="green",
                    aria_label=f"Copy {what.lower()}",
                    on_click=copy_secret(element_id, what),
                ),
                align="center",
                spacing="3",
                width="100%",
                padding="10px 12px",
                background=rx.color("gray", 1),
                border=f"1px solid {rx.color('green', 6)}",
                border_radius="var(--radius-3)",
            ),
            rx.hstack(rx.button("Done", color_scheme="green", on_click=on_done), justify="end", width="100%"),
            spacing="3",
            width="100%",
        ),
        role="region",
        aria_label=region_label,
        padding="16px 20px",
        margin_bottom="20px",
        background=rx.color("green", 2),
        border=f"1px solid {rx.color('green', 7)}",
        border_left=f"4px solid {rx.color('green', 9)}",
        border_radius="var(--radius-4)",
        width="100%",
    )
