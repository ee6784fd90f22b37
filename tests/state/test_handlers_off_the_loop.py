"""Reflex runs handlers on the asyncio loop, so no handler may reach the database there.

In `tickit/state/` the database is reached only from code that runs in a worker thread: a function
or lambda taking a `session` parameter, handed to `SessionState.run`, which alone opens sessions.
This test reads the source: it fails when a handler or helper there opens a session or calls a service
with one itself (rather than in a function handed to the worker thread), or calls a synchronous method
of its own class that does.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

STATE_DIR = Path(__file__).resolve().parents[2] / "tickit" / "state"
# The one module that opens sessions, in a worker thread (SessionState.run and its kin).
SESSION_MODULE = "session.py"
DATABASE_NAMES = {"session_scope", "get_engine"}
SESSION_CLASS = "Session"  # constructing one opens a session; naming it in a type hint does not
# SessionState's methods that resolve the user or run a use case, each in a worker thread.
THREADED_METHODS = {"actor", "admit", "admit_and_read", "run", "read", "read_public"}


def _modules() -> list[Path]:
    return sorted(p for p in STATE_DIR.glob("*.py") if p.name != "__init__.py")


def _params(node: ast.AST) -> set[str]:
    args = node.args  # type: ignore[attr-defined]
    return {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}


def _calls_with_session(node: ast.AST) -> bool:
    """Whether `node` itself (not a nested function) opens a session or passes one to a call."""
    for child in _own_nodes(node):
        if isinstance(child, ast.Name) and child.id in DATABASE_NAMES:
            return True
        if isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id == SESSION_CLASS:
            return True
        if isinstance(child, ast.Call) and any(k.arg == "session" for k in child.keywords):
            return True
    return False


def _calls_threaded_helper(node: ast.AST) -> bool:
    return bool(_self_calls(node) & THREADED_METHODS)


def _own_nodes(node: ast.AST):
    """The nodes of a function body, not descending into nested functions and lambdas."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        yield child
        if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(child))


def _self_calls(node: ast.AST) -> set[str]:
    return {
        child.func.attr
        for child in _own_nodes(node)
        if isinstance(child, ast.Call)
        and isinstance(child.func, ast.Attribute)
        and isinstance(child.func.value, ast.Name)
        and child.func.value.id == "self"
    }


def _blocking_sync_functions(path: Path) -> list[str]:
    """Sync functions of a module that reach the database outside a worker thread, with why."""
    tree = ast.parse(path.read_text(), filename=str(path))
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)]
    # Code handed to a worker thread takes the session it is given.
    threaded = {id(f) for f in functions if "session" in _params(f)}
    methods = {f.name: f for f in functions if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)}
    reaches: dict[str, bool] = {}

    def reaches_database(name: str, seen: frozenset[str] = frozenset()) -> bool:
        if name not in reaches:
            method = methods[name]
            direct = isinstance(method, ast.FunctionDef) and _calls_with_session(method)
            nested = any(
                callee in methods and callee not in seen and reaches_database(callee, seen | {name})
                for callee in _self_calls(method)
                if isinstance(methods.get(callee), ast.FunctionDef)
            )
            reaches[name] = direct or nested
        return reaches[name]

    found = []
    for function in functions:
        if id(function) in threaded:
            continue
        name = getattr(function, "name", "<lambda>")
        line = f"{path.name}:{function.lineno} {name}"
        if _calls_with_session(function):
            found.append(f"{line} opens a session or calls a service with one on the event loop")
        elif isinstance(function, ast.AsyncFunctionDef):
            blocking = sorted(
                callee
                for callee in _self_calls(function)
                if isinstance(methods.get(callee), ast.FunctionDef) and reaches_database(callee)
            )
            if blocking:
                found.append(f"{line} calls {', '.join(blocking)}, which reaches the database on the event loop")
        elif _calls_threaded_helper(function):
            found.append(f"{line} resolves the user or runs a use case without awaiting it")
        elif isinstance(function, ast.FunctionDef) and reaches_database(name):
            found.append(f"{line} calls a method that reaches the database")
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_no_state_code_reaches_the_database_on_the_event_loop(path):
    if path.name == SESSION_MODULE:
        pytest.skip("the helper itself opens sessions, inside its worker thread")
    assert _blocking_sync_functions(path) == []


def test_the_check_finds_a_synchronous_handler_that_queries(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "class S:\n"
        "    def load(self):\n"
        "        self._fill()\n"
        "    def _fill(self):\n"
        "        with session_scope() as session:\n"
        "            return tickets.rows(session=session)\n"
        "    async def fine(self):\n"
        "        return await self.run(lambda session, actor: tickets.rows(session=session))\n"
        "    async def blocks(self):\n"
        "        with session_scope() as session:\n"
        "            return tickets.rows(session=session)\n"
        "    async def calls_blocking(self):\n"
        "        self._fill()\n"
    )
    assert _blocking_sync_functions(sample) == [
        "sample.py:2 load calls a method that reaches the database",
        "sample.py:4 _fill opens a session or calls a service with one on the event loop",
        "sample.py:9 blocks opens a session or calls a service with one on the event loop",
        "sample.py:12 calls_blocking calls _fill, which reaches the database on the event loop",
    ]
