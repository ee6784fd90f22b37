"""The clock behind live updates: the JSX glue beside this file (no library; a browser interval).

`ticker(seconds=3.0, on_tick=State.watch)` renders nothing and fires `on_tick` every `seconds` for as long
as it is on the page. A page that shows live data places one, so its watcher lives exactly as long as
the page in the tab (see `tickit.state.live`).
"""

from __future__ import annotations

import reflex as rx
from reflex.event import no_args_event_spec


class Ticker(rx.Component):
    """`Ticker` from live.jsx."""

    library = rx.asset("live.jsx", shared=True).importable_path
    tag = "Ticker"
    is_default = False

    seconds: rx.Var[float]

    on_tick: rx.EventHandler[no_args_event_spec]


ticker = Ticker.create
