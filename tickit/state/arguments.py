"""Event handler arguments come from the browser: checked against the handler's annotations before it runs.

Reflex passes whatever JSON a page (or anyone holding its websocket) sends as a handler's keyword
arguments; it converts a few types and passes everything else through. A handler written for
`comment_id: int` would otherwise meet a string, a list, a number past any database column or a
missing argument, and fail with an exception. `checked` puts a gate in front of a handler: the
arguments are validated with pydantic against its annotations, whole numbers must fit the
database's integers, no text may hold what the database cannot store (`fields.unstorable_reason`:
a NUL, a lone surrogate), and a malformed call becomes a toast saying what was wrong, without
running the handler. `SessionState` gates every handler
its subclasses define.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Annotated, Any, get_type_hints

import pydantic
import reflex as rx

from tickit.services.fields import unstorable_reason

# Every id and count a handler passes on ends up in a 32-bit INTEGER column or comparison.
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_BoundedInt = Annotated[int, pydantic.Field(ge=_INT_MIN, le=_INT_MAX)]


class _Malformed(Exception):
    """The arguments do not fit the handler; the message says which and how."""


def checked(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` behind a gate that refuses malformed arguments with a toast; unchanged when it takes none."""
    if inspect.isgeneratorfunction(fn):
        return fn
    signature = inspect.signature(fn)
    if len(signature.parameters) <= 1:  # self only: nothing comes from the browser
        return fn
    validate = _validator(fn, signature)

    if inspect.isasyncgenfunction(fn):

        @functools.wraps(fn)
        async def streaming_gate(self, *args, **kwargs):
            try:
                arguments = validate(self, args, kwargs)
            except _Malformed as exc:
                yield _refusal(exc)
                return
            async for event in fn(self, **arguments):
                yield event

        return streaming_gate

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def gate(self, *args, **kwargs):
            try:
                arguments = validate(self, args, kwargs)
            except _Malformed as exc:
                return _refusal(exc)
            return await fn(self, **arguments)

        return gate

    @functools.wraps(fn)
    def sync_gate(self, *args, **kwargs):
        try:
            arguments = validate(self, args, kwargs)
        except _Malformed as exc:
            return _refusal(exc)
        return fn(self, **arguments)

    return sync_gate


def _validator(fn: Callable[..., Any], signature: inspect.Signature):
    hints = get_type_hints(fn, include_extras=True)
    names = list(signature.parameters)[1:]
    fields = {name: (_bounded(hints.get(name, Any)), ...) for name in names}
    model = pydantic.create_model(
        f"{fn.__name__}_arguments",
        __config__=pydantic.ConfigDict(arbitrary_types_allowed=True),
        **fields,  # type: ignore[call-overload]
    )

    def validate(self, args: tuple, kwargs: dict) -> dict[str, Any]:
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError as exc:  # a missing or unexpected argument
            raise _Malformed(str(exc)) from None
        given = {name: value for name, value in bound.arguments.items() if name in names}
        try:
            valid = model.model_validate(given)
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise _Malformed(f"{where}: {first['msg']}") from None
        arguments = {name: getattr(valid, name) for name in names}
        reason = _unstorable(arguments)
        if reason is not None:
            raise _Malformed(f"a text {reason}")
        return arguments

    return validate


def _bounded(hint: Any) -> Any:
    return _BoundedInt if hint is int else hint


def _unstorable(value: Any) -> str | None:
    """Why some text inside `value` (however nested) cannot be stored, or None."""
    if isinstance(value, str):
        return unstorable_reason(value)
    if isinstance(value, Mapping):
        parts: list[Any] = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple | set | frozenset):
        parts = list(value)
    else:
        return None
    return next((reason for part in parts if (reason := _unstorable(part)) is not None), None)


def _refusal(exc: _Malformed):
    return rx.toast.error(f"That request was malformed ({exc}); reload the page and try again.")
