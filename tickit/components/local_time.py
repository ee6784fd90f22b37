"""Times in the viewer's own time zone: the JSX glue beside this file (the browser's Intl; no library).

`local_time(iso)` renders "5 min ago", kept current, with the full date and time on hover, from an ISO 8601
UTC timestamp (`tickit.state.formatting.iso`); `relative=False` shows the full local time itself. The server
cannot know the viewer's zone, so it sends the instant and the browser words it.
"""

from __future__ import annotations

import reflex as rx


class LocalTime(rx.Component):
    """`LocalTime` from local_time.jsx."""

    library = rx.asset("local_time.jsx", shared=True).importable_path
    tag = "LocalTime"
    is_default = False

    iso: rx.Var[str]
    relative: rx.Var[bool]


def local_time(iso: rx.Var | str, *, relative: bool = True, **props) -> rx.Component:
    return LocalTime.create(iso=iso, relative=relative, **props)
