"""Running a state's async handler from a synchronous test."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_handler(handler: Coroutine[Any, Any, T]) -> T:
    """Await `handler` on an event loop of its own, in a thread of its own.

    Not `asyncio.run` here: once the browser tests' Playwright (sync API) has started in this
    process, the main thread counts as running an event loop, and asyncio.run refuses it.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, handler).result()
