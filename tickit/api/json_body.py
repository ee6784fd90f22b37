"""Reading an API request's JSON body within limits, before FastAPI validates it.

A body over 1 MiB (checked while it arrives), one that is not UTF-8 JSON, that says NaN or
Infinity, or that nests deeper than 32 levels is a problem of its own (413 or 400), not a
validation error. It is kept on the request and raised by `readable_body`, a dependency declared
after the client's admission, so that a bad token is a 401 whatever the body. A route class may
also check the caller in `before_body`: then nothing of the body is received from a caller it
refuses.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from tickit.api.problems import Problem

BODY_LIMIT_BYTES = 1024 * 1024
JSON_DEPTH_LIMIT = 32


class JSONBodyRoute(APIRoute):
    """A route whose request body is read by `_JSONBodyRequest` before FastAPI sees it."""

    async def before_body(self, request: Request) -> None:
        """Runs before the body is received; raising here refuses the request without reading it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def read_then_handle(request: Request) -> Response:
            limited = _JSONBodyRequest(request.scope, request.receive)
            await self.before_body(limited)
            await limited.read_within_limits()
            return await handle(limited)

        return read_then_handle


def readable_body(request: Request) -> None:
    """Raise the problem that stopped the body from being read, if one did."""
    problem = getattr(request.state, "unreadable_body", None)
    if problem is not None:
        raise problem


class _JSONBodyRequest(Request):
    _read: bytes = b""
    _parsed: Any = None

    async def read_within_limits(self) -> None:
        try:
            self._read = await self._receive_within_limit()
            self._parsed = _parse(self._read)
        except Problem as problem:
            # FastAPI then finds no body, and `readable_body` answers with the problem.
            self._read, self.state.unreadable_body = b"", problem

    async def body(self) -> bytes:
        return self._read

    async def json(self) -> Any:
        return self._parsed

    async def _receive_within_limit(self) -> bytes:
        declared = self.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > BODY_LIMIT_BYTES:
            raise Problem("payload-too-large", f"The body is {int(declared):,} bytes; the limit is 1 MiB.")
        received = bytearray()
        async for chunk in self.stream():
            received += chunk
            if len(received) > BODY_LIMIT_BYTES:
                raise Problem("payload-too-large", "The body is over the 1 MiB limit.")
        return bytes(received)


def _parse(received: bytes) -> Any:
    if not received.strip():
        raise Problem("malformed-request", "The body is empty; send the ticket as a JSON object.")
    try:
        body = json.loads(received.decode("utf-8"), parse_constant=_refuse_constant, parse_int=_integer)
    except UnicodeDecodeError:
        raise Problem("malformed-request", "The body is not valid UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise Problem(
            "malformed-request", f"The body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except (ValueError, RecursionError) as exc:
        raise Problem("malformed-request", f"The body is not valid JSON: {exc}.") from None
    if _depth(body) > JSON_DEPTH_LIMIT:
        raise Problem("malformed-request", f"The body nests deeper than {JSON_DEPTH_LIMIT} levels.")
    return body


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _integer(text: str) -> int | float:
    # Python refuses to convert integers of thousands of digits; as a float such a number is
    # infinite, which validation refuses at its field (no field takes a number that large).
    try:
        return int(text)
    except ValueError:
        return float(text)


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= JSON_DEPTH_LIMIT:
                stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest
