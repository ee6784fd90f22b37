"""Web Push on this device: the JSX glue beside this file (no library; the browser's Push API).

`push_control(vapid_key=..., enabled_here=bool, on_browser=h, on_subscribe=h, on_unsubscribe=h)` shows one of:
unsupported browser (or a plain-http page), notifications blocked, enabled here (with "Disable on this device"),
or "Enable notifications on this device". Enabling asks permission, registers /sw.js at scope "/" and
subscribes with `vapid_key`. `on_browser` receives `{support, endpoint}` after each check (endpoint "" when
this browser holds no subscription), `on_subscribe` `{endpoint, p256dh, auth, application_server_key}` to
store, `on_unsubscribe` `{endpoint}` once the browser has dropped it.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import passthrough_event_spec


class PushControl(rx.Component):
    """`PushControl` from push_control.jsx."""

    library = rx.asset("push_control.jsx", shared=True).importable_path
    tag = "PushControl"
    is_default = False

    vapid_key: rx.Var[str]
    enabled_here: rx.Var[bool]

    on_browser: rx.EventHandler[passthrough_event_spec(dict[str, Any])]
    on_subscribe: rx.EventHandler[passthrough_event_spec(dict[str, Any])]
    on_unsubscribe: rx.EventHandler[passthrough_event_spec(dict[str, Any])]


push_control = PushControl.create
