"""Intake benchmark: POST /integrations/v1/tickets against a bare INSERT ... RETURNING endpoint.

PRODUCT.md ("Performance budgets"): intake throughput and p99 latency under 32 concurrent clients
on PostgreSQL, as a ratio to a bare insert endpoint on the same stack, and replay throughput. The
targets: new tickets at least 0.35x and replays at least 0.5x the bare endpoint, in the same run.

One run:
1. creates a scratch PostgreSQL database (dropped at the end) and, when Redis answers, uses one
   Redis database (flushed at the end) for the rate counters and the Huey queue, as in production;
2. sets it up through the `tickit` CLI (migrations, a software-feedback project, an API client);
3. serves `bench/intake_app.py` (TickIt's API app plus `POST /bench/bare`) with uvicorn workers;
4. drives it from one asyncio (aiohttp) process with N concurrent keep-alive clients: a warm-up, then
   (1) bare inserts, (2) new tickets, each with a fresh Idempotency-Key, (3) replays of phase 2's
   keys with identical bodies, checking every status, header and replayed body;
5. prints one line per phase, the ratios, where the CPU went, and the parameters.

Run from the repository root: `.venv/bin/python bench/intake.py` (`--help` for the options).
It exits 1 when any request failed or the database does not hold what the answers promised.
`--trace` and `--cprofile DIR` run a single worker that reports where a request's time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.intake_app import BARE_PATH, CONTROL_PATH, CREATE_BARE_TABLE  # noqa: E402

TICKETS_PATH = "/integrations/v1/tickets"
PROJECT_KEY = "HH"
SEVERITIES = ("blocker", "major", "minor", "cosmetic")
PLATFORMS = ("Web", "iOS", "Android", "Windows", "macOS", "Linux")
PRIORITIES = ("low", "normal", "high", "urgent")
REPORTER_POOL = 20
NEW_TARGET_RATIO = 0.35  # new-ticket throughput, as a share of the bare insert endpoint's
REPLAY_TARGET_RATIO = 0.5  # replay throughput, likewise
NOISY_CORES = 0.25  # other processes using more than this during a phase make the figures unreliable
CLK_TCK = os.sysconf("SC_CLK_TCK")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/intake.py",
        description="Intake throughput and latency of POST /integrations/v1/tickets (new and replayed) "
        "against a bare INSERT ... RETURNING endpoint on the same uvicorn/FastAPI/SQLAlchemy stack, on PostgreSQL.",
    )
    parser.add_argument("--clients", type=int, default=32, help="concurrent keep-alive clients (default 32)")
    parser.add_argument(
        "--requests", type=int, default=2000, help="measured requests per phase (default 2000; ignored with --duration)"
    )
    parser.add_argument(
        "--duration", type=float, help="measure each phase for this many seconds instead of a fixed request count"
    )
    parser.add_argument(
        "--warmup", type=int, default=320, help="unmeasured requests of each kind before the phases (default 320)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help=f"uvicorn worker processes (default 2; this machine has {os.cpu_count()} CPU cores, which the load "
        "generator, PostgreSQL and Redis share with the workers)",
    )
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server to create the scratch db on"
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/15",
        help="Redis database for rate counters and the Huey queue; must be empty, is flushed at the end "
        "(default redis://127.0.0.1:6379/15; skipped when unreachable)",
    )
    parser.add_argument("--no-redis", action="store_true", help="run without Redis (counters in PostgreSQL)")
    parser.add_argument("--seed", type=int, default=1, help="seed for the request bodies (default 1)")
    parser.add_argument("--keep-db", action="store_true", help="leave the scratch database for inspection")
    profiling = parser.add_mutually_exclusive_group()
    profiling.add_argument(
        "--trace",
        action="store_true",
        help="one worker; time the parts of each request (spans, SQL statements, commits) and print them per phase",
    )
    profiling.add_argument(
        "--cprofile",
        metavar="DIR",
        type=Path,
        help="one worker under cProfile (event loop and thread pool); writes DIR/<phase>.prof and prints the top",
    )
    args = parser.parse_args(argv)
    if args.clients < 1 or args.requests < 1 or args.workers < 1 or args.warmup < 0:
        parser.error("--clients, --requests and --workers must be at least 1, --warmup at least 0")
    if (args.trace or args.cprofile) and args.workers != 1:
        args.workers = 1  # the per-phase figures are collected from the one worker
    return args


# --- set-up -------------------------------------------------------------------------------------------------


@dataclass
class Environment:
    database: str
    database_url: str
    redis_url: str | None
    data_dir: Path
    token: str
    env: dict[str, str]


def _admin_connection(pg: str) -> psycopg.Connection:
    return psycopg.connect(f"{pg}/postgres", autocommit=True, connect_timeout=5)


def _redis_url(args: argparse.Namespace) -> str | None:
    if args.no_redis:
        return None
    import redis

    client = redis.Redis.from_url(args.redis_url, socket_connect_timeout=1, socket_timeout=2)
    try:
        keys = client.dbsize()
    except redis.RedisError as exc:
        print(f"Redis at {args.redis_url} is not reachable ({exc}); running without Redis.", file=sys.stderr)
        return None
    finally:
        client.close()
    if keys:
        sys.exit(f"bench: Redis database {args.redis_url} holds {keys} keys; give an empty one with --redis-url")
    return args.redis_url


def _flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


def _tickit(env: dict[str, str], *argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from tickit.cli import main; sys.exit(main(sys.argv[1:]))", *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"tickit {' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


@contextmanager
def environment(args: argparse.Namespace) -> Iterator[Environment]:
    """A scratch database set up through the CLI, a temporary data dir and (maybe) a Redis db; removed after."""
    database = f"tickit_bench_{secrets.token_hex(4)}"
    redis_url = _redis_url(args)
    data_dir = Path(tempfile.mkdtemp(prefix="tickit-bench-"))
    with _admin_connection(args.pg) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        database_url = f"{args.pg}/{database}"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TICKIT_DATA_DIR": str(data_dir),
            "TICKIT_API_RATE_LIMIT": str(10**9),
            "SECRET_KEY": secrets.token_urlsafe(32),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        env.pop("REDIS_URL", None)
        if redis_url:
            env["REDIS_URL"] = redis_url
        _tickit(env, "db", "upgrade")
        _tickit(env, "project", "create", "--key", PROJECT_KEY, "--name", "Bench", "--template", "software-feedback")
        token = (
            _tickit(env, "api-client", "create", "--project", PROJECT_KEY, "--name", "bench").strip().splitlines()[-1]
        )
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(CREATE_BARE_TABLE)
        yield Environment(database, database_url, redis_url, data_dir, token, env)
    finally:
        if not args.keep_db:
            with _admin_connection(args.pg) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if redis_url:
            _flush_redis(redis_url)
        shutil.rmtree(data_dir, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def server(args: argparse.Namespace, env: Environment) -> Iterator[tuple[str, subprocess.Popen]]:
    """uvicorn serving bench.intake_app on a free port; stopped (SIGTERM, then SIGKILL) after."""
    port = _free_port()
    server_env = dict(env.env)
    if args.trace:
        server_env["BENCH_TRACE"] = "1"
    if args.cprofile:
        server_env["BENCH_CPROFILE_DIR"] = str(args.cprofile.resolve())
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "bench.intake_app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(args.workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=REPO, env=server_env, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {process.returncode} before serving")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("uvicorn did not start serving within 60 s") from None
                time.sleep(0.2)
        yield base_url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# --- CPU accounting -------------------------------------------------------------------------------------------


def _processes() -> dict[int, tuple[str, int, int]]:
    """pid -> (command name, parent pid, CPU ticks used) for every process we can read."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                raw = stat.read()
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        rest = raw[raw.rindex(")") + 2 :].split()
        found[int(entry.name)] = (name, int(rest[1]), int(rest[11]) + int(rest[12]))
    return found


def _busy_ticks() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values[:8]) - idle, sum(values[:8])


def _command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@dataclass
class CpuSnapshot:
    ticks: dict[int, tuple[str, int]]  # pid -> (group, CPU ticks used so far)
    busy: int
    total: int
    at: float


CPU_GROUPS = ("server", "postgres", "redis", "load generator")
# A backend's title: "postgres: 15/main: user database 127.0.0.1(port) state" (the cluster name is optional).
_BACKEND = re.compile(r"postgres: (?:\S+: )?\S+ (\S+) [\w.:\[\]]+\(\d+\)")


def cpu_snapshot(server_pid: int, database: str) -> CpuSnapshot:
    """CPU ticks used so far by the server (uvicorn and its workers), PostgreSQL, Redis and this process.

    PostgreSQL counts its backends serving the bench database and its shared processes (WAL writer,
    checkpointer...); backends of other databases on the same server count as other processes.
    """
    processes = _processes()
    server_pids = {server_pid}
    grew = True
    while grew:
        children = {pid for pid, (_, ppid, _) in processes.items() if ppid in server_pids} - server_pids
        server_pids |= children
        grew = bool(children)
    ticks = {}
    for pid, (name, _, used) in processes.items():
        if pid in server_pids:
            ticks[pid] = ("server", used)
        elif name == "postgres":
            backend = _BACKEND.match(_command_line(pid))
            if backend is None or backend.group(1) == database:
                ticks[pid] = ("postgres", used)
        elif name.startswith("redis-server"):
            ticks[pid] = ("redis", used)
        elif pid == os.getpid():
            ticks[pid] = ("load generator", used)
    busy, total = _busy_ticks()
    return CpuSnapshot(ticks, busy, total, time.monotonic())


@dataclass
class CpuUse:
    seconds: float
    cores: float  # busy cores, whoever used them
    by_group: dict[str, float]  # cores used by each group, and by "other processes"

    def line(self, requests: int) -> str:
        parts = ", ".join(f"{name} {cores:.2f}" for name, cores in self.by_group.items())
        per_request = ", ".join(
            f"{name} {self.by_group[name] * self.seconds / max(requests, 1) * 1000:.1f} ms"
            for name in ("server", "postgres")
        )
        return f"CPU: {self.cores:.2f} of {os.cpu_count()} cores busy ({parts}); CPU a request: {per_request}"


def cpu_use(before: CpuSnapshot, after: CpuSnapshot) -> CpuUse:
    """Cores used meanwhile, by group (a process that ended in between is missed)."""
    seconds = after.at - before.at
    cores = (after.busy - before.busy) / max(after.total - before.total, 1) * (os.cpu_count() or 1)
    used = dict.fromkeys(CPU_GROUPS, 0.0)
    for pid, (group, ticks) in after.ticks.items():
        used[group] += (ticks - before.ticks.get(pid, (group, 0))[1]) / CLK_TCK / seconds
    # Whatever else runs on the machine meanwhile; when it is large the figures are not to be trusted.
    used["other processes"] = max(cores - sum(used.values()), 0.0)
    return CpuUse(seconds, cores, used)


# --- load -----------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    latencies: list[float]
    elapsed: float
    errors: int
    first_errors: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)] if ordered else float("nan")

    def line(self) -> str:
        text = (
            f"{self.name}: {self.throughput:,.0f} req/s, p50 {self.percentile(50) * 1000:.1f} ms, "
            f"p99 {self.percentile(99) * 1000:.1f} ms ({len(self.latencies):,} requests in {self.elapsed:.1f} s"
        )
        return text + (f", {self.errors} FAILED)" if self.errors else ")")


@dataclass(frozen=True)
class Answer:
    path: str
    status: int
    headers: Mapping[str, str]
    body: bytes


# A request to send: path, body bytes, headers, and a check of the answer that returns an error or None.
Check = Callable[[Answer], str | None]
Request = tuple[str, bytes, dict[str, str], Check]


async def drive(
    client: aiohttp.ClientSession,
    name: str,
    make: Callable[[int], Request],
    *,
    clients: int,
    count: int | None,
    duration: float | None,
) -> Outcome:
    """Send make(0), make(1), ... from `clients` concurrent tasks until `count` are sent or `duration` is up."""
    latencies: list[float] = []
    errors: list[str] = []
    indices = iter(range(count)) if count is not None else itertools.count()  # shared by the tasks
    deadline = time.perf_counter() + duration if duration else math.inf

    async def one_client() -> None:
        for index in indices:
            if time.perf_counter() >= deadline:
                return
            path, body, headers, check = make(index)
            started = time.perf_counter()
            try:
                async with client.post(path, data=body, headers=headers) as response:
                    answer = Answer(path, response.status, response.headers, await response.read())
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors.append(f"{path}: {type(exc).__name__}: {exc}")
                continue
            latencies.append(time.perf_counter() - started)
            problem = check(answer)
            if problem:
                errors.append(problem)

    started = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    return Outcome(name, latencies, time.perf_counter() - started, len(errors), errors[:5])


def _expect(status: int, replay: bool, expected_body: bytes | None = None) -> Check:
    def check(answer: Answer) -> str | None:
        if answer.status != status:
            return (
                f"{answer.path}: expected {status}, got {answer.status}: {answer.body[:300].decode(errors='replace')}"
            )
        if replay and answer.headers.get("Idempotent-Replayed") != "true":
            return f"{answer.path}: a replay without Idempotent-Replayed: true"
        if expected_body is not None and answer.body != expected_body:
            return f"{answer.path}: the replayed body differs from the first answer"
        return None

    return check


class Workload:
    """The bodies and keys of one run: bare payloads, new tickets, and replays of the new tickets."""

    def __init__(self, token: str, seed: int) -> None:
        self.rng = random.Random(seed)
        self.auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.reporters = [(f"reporter{n}@example.com", f"Reporter {n}") for n in range(REPORTER_POOL)]
        self.sent: dict[str, bytes] = {}  # key -> body of each new ticket sent
        self.answers: dict[str, bytes] = {}  # key -> body of its 201
        self.check_created = _expect(201, replay=False)
        self.check_bare = _expect(201, replay=False)
        self.run = secrets.token_hex(4)

    def ticket_body(self, n: int) -> bytes:
        email, name = self.reporters[self.rng.randrange(REPORTER_POOL)]
        body = {
            "type": "bug",
            "title": f"Checkout button does nothing on step {n % 7 + 1} ({n})",
            "description": "After adding two items and opening the cart, the Checkout button shows a spinner "
            "for a second and then nothing happens. The console shows a 502 from /api/cart/checkout.",
            "priority": self.rng.choice(PRIORITIES),
            "reporter": {"email": email, "name": name},
            "fields": {
                "severity": self.rng.choice(SEVERITIES),
                "platform": self.rng.choice(PLATFORMS),
                "app_version": f"4.{n % 13}.{n % 5}",
            },
            "metadata": {"session": f"s-{n:08d}", "build": "2026.11.3", "locale": "en-GB"},
        }
        return json.dumps(body).encode()

    def bare(self, n: int) -> Request:
        return BARE_PATH, self.ticket_body(n), self.auth, self.check_bare

    def new_ticket(self, phase: str) -> Callable[[int], Request]:
        def make(n: int) -> Request:
            key = f"bench-{self.run}-{phase}-{n}"
            body = self.ticket_body(n)
            self.sent[key] = body

            def check(answer: Answer) -> str | None:
                problem = self.check_created(answer)
                if problem is None:
                    self.answers[key] = answer.body
                return problem

            return TICKETS_PATH, body, {**self.auth, "Idempotency-Key": key}, check

        return make

    def replay(self, phase: str) -> Callable[[int], Request]:
        keys = [key for key in self.answers if f"-{phase}-" in key]
        if not keys:
            raise RuntimeError(f"no ticket of phase {phase} was created, so there is nothing to replay")

        def make(n: int) -> Request:
            key = keys[n % len(keys)]
            headers = {**self.auth, "Idempotency-Key": key}
            return TICKETS_PATH, self.sent[key], headers, _expect(200, replay=True, expected_body=self.answers[key])

        return make


async def control(client: aiohttp.ClientSession, phase: str) -> str:
    """Ask the one worker for what it collected since the last call (with --trace or --cprofile)."""
    async with client.post(CONTROL_PATH, params={"phase": phase}, timeout=aiohttp.ClientTimeout(total=120)) as answer:
        answer.raise_for_status()
        return await answer.text()


@dataclass
class Run:
    outcomes: list[Outcome]  # bare, new, replay
    cpu: list[CpuUse]
    warm_up_errors: int
    tickets_created: int


async def run(args: argparse.Namespace, env: Environment, base_url: str, server_pid: int) -> Run:
    workload = Workload(env.token, args.seed)
    count = None if args.duration else args.requests
    # aiohttp, not httpx: measured here with 32 concurrent requests, httpx's pool spent about 5 ms of CPU a
    # request (aiohttp 0.35 ms), and the load generator shares the machine's cores with the server.
    connector = aiohttp.TCPConnector(limit=args.clients, limit_per_host=args.clients)
    profiling = args.trace or args.cprofile
    warm_up_errors = 0
    # One client for the whole run: each keep-alive connection stays with the worker that accepted it,
    # so every phase sees the same spread of connections over the workers.
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as client:
        if args.warmup:
            # Each phase's requests are made when it starts: replays need the tickets created before them.
            for name, requests in (
                ("warm-up bare", lambda: workload.bare),
                ("warm-up new", lambda: workload.new_ticket("warm")),
                ("warm-up replay", lambda: workload.replay("warm")),
            ):
                outcome = await drive(client, name, requests(), clients=args.clients, count=args.warmup, duration=None)
                warm_up_errors += outcome.errors
                if outcome.errors:
                    print(f"{outcome.line()}; first errors:", *outcome.first_errors, sep="\n  ")
            if profiling:
                await control(client, "warm-up")
        outcomes, cpu = [], []
        for name, slug, requests in (
            ("bare insert", "bare", lambda: workload.bare),
            ("new ticket", "new", lambda: workload.new_ticket("measured")),
            ("replay", "replay", lambda: workload.replay("measured")),
        ):
            before = cpu_snapshot(server_pid, env.database)
            outcome = await drive(client, name, requests(), clients=args.clients, count=count, duration=args.duration)
            used = cpu_use(before, cpu_snapshot(server_pid, env.database))
            outcomes.append(outcome)
            cpu.append(used)
            print(outcome.line(), flush=True)
            print(f"  {used.line(len(outcome.latencies))}")
            for problem in outcome.first_errors:
                print(f"  error: {problem}")
            if profiling:
                print("  " + (await control(client, slug)).rstrip().replace("\n", "\n  "), flush=True)
        return Run(outcomes, cpu, warm_up_errors, len(workload.answers))


def verify(env: Environment, workload_tickets: int) -> list[str]:
    """What the database holds after the run, against what the answers promised."""
    problems = []
    with psycopg.connect(env.database_url) as conn:
        tickets, numbers, keys, max_number = conn.execute(
            "SELECT count(*), count(DISTINCT number), count(DISTINCT idempotency_key), max(number) FROM tickets"
        ).fetchone()
        activity = conn.execute("SELECT count(*) FROM activity_entries").fetchone()[0]
        outbox = conn.execute("SELECT count(*) FROM notification_outbox").fetchone()[0]
    if not tickets == numbers == keys == max_number == workload_tickets:
        problems.append(
            f"expected {workload_tickets} tickets numbered 1..{workload_tickets} with distinct keys; found "
            f"{tickets} tickets, {numbers} numbers (max {max_number}), {keys} keys"
        )
    if activity != tickets or outbox != tickets:
        problems.append(f"{tickets} tickets but {activity} activity entries and {outbox} outbox rows")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.cprofile:
        args.cprofile.mkdir(parents=True, exist_ok=True)
    print("bench: creating the scratch database and starting uvicorn ...", file=sys.stderr, flush=True)
    with environment(args) as env:
        with server(args, env) as (base_url, process):
            print("bench: warming up, then measuring ...", file=sys.stderr, flush=True)
            result = asyncio.run(run(args, env, base_url, process.pid))
        bare, new, replay = result.outcomes
        new_ratio, replay_ratio = new.throughput / bare.throughput, replay.throughput / bare.throughput
        new_verdict = "met" if new_ratio >= NEW_TARGET_RATIO else "NOT met"
        replay_verdict = "met" if replay_ratio >= REPLAY_TARGET_RATIO else "NOT met"
        verdict = "met" if new_verdict == replay_verdict == "met" else "NOT met"
        print(f"new ticket / bare = {new_ratio:.2f}× throughput (target ≥ {NEW_TARGET_RATIO:.2f}×: {new_verdict})")
        print(f"replay / bare = {replay_ratio:.2f}× throughput (target ≥ {REPLAY_TARGET_RATIO:.2f}×: {replay_verdict})")
        print(
            f"p99 latency: new ticket / bare = {new.percentile(99) / bare.percentile(99):.2f}×, "
            f"replay / bare = {replay.percentile(99) / bare.percentile(99):.2f}×"
        )
        failed = sum(outcome.errors for outcome in result.outcomes) + result.warm_up_errors
        problems = verify(env, result.tickets_created) if not failed else []
        with psycopg.connect(env.database_url) as conn:
            postgres = f"{conn.info.parameter_status('server_version')} at {conn.info.host}:{conn.info.port}"
        print(
            f"parameters: {args.workers} uvicorn worker{'s' * (args.workers > 1)}, {args.clients} clients, "
            + (f"{args.duration:g} s per phase" if args.duration else f"{args.requests} requests per phase")
            + f", warm-up {args.warmup} of each; PostgreSQL {postgres}; "
            + (f"Redis {env.redis_url}" if env.redis_url else "no Redis (rate counters in PostgreSQL, Huey in SQLite)")
            + f"; {os.cpu_count()} CPU cores"
            + ("; PROFILING, figures not comparable" if args.trace or args.cprofile else "")
        )
        other = max(used.by_group["other processes"] for used in result.cpu)
        if other > NOISY_CORES:
            print(f"note: other processes on the machine used up to {other:.2f} cores during a phase; expect noise")
        print(
            f"intake: new ticket {new.throughput:,.0f} req/s (p50 {new.percentile(50) * 1000:.0f} ms, "
            f"p99 {new.percentile(99) * 1000:.0f} ms), replay {replay.throughput:,.0f} req/s "
            f"(p99 {replay.percentile(99) * 1000:.0f} ms), bare insert {bare.throughput:,.0f} req/s "
            f"(p99 {bare.percentile(99) * 1000:.0f} ms): {new_ratio:.2f}× and {replay_ratio:.2f}× of bare, "
            f"targets {NEW_TARGET_RATIO:.2f}× and {REPLAY_TARGET_RATIO:.2f}× {verdict} "
            f"({args.clients} clients, {args.workers} workers)"
        )
    for problem in problems:
        print(f"check failed: {problem}")
    if failed or problems:
        print(f"FAILED: {failed} requests failed, {len(problems)} database checks failed")
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:  # set-up or serving went wrong; the scratch database is already dropped
        sys.exit(f"bench: FAILED: {exc}")
