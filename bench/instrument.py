"""Where a request's time goes, for `bench/intake.py --trace` and `--cprofile` (one uvicorn worker).

Nothing in `tickit/` is changed on disk: this module wraps, in the worker process only, the
functions the intake path calls through module attributes (so the wrappers are what runs), the
dialect's commit and ping, the pool's checkout and FastAPI's hand-off to the thread pool.

- trace (BENCH_TRACE=1): each wrapped part is a span; SQL statements are timed with SQLAlchemy's
  cursor events and labelled with the span they ran in; the time the project row stays locked
  (from the statement that numbers the ticket to the end of the commit) is measured per request.
- cprofile (BENCH_CPROFILE_DIR=dir): one cProfile profiler per thread (event loop and pool threads),
  timing CPU (`time.thread_time`), so the report shows what costs CPU rather than what waits.

`POST /bench/collected?phase=NAME` answers with a text report of what was collected since the last
call and starts afresh; with cProfile it also writes DIR/NAME.prof.
"""

from __future__ import annotations

import cProfile
import functools
import io
import os
import pstats
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from sqlalchemy import event

CONTROL_PATH = "/bench/collected"

_lock = threading.Lock()
_local = threading.local()
_stats: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])  # name -> [calls, seconds, max seconds]


def _record(name: str, seconds: float) -> None:
    with _lock:
        entry = _stats[name]
        entry[0] += 1
        entry[1] += seconds
        entry[2] = max(entry[2], seconds)


def _stack() -> list[str]:
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


@contextmanager
def span(name: str):
    stack = _stack()
    stack.append(name)
    started = time.perf_counter()
    try:
        yield
    finally:
        _record(name, time.perf_counter() - started)
        stack.pop()


def _timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with span(name):
            return func(*args, **kwargs)

    return wrapper


def _patch(module: Any, attribute: str, name: str) -> None:
    setattr(module, attribute, _timed(name, getattr(module, attribute)))


_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


def _statement_label(statement: str) -> str:
    verb = statement.split(None, 1)[0].upper()
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return f"{verb} SAVEPOINT" if verb != "SAVEPOINT" else "SAVEPOINT"
    table = _TABLE.search(statement)
    return f"{verb} {table.group(1) if table else '?'}"


def _install_trace(engine) -> None:
    from tickit.services import api_clients, fields, intake, ratelimit, tickets

    for module, attribute, name in (
        (api_clients, "admit", "api_clients.admit"),
        (ratelimit, "hit", "admit > ratelimit.hit"),
        (api_clients, "record_use", "admit > record_use"),
        (intake, "create_or_replay", "create_or_replay"),
        (intake, "_lookup", "_lookup (client, stored answer)"),
        (intake, "_stored_answer", "_stored_answer (race loser)"),
        (intake, "_file", "_file (in savepoint)"),
        (intake, "_person", "_file > _person"),
        (tickets, "file_ticket", "_file > file_ticket"),
        (fields, "clean_field_values", "file_ticket > clean_field_values"),
        (intake, "render", "_file > render"),
    ):
        _patch(module, attribute, name)

    # The outbox's after-commit hook calls the hand-off that importing tickit.tasks registers.
    from tickit import tasks  # noqa: F401
    from tickit.services import outbox

    _patch(outbox, "_hand_off", "after commit: enqueue_outbox (Huey)")

    dialect = engine.dialect
    original_commit, original_rollback, original_ping = dialect.do_commit, dialect.do_rollback, dialect.do_ping

    def do_commit(connection):
        started = time.perf_counter()
        try:
            original_commit(connection)
        finally:
            finished = time.perf_counter()
            _record(f"COMMIT [in {_context()}]", finished - started)
            _lock_released(finished)

    def do_rollback(connection):
        started = time.perf_counter()
        try:
            original_rollback(connection)
        finally:
            finished = time.perf_counter()
            _record("ROLLBACK (also the pool's reset when a connection is returned)", finished - started)
            _lock_released(finished)

    def do_ping(connection):
        with span("pool pre-ping (SELECT 1)"):
            return original_ping(connection)

    dialect.do_commit, dialect.do_rollback, dialect.do_ping = do_commit, do_rollback, do_ping

    original_connect = dialect.connect

    def connect(*args, **kwargs):
        with span("new PostgreSQL connection (pool below its size, or overflow)"):
            return original_connect(*args, **kwargs)

    dialect.connect = connect

    pool = engine.pool
    pool.connect = _timed("pool checkout (incl. pre-ping, waits, new connections)", pool.connect)

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        _local.statement_started = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        finished = time.perf_counter()
        label = _statement_label(statement)
        _record(f"  SQL {label} [in {_context()}]", finished - _local.statement_started)
        if label == "UPDATE projects":
            _local.project_locked_at = finished
        elif label == "UPDATE api_clients":
            _local.client_locked_at = finished


def _context() -> str:
    stack = _stack()
    return stack[-1] if stack else "-"


def _lock_released(at: float) -> None:
    locked = getattr(_local, "project_locked_at", None)
    if locked is not None:
        _record("project row lock held (UPDATE projects → end of COMMIT)", at - locked)
        _local.project_locked_at = None
    locked = getattr(_local, "client_locked_at", None)
    if locked is not None:
        _record("api_clients row lock held (usage UPDATE → end of COMMIT)", at - locked)
        _local.client_locked_at = None


def _trace_report(phase: str) -> str:
    with _lock:
        collected = dict(_stats)
        _stats.clear()
    requests = sum(calls for name, (calls, _, _) in collected.items() if name.startswith("request "))
    if not requests:
        return f"trace {phase}: no requests"
    lines = [f"trace {phase}: per request ({requests:,} requests), calls, mean ms a call, ms a request, max ms"]
    for name, (calls, seconds, longest) in sorted(collected.items(), key=lambda item: -item[1][1]):
        lines.append(
            f"  {name[:88]:<88} {calls / requests:6.2f} {seconds / calls * 1000:8.2f} "
            f"{seconds / requests * 1000:8.2f} {longest * 1000:8.1f}"
        )
    return "\n".join(lines)


# --- cProfile -------------------------------------------------------------------------------------------------

_profilers: list[cProfile.Profile] = []
_generation = [0]


def _thread_profiler() -> cProfile.Profile:
    if getattr(_local, "generation", None) != _generation[0]:
        # CPU time of the thread, not wall time: otherwise waits on PostgreSQL, row locks and the GIL dominate.
        _local.profiler = cProfile.Profile(time.thread_time)
        _local.generation = _generation[0]
        with _lock:
            _profilers.append(_local.profiler)
    return _local.profiler


def _profiled(func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args, **kwargs):
        profiler = _thread_profiler()
        profiler.enable()
        try:
            return func(*args, **kwargs)
        finally:
            profiler.disable()

    return wrapper


def _cprofile_report(phase: str, directory: Path) -> str:
    with _lock:
        collected = list(_profilers)
        _profilers.clear()
        _generation[0] += 1
    for profiler in collected:
        profiler.disable()
    stats = None
    for profiler in collected:
        profiler.create_stats()
        if not profiler.stats:
            continue
        if stats is None:
            stats = pstats.Stats(profiler)
        else:
            stats.add(profiler)
    # The event loop's profiler starts again for the next phase (the thread-pool ones start on first use).
    _thread_profiler().enable()
    if stats is None:
        return f"cprofile {phase}: nothing collected"
    path = directory / f"{phase}.prof"
    stats.dump_stats(path)
    out = io.StringIO()
    stats.stream = out
    stats.sort_stats("cumulative").print_stats(r"tickit/|bench/intake_app", 25)
    stats.sort_stats("tottime").print_stats(20)
    return f"cprofile {phase} (thread CPU seconds): wrote {path}\n" + _trim_pstats(out.getvalue())


def _trim_pstats(text: str) -> str:
    keep = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith(("Ordered by", "List reduced")):
            continue
        keep.append(line.replace(str(Path.cwd()) + "/", "").replace(os.path.dirname(os.__file__) + "/", ""))
    return "\n".join(keep)


def _patch_threadpool(wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Make every hand-off to the thread pool (sync handlers, the API's database threads, the bare one) wrap(func)."""
    import fastapi.dependencies.utils as dependency_utils
    from starlette.concurrency import run_in_threadpool

    import bench.intake_app as intake_app
    from tickit.api import v1

    async def wrapped_run_in_threadpool(func, *args, **kwargs):
        return await run_in_threadpool(wrap(func), *args, **kwargs)

    for module in (dependency_utils, v1, intake_app):
        module.run_in_threadpool = wrapped_run_in_threadpool

    # The API's own hop for admission and intake, with its own thread limit.
    in_database_thread = v1.in_database_thread

    async def wrapped_in_database_thread(func, *args):
        return await in_database_thread(wrap(func), *args)

    v1.in_database_thread = wrapped_in_database_thread


def _with_queue_wait(func: Callable[..., Any]) -> Callable[..., Any]:
    submitted = time.perf_counter()
    name = getattr(func, "__name__", type(func).__name__)

    def wrapper(*args, **kwargs):
        _record(f"thread-pool queue wait before {name}", time.perf_counter() - submitted)
        with span(f"thread: {name} (session, work, commit)"):
            return func(*args, **kwargs)

    return wrapper


def install(app: FastAPI) -> Any:
    """Instrument this process as the environment asks and return the ASGI app to serve."""
    from tickit.db import get_engine

    directory = os.environ.get("BENCH_CPROFILE_DIR")
    if os.environ.get("BENCH_TRACE"):
        _install_trace(get_engine())
        _patch_threadpool(_with_queue_wait)
    elif directory:
        _patch_threadpool(_profiled)

    @app.post(CONTROL_PATH, include_in_schema=False)
    async def collected(phase: str) -> PlainTextResponse:
        if directory:
            return PlainTextResponse(_cprofile_report(phase, Path(directory)))
        return PlainTextResponse(_trace_report(phase))

    async def timed_app(scope, receive, send):
        if scope["type"] != "http" or scope["path"] == CONTROL_PATH:
            return await app(scope, receive, send)
        if directory:
            _thread_profiler().enable()  # the event loop thread: stays on until the phase's report
            return await app(scope, receive, send)
        started = time.perf_counter()
        try:
            return await app(scope, receive, send)
        finally:
            _record(
                f"request {scope['method']} {scope['path']} (event loop, start to end)", time.perf_counter() - started
            )

    return timed_app
