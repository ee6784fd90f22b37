"""Board benchmark: first render of a 2,000-ticket board in headless Chromium, and drop → persisted move.

Issue: "with 2,000 tickets in one type, prints the board's first render time in headless Chromium and
the median time from drop to persisted move. Targets: ≤ 1.5 s and ≤ 100 ms."

One run:
1. starts `tickit serve` (production build) on a free port against a temporary data dir (SQLite there,
   or a scratch PostgreSQL database with --pg), reading the first admin's password from its banner;
   its frontend is built in test-artifacts/bench-web, kept between runs so packages install once;
2. creates project HH (software-feedback) and an agent member through the `tickit` CLI, and inserts the
   tickets of type bug in one transaction, spread evenly over its six statuses, half assigned to the agent;
3. signs the agent in through the real /login form in headless Chromium, then
   - first render: N times, a fresh page opens /tickets/board?project=HH&type=bug; measured from the
     navigation start (performance.now() in the page) until every column is in the DOM with the
     database's count in its label and its cards rendered (all of them, or its first window plus a
     "Show N more" button for exactly the rest);
   - drop → persisted: M times, the first card of New is moved to Triaged with the keyboard (focus,
     Space, ArrowRight, Space: the same dnd-kit path and `on_move` event as a mouse drop); measured from
     the dropping Space key's event in the page (its wall clock) until the bench's own database
     connection sees the ticket's new status (committed), and until the card is drawn in the Triaged
     column (the page's clock);
4. prints one line per figure (median and p95) against the targets, and where the time went (from the
   page's own clock: when the websocket opened and when the board's data arrived, for a render; when the
   drop left the page as an event and when the server's answer came back, for a move); stops the server,
   removes the data.

Run from the repository root: `.venv/bin/python bench/board.py` (`--help` for the options).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TICKIT = REPO / ".venv" / "bin" / "tickit"
NODE_BIN = REPO / ".tools" / "node" / "node_modules" / ".bin"
WEB_WORKDIR = REPO / "test-artifacts" / "bench-web"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PROJECT_KEY, TYPE_KEY = "HH", "bug"
BOARD_PATH = f"/tickets/board?project={PROJECT_KEY}&type={TYPE_KEY}"
AGENT_EMAIL, AGENT_NAME, AGENT_PASSWORD = "bench.agent@example.com", "Bench Agent", "correct horse battery"
RENDER_TARGET_S, MOVE_TARGET_S = 1.5, 0.100
START_TIMEOUT_S = 600
WORDS = (
    "export login page report upload crash slow sync timeout invoice search filter button dashboard mobile "
    "printer password email calendar avatar chart settings import notification session"
).split()

# In the page: the board is fully drawn when every column shows the database's count and its cards
# (all of them, or the first window plus a "Show N more" button naming exactly the rest).
BOARD_DRAWN_JS = """(expected) => {
  const columns = document.querySelectorAll("section[data-column]");
  if (columns.length !== Object.keys(expected).length) return false;
  for (const column of columns) {
    const want = expected[column.dataset.column];
    const label = column.getAttribute("aria-label") || "";
    const count = Number((label.match(/, (\\d+) tickets?$/) || [])[1]);
    if (count !== want) return false;
    const cards = column.querySelectorAll("a[data-ticket]").length;
    const more = column.querySelector("[data-more]");
    const hidden = more ? Number(more.dataset.more) : 0;
    if (cards + hidden !== want || cards === 0 && want > 0) return false;
  }
  return performance.now();
}"""


# In the page, before the app's scripts: the time and size of every websocket frame and of the last key press,
# so a figure splits into the network, the server and the browser's share.
TIMELINE_JS = """(() => {
  const Native = window.WebSocket;
  const frames = (window.__benchFrames = []);
  window.__benchKey = 0;
  window.addEventListener("keydown", () => (window.__benchKey = performance.now()), true);
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("open", () => frames.push({ dir: "open", at: performance.now(), size: 0 }));
      this.addEventListener("message", (event) =>
        frames.push({ dir: "in", at: performance.now(), size: String(event.data).length }));
    }
    send(data) {
      frames.push({ dir: "out", at: performance.now(), size: String(data).length });
      return super.send(data);
    }
  };
})()"""

# The render's timeline: the websocket opened, and the biggest frame in (the board's data) arrived.
RENDER_TIMELINE_JS = """() => {
  const frames = window.__benchFrames || [];
  const open = frames.find((f) => f.dir === "open");
  const data = frames
    .filter((f) => f.dir === "in")
    .reduce((big, f) => (f.size > (big ? big.size : -1) ? f : big), null);
  return { open: open ? open.at : null, data: data ? data.at : null, size: data ? data.size : 0 };
}"""

# The drop's timeline, from the dropping key press: its event sent, and the first frame back after it.
MOVE_TIMELINE_JS = """() => {
  const key = window.__benchKey;
  const frames = window.__benchFrames || [];
  const sent = frames.find((f) => f.dir === "out" && f.at >= key);
  const answer = sent && frames.find((f) => f.dir === "in" && f.at >= sent.at);
  return { sent: sent ? sent.at - key : null, answer: answer ? answer.at - key : null, size: answer ? answer.size : 0 };
}"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/board.py",
        description="First render of a large Kanban board in headless Chromium, and the time from a drop to the "
        "persisted move, against a real `tickit serve` (production build).",
    )
    parser.add_argument("--tickets", type=int, default=2000, help="tickets of type bug (default 2000)")
    parser.add_argument("--renders", type=int, default=10, help="measured first renders, fresh page each (default 10)")
    parser.add_argument("--moves", type=int, default=20, help="measured moves New → Triaged (default 20)")
    parser.add_argument(
        "--pg",
        metavar="SERVER_URL",
        help="run on PostgreSQL: create a scratch database on this server (e.g. postgresql://postgres@127.0.0.1:5432), "
        "dropped at the end; default SQLite in the temporary data dir",
    )
    parser.add_argument("--viewport", default="1600x900", help="browser window WIDTHxHEIGHT (default 1600x900)")
    parser.add_argument("--screenshots", metavar="DIR", type=Path, help="also save the board in light and dark here")
    parser.add_argument("--keep", action="store_true", help="keep the data dir (and scratch database) for inspection")
    args = parser.parse_args(argv)
    if args.tickets < 6 or args.renders < 1 or args.moves < 1:
        parser.error("--tickets must be at least 6, --renders and --moves at least 1")
    if args.moves > args.tickets // 6:
        parser.error("--moves must not exceed the cards in New (a sixth of --tickets)")
    if not re.fullmatch(r"\d+x\d+", args.viewport):
        parser.error("--viewport must look like 1600x900")
    return args


# --- set-up ------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tickit(env: dict[str, str], *argv: str) -> str:
    done = subprocess.run(
        [str(TICKIT), *argv], cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"tickit {' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _status(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (OSError, ValueError):
        return 0, ""


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Server:
    url: str
    env: dict[str, str]
    database_url: str
    log: Path


@contextmanager
def scratch_database(args: argparse.Namespace, data_dir: Path) -> Iterator[str]:
    if not args.pg:
        yield f"sqlite:///{data_dir / 'tickit.db'}"
        return
    import psycopg

    name = f"tickit_bench_board_{secrets.token_hex(4)}"
    with psycopg.connect(f"{args.pg}/postgres", autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{args.pg}/{name}"
    finally:
        if not args.keep:
            with psycopg.connect(f"{args.pg}/postgres", autocommit=True, connect_timeout=5) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server(args: argparse.Namespace) -> Iterator[Server]:
    """`tickit serve` on a free port with its own data dir; stopped (process group) and removed after."""
    data_dir = Path(tempfile.mkdtemp(prefix="tickit-bench-board-"))
    port = _free_port()
    try:
        with scratch_database(args, data_dir) as database_url:
            env = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("SMTP_", "GOOGLE_", "REDIS_")) and k not in ("SECRET_KEY", "TICKIT_ADMIN_EMAIL")
            }
            env.update(
                TICKIT_DATA_DIR=str(data_dir),
                DATABASE_URL=database_url,
                TICKIT_PORT=str(port),
                APP_URL=f"http://127.0.0.1:{port}",
                REFLEX_WEB_WORKDIR=str(WEB_WORKDIR),
                REFLEX_STATES_WORKDIR=str(data_dir / "states"),
                REFLEX_USE_NPM="1",
                REFLEX_TELEMETRY_ENABLED="false",
                PATH=os.pathsep.join([str(NODE_BIN), os.environ.get("PATH", "")]),
                PYTHONUNBUFFERED="1",
            )
            log = data_dir / "server.log"
            with log.open("w") as out:
                process = subprocess.Popen(
                    [str(TICKIT), "serve"],
                    cwd=REPO,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            try:
                yield _started(process, Server(f"http://127.0.0.1:{port}", env, database_url, log))
            finally:
                _stop(process)
    finally:
        if args.keep:
            print(f"bench: kept {data_dir}", file=sys.stderr)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def _started(process: subprocess.Popen, srv: Server) -> Server:
    deadline = time.monotonic() + START_TIMEOUT_S
    seeded = False
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"`tickit serve` exited with {process.returncode}:\n{_tail(srv.log)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"`tickit serve` did not come up in {START_TIMEOUT_S} s:\n{_tail(srv.log)}")
        if not seeded and re.search(r"^\s*Password:\s+\S+", srv.log.read_text(errors="replace"), re.MULTILINE):
            seeded = True  # migrations are done: seed while the frontend builds
            yield_seed(srv)
        if seeded:
            status, body = _status(f"{srv.url}/login")
            if status == 200 and "TickIt" in body:
                return srv
        time.sleep(0.5)


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=45)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


SEED_ARGS: dict[str, int] = {}


def yield_seed(srv: Server) -> None:
    """The project, the agent and the tickets: CLI for the first two, one bulk insert for the tickets."""
    env = srv.env
    _tickit(env, "project", "create", "--key", PROJECT_KEY, "--name", "Happy Helpdesk", "--template=software-feedback")
    _tickit(
        env,
        "user",
        "create",
        f"--email={AGENT_EMAIL}",
        f"--name={AGENT_NAME}",
        "--role=agent",
        f"--password={AGENT_PASSWORD}",
    )
    _tickit(env, "project", "member", "add", "--role=agent", PROJECT_KEY, AGENT_EMAIL)
    started = time.perf_counter()
    insert_tickets(srv.database_url, SEED_ARGS["tickets"])
    print(
        f"bench: inserted {SEED_ARGS['tickets']:,} tickets in {time.perf_counter() - started:.1f} s; "
        "waiting for the frontend build ...",
        file=sys.stderr,
        flush=True,
    )


def _engine(database_url: str):
    from sqlalchemy import create_engine

    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return create_engine(database_url)


def insert_tickets(database_url: str, count: int) -> None:
    """`count` bugs in HH, round-robin over the statuses, board ranks 1.. per column, half assigned to the agent."""
    from sqlalchemy import insert, select, update
    from sqlmodel import Session

    from tickit.models import Project, Ticket, TicketStatus, TicketType, User

    rng = random.Random(1)
    engine = _engine(database_url)
    try:
        with Session(engine) as session:
            project = session.execute(select(Project).where(Project.key == PROJECT_KEY)).scalar_one()
            type_id = session.execute(
                select(TicketType.id).where(TicketType.project_id == project.id, TicketType.key == TYPE_KEY)
            ).scalar_one()
            statuses = session.execute(
                select(TicketStatus.id).where(TicketStatus.type_id == type_id).order_by(TicketStatus.sort_order)
            ).all()
            agent_id = session.execute(select(User.id).where(User.email == AGENT_EMAIL)).scalar_one()
            start = project.last_ticket_number
            now = time.time()
            rows = []
            for n in range(count):
                status_id = statuses[n % len(statuses)][0]
                created = datetime.fromtimestamp(now, UTC) - timedelta(minutes=rng.randrange(60 * 24 * 90))
                title = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 9))).capitalize()
                rows.append(
                    {
                        "project_id": project.id,
                        "type_id": type_id,
                        "status_id": status_id,
                        "number": start + n + 1,
                        "title": f"{title} ({n + 1})",
                        "description": "Steps: open the page, click the button, nothing happens.",
                        "priority": rng.choice(("low", "normal", "high", "urgent")),
                        "assignee_id": agent_id if n % 2 else None,
                        "source": "web",
                        "fields": {
                            "severity": rng.choice(("blocker", "major", "minor", "cosmetic")),
                            "platform": rng.choice(("Web", "iOS", "Android", "Linux")),
                            "app_version": f"4.{n % 13}.{n % 5}",
                        },
                        "metadata_": {},
                        "board_rank": float(n // len(statuses) + 1),
                        "created_at": created,
                        "updated_at": created,
                    }
                )
            session.execute(insert(Ticket), rows)
            session.execute(update(Project).where(Project.id == project.id).values(last_ticket_number=start + count))
            session.commit()
    finally:
        engine.dispose()


# --- measuring -----------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


def figure(values: list[float]) -> str:
    return (
        f"median {statistics.median(values) * 1000:,.0f} ms, p95 {percentile(values, 95) * 1000:,.0f} ms "
        f"(min {min(values) * 1000:,.0f}, max {max(values) * 1000:,.0f}; {len(values)} runs)"
    )


def verdict(value: float, target: float) -> str:
    return f"target ≤ {target * 1000:,.0f} ms: {'met' if value <= target else 'NOT met'}"


class Database:
    """The bench's own connection: column counts, and polling a ticket's committed status."""

    def __init__(self, database_url: str):
        from sqlalchemy import text

        self.engine = _engine(database_url)
        self.text = text

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                self.text(
                    "SELECT s.key, count(t.id) FROM ticket_statuses s JOIN ticket_types y ON y.id = s.type_id "
                    "JOIN projects p ON p.id = y.project_id LEFT JOIN tickets t ON t.status_id = s.id "
                    "WHERE p.key = :p AND y.key = :y GROUP BY s.key"
                ),
                {"p": PROJECT_KEY, "y": TYPE_KEY},
            ).all()
        return {key: count for key, count in rows}

    def status_of(self, conn, number: int) -> str:
        return conn.execute(
            self.text(
                "SELECT s.key FROM tickets t JOIN ticket_statuses s ON s.id = t.status_id "
                "JOIN projects p ON p.id = t.project_id WHERE p.key = :p AND t.number = :n"
            ),
            {"p": PROJECT_KEY, "n": number},
        ).scalar_one()

    def wait_for_status(self, number: int, status: str, timeout: float = 10.0) -> float:
        """time.time() when the ticket's committed status is `status` (polled about every 2 ms: oftener, the
        polling itself takes a PostgreSQL server's CPU from the app being measured)."""
        deadline = time.perf_counter() + timeout
        with self.engine.connect() as conn:
            while True:
                found = self.status_of(conn, number)
                conn.rollback()  # a fresh snapshot each poll
                seen = time.time()
                if found == status:
                    return seen
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"{PROJECT_KEY}-{number} still {found} {timeout:.0f} s after the drop")
                time.sleep(0.002)


@dataclass
class Results:
    renders: list[float]
    payload_bytes: list[int]
    committed: list[float]
    drawn: list[float]
    socket_open: list[float]  # navigation start → websocket open
    data_in: list[float]  # navigation start → the board's data received
    data_sizes: list[int]
    event_sent: list[float]  # dropping key → the move event sent
    answer_in: list[float]  # dropping key → the server's first frame after it
    answer_sizes: list[int]


# Started before the drop: notes (each animation frame) when the card first shows in the Triaged column.
WATCH_DRAWN_JS = """(number) => {
  window.__benchDrawn = null;
  const check = () => {
    if (document.querySelector(`section[data-column='triaged'] a[data-ticket='${number}']`)) {
      window.__benchDrawn = performance.now();
    } else {
      requestAnimationFrame(check);
    }
  };
  requestAnimationFrame(check);
}"""

OVER_JS = """() => [...document.querySelectorAll("[id^='DndLiveRegion']")].map((n) => n.textContent).join(" ")"""


def over_triaged(page, number: str) -> None:
    """ArrowRight until the lifted card is announced over Triaged (dnd-kit may first land on a card of New)."""
    for _ in range(4):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(50)
        if "is over Triaged" in page.evaluate(OVER_JS):
            return
    page.keyboard.press("Escape")
    raise RuntimeError(f"the keyboard could not bring {number} over Triaged: {page.evaluate(OVER_JS)!r}")


def screenshots(context, directory: Path) -> None:
    """The board in light and dark, the whole page (each column ends with its "Show more"), and with a card lifted."""
    directory.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page = context.new_page()
        page.emulate_media(color_scheme=scheme)
        page.add_init_script(f"localStorage.setItem('chakra-ui-color-mode', '{scheme}')")
        page.goto(BOARD_PATH)
        page.locator("section[data-column] a[data-ticket]").first.wait_for()
        page.wait_for_timeout(500)
        page.screenshot(path=str(directory / f"board-{scheme}.png"), full_page=True)
        page.locator("section[data-column='new'] a[data-ticket]").first.focus()
        page.keyboard.press("Space")
        page.locator("section[data-drop='legal']").first.wait_for()
        page.wait_for_timeout(300)
        page.screenshot(path=str(directory / f"board-{scheme}-lifted.png"))
        page.keyboard.press("Escape")
        page.close()
        print(f"bench: screenshots {directory}/board-{scheme}.png, board-{scheme}-lifted.png", file=sys.stderr)


def measure(args: argparse.Namespace, srv: Server) -> Results:
    from playwright.sync_api import sync_playwright

    width, height = (int(part) for part in args.viewport.split("x"))
    db = Database(srv.database_url)
    expected = db.counts()
    renders, payloads, committed, drawn = [], [], [], []
    socket_open, data_in, data_sizes, event_sent, answer_in, answer_sizes = [], [], [], [], [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": width, "height": height}, base_url=srv.url)
            context.set_default_timeout(30_000)
            context.add_init_script(TIMELINE_JS)
            page = context.new_page()
            page.goto("/login")
            page.get_by_label("Email").fill(AGENT_EMAIL)
            page.get_by_label("Password").fill(AGENT_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/login" not in url)
            page.close()

            for run in range(args.renders + 1):  # the first one warms the server and the browser cache
                page = context.new_page()
                received = [0]
                page.on(
                    "websocket",
                    lambda ws, received=received: ws.on(
                        "framereceived", lambda frame: received.__setitem__(0, received[0] + len(frame))
                    ),
                )
                page.goto(BOARD_PATH, wait_until="commit")
                at = page.wait_for_function(BOARD_DRAWN_JS, arg=expected, polling="raf", timeout=60_000).json_value()
                if run:
                    renders.append(at / 1000)
                    payloads.append(received[0])
                    timeline = page.evaluate(RENDER_TIMELINE_JS)
                    socket_open.append(timeline["open"] / 1000)
                    data_in.append(timeline["data"] / 1000)
                    data_sizes.append(timeline["size"])
                if run < args.renders:
                    page.close()

            print_renders(args, renders, payloads)
            if args.screenshots:
                screenshots(context, args.screenshots)

            # The last page stays open for the moves: the first card of New, dropped on Triaged with the keyboard.
            new = page.locator("section[data-column='new']")
            for _ in range(args.moves):
                card = new.locator("a[data-ticket]").first
                number = card.get_attribute("data-ticket")
                card.focus()
                page.keyboard.press("Space")
                page.locator("[id^='DndLiveRegion']").filter(has_text="Picked up").wait_for(state="attached")
                over_triaged(page, number)
                page.evaluate(WATCH_DRAWN_JS, number)
                page.keyboard.press("Space")
                seen = db.wait_for_status(int(number.rsplit("-", 1)[1]), "triaged")
                # From the key event in the page (its wall clock), not from Playwright's call, whose own
                # round trip to the browser is no part of the app.
                key_at = page.evaluate("() => (performance.timeOrigin + window.__benchKey) / 1000")
                committed.append(seen - key_at)
                drawn_at = page.wait_for_function(
                    "() => window.__benchDrawn && window.__benchDrawn - window.__benchKey"
                )
                drawn.append(drawn_at.json_value() / 1000)
                page.wait_for_function(  # the server has answered (the board may have drawn the drop before)
                    "() => { const key = window.__benchKey, frames = window.__benchFrames || [];"
                    " const sent = frames.find((f) => f.dir === 'out' && f.at >= key);"
                    " return !!sent && frames.some((f) => f.dir === 'in' && f.at >= sent.at); }"
                )
                timeline = page.evaluate(MOVE_TIMELINE_JS)
                event_sent.append(timeline["sent"] / 1000)
                answer_in.append(timeline["answer"] / 1000)
                answer_sizes.append(timeline["size"])
                page.wait_for_function(  # the card has left New before the next one is picked
                    f"() => !document.querySelector(\"section[data-column='new'] a[data-ticket='{number}']\")"
                )
            browser.close()
    finally:
        db.engine.dispose()
    return Results(
        renders, payloads, committed, drawn, socket_open, data_in, data_sizes, event_sent, answer_in, answer_sizes
    )


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:,.0f} ms"


def print_renders(args: argparse.Namespace, renders: list[float], payloads: list[int]) -> None:
    print(
        f"first render of the {args.tickets:,}-ticket board: {figure(renders)}; "
        f"{verdict(statistics.median(renders), RENDER_TARGET_S)}"
    )
    print(
        "  (navigation start → every column in the DOM with its count and its cards; "
        f"{statistics.median(payloads) / 1024:,.0f} KiB received over the websocket)",
        flush=True,
    )


def print_breakdown(result: Results) -> None:
    """Medians, on the page's clock: where a render's and a drop's time went."""
    print(
        f"  render timeline: websocket open at {ms(result.socket_open)}, board data "
        f"({statistics.median(result.data_sizes) / 1024:,.0f} KiB frame) in at {ms(result.data_in)}, "
        f"drawn at {ms(result.renders)}"
    )
    print(
        f"  drop timeline: event sent {ms(result.event_sent)} after the key, server's answer "
        f"({statistics.median(result.answer_sizes) / 1024:,.1f} KiB frame) in at {ms(result.answer_in)}"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    SEED_ARGS["tickets"] = args.tickets
    if not Path(CHROMIUM).exists():
        sys.exit(f"bench: {CHROMIUM} is missing (apt-get install chromium)")
    print(
        f"bench: starting tickit serve (frontend built in {WEB_WORKDIR.relative_to(REPO)}) ...",
        file=sys.stderr,
        flush=True,
    )
    with server(args) as srv:
        print("bench: measuring ...", file=sys.stderr, flush=True)
        result = measure(args, srv)
    move = statistics.median(result.committed)
    database = "PostgreSQL" if args.pg else "SQLite"
    print(f"drop → move committed in the database: {figure(result.committed)}; {verdict(move, MOVE_TARGET_S)}")
    print(f"drop → card drawn in its new column: {figure(result.drawn)}")
    print(
        "  (keyboard drop New → Triaged, timed from the dropping key's event in the page; committed = the "
        "bench's own connection sees the new status)"
    )
    print_breakdown(result)
    print(
        f"parameters: {args.tickets:,} tickets of {PROJECT_KEY}/{TYPE_KEY} over 6 columns, {args.renders} renders, "
        f"{args.moves} moves, viewport {args.viewport}, {database}, {os.cpu_count()} CPU cores"
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, TimeoutError) as exc:
        sys.exit(f"bench: FAILED: {exc}")
