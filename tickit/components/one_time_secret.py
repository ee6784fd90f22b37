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
