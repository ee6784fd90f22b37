"""Live updates: every few seconds an open page asks whether what it shows has changed.

Every watcher has the same shape: the page carries a `components.live.ticker` that fires the state's
`watch` event, and `watch` hands `tick` what to fetch and how to show it. The browser drives the ticks,
so a watcher lives exactly as long as its page in the tab: a tab that moves on or closes sends no more,
and the server never needs to know which tabs are still connected.

Each tick is an ordinary event run through `SessionState.read`, so the viewer's session and the service's
access check run again every time, in a worker thread and a read-only transaction: a signed-out or
deactivated viewer is sent to sign in, and one who may no longer see the page (a demoted agent, a member
removed from the project) gets the page's own refusal, within one tick. That check is why nothing is
shared between viewers any more: the stamp query (an indexed lookup or two) is the access check itself,
so one viewer's answer cannot stand in for another's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session

from tickit.services.actors import UserPublic
from tickit.state.session import SessionState

T = TypeVar("T")


async def tick(
    state: SessionState,
    fetch: Callable[[Session, UserPublic], T],
    show: Callable[[T], Any],
    *,
    refused: Any = None,
) -> Any:
    """One tick of a watcher: `fetch(session, actor)`, which only reads, for the viewer; then `show(value)`.

    Returns what the watch handler should: the events `show` returns; a redirect to sign in when the
    viewer's session is gone; `refused` (typically the page's load event, which shows what the viewer may
    now see) when the service refuses them.
    """
    outcome = await state.read(fetch)
    if outcome.ok:
        return show(outcome.value)  # what `fetch` returned, None included
    return refused if outcome.errors else outcome.event
