"""Does one slow search freeze everyone else's tabs? Round trips of ordinary UI events beside it.

Starts `tickit serve` (production build) on a free port of 127.0.0.1 with a fresh data directory,
seeds admin accounts, a project and enough tickets that a search matching none of them takes at
least half a second in the database, and opens Chromium. One tab searches the ticket list back to
back; twenty others, each its own signed-in browser context, repeat ordinary events that hit the
database in states of their own:

- /profile: flip the "mail" notification switch (ProfileState.set_notify_by_mail, a write)
  and save a new name in the details form (ProfileState.save_name, a write);
- /admin/projects: open a project's members dialog (AdminProjectsState.open_members, a read).

A round trip is measured in the page, from dispatching the event to the mutation that shows its
effect in the DOM (the switch flipped, the sidebar showing the new name, the dialog listing the
members). The tabs first do `--quiet-events` each with no search running (what the machine itself
costs), then `--events` each beside the searches; each phase ends after `--seconds` at the latest.
It prints the search's own duration in the database and the p50/p95 of both phases' round trips.
Target beside the search: p95 <= 100 ms.

    PYTHONPATH=$PWD .venv/bin/python bench/ui_concurrency.py [--tickets 150000] [--tabs 20]

The app measured is the `tickit` package on PYTHONPATH (its checkout is the app root), so this file
can measure another checkout. The database is a fresh SQLite file unless DATABASE_URL names an
empty PostgreSQL database (there the search is index-backed; the printed duration says how slow).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import re
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
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.async_api import Browser, Page, async_playwright

PASSWORD = "correct horse battery"
PROJECT_KEY, PROJECT_NAME = "BN", "Bench"
MEMBERS = 3  # bench accounts added to the project, so its members dialog lists people
# A word no seeded ticket contains, so the search reads every ticket and comment.
MISSING_WORD = "zqxjv"
# Settings a shell may carry that would point the app elsewhere than this run's data (DATABASE_URL is read).
FOREIGN_SETTINGS = ("REDIS_URL", "SECRET_KEY", "APP_URL", "TICKIT_PORT", "TICKIT_DATA_DIR", "TICKIT_ADMIN_EMAIL")
START_TIMEOUT_SECONDS = 900  # the first start builds the frontend
EFFECT_TIMEOUT_MS = 60_000
THINK_SECONDS = (0.2, 0.6)  # pause between one tab's events, as a person would
_renames = itertools.count(1)  # each new name differs from every earlier one
WORDS = (
    "printer network vpn password reset outlook mailbox laptop screen keyboard access denied slow crash "
    "update invoice export report dashboard login timeout certificate backup restore disk quota"
).split()

# Measures in the page: dispatch, then resolve with the milliseconds until `effect()` holds.
ROUND_TRIP_JS = """
window.__roundTrip = (dispatch, effect, timeoutMs) => new Promise((resolve, reject) => {
  const start = performance.now();
  const observer = new MutationObserver(() => {
    if (effect()) { observer.disconnect(); clearTimeout(timer); resolve(performance.now() - start); }
  });
  const timer = setTimeout(() => { observer.disconnect(); reject(new Error("no effect in time")); }, timeoutMs);
  observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  dispatch();
});
"""

FLIP_SWITCH_JS = """(timeoutMs) => {
  const control = document.getElementById("notify-mail");
  const before = control.getAttribute("data-state");
  return window.__roundTrip(() => control.click(), () => control.getAttribute("data-state") !== before, timeoutMs);
}"""

SAVE_NAME_JS = """([name, timeoutMs]) => {
  const input = document.getElementById("profile-name");
  input.value = name;
  const shown = () => document.body.textContent.includes(name);
  return window.__roundTrip(() => input.form.requestSubmit(), shown, timeoutMs);
}"""

OPEN_MEMBERS_JS = """([label, email, timeoutMs]) => window.__roundTrip(
  () => document.querySelector(`[aria-label="${label}"]`).click(),
  () => (document.querySelector("[role=dialog]")?.textContent ?? "").includes(email),
  timeoutMs,
)"""

SEARCH_JS = """([word, timeoutMs]) => {
  const input = document.querySelector("input[name=q]");
  // React tracks the value it last rendered; the native setter makes the input event count as typing.
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(input, word);
  input.dispatchEvent(new Event("input", {bubbles: true}));
  return window.__roundTrip(
    () => input.form.requestSubmit(), () => document.body.textContent.includes(`search \u201c${word}\u201d`), timeoutMs,
  );
}"""


@dataclass(frozen=True)
class Server:
    url: str
    env: dict[str, str]
    process: subprocess.Popen


def _app_root() -> Path:
    """The checkout whose `tickit` package is on PYTHONPATH: that is the app this run measures."""
    import tickit

    return Path(tickit.__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return 0


def _wait(what: str, check, server: Server, log: Path, deadline: float) -> None:
    while not check():
        if server.process.poll() is not None:
            sys.exit(f"`tickit serve` exited while waiting for {what}; see {log}")
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {what}; see {log}")
        time.sleep(0.5)


def start_server(root: Path, data_dir: Path, log: Path) -> Server:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_SETTINGS and not k.startswith("SMTP_")}
    env.update(
        TICKIT_DATA_DIR=str(data_dir),
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'tickit.db'}",
        TICKIT_PORT=str(port),
        APP_URL=f"http://127.0.0.1:{port}",
        # Its own build folder, kept between runs: the frontend packages are installed into it once.
        REFLEX_WEB_WORKDIR=str(root / "test-artifacts" / "bench-web"),
        REFLEX_STATES_WORKDIR=str(data_dir / "states"),
        PYTHONUNBUFFERED="1",
    )
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("tickit")), "serve"],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Server(url=f"http://127.0.0.1:{port}", env=env, process=process)


def stop_server(server: Server) -> None:
    """SIGTERM to `tickit serve` and its children (its own process group); SIGKILL to what outlives it."""
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=45)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)


def _description(rnd: random.Random) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(120))


def seed(env: dict[str, str], accounts: int, ticket_count: int) -> list[str]:
    """Bench admins, a project with members, and `ticket_count` tickets; returns the admins' emails."""
    # The app reads its settings once, from the environment: this process takes the server's.
    os.environ.update(env)
    from sqlalchemy import insert
    from sqlmodel import select

    from tickit.db import session_scope
    from tickit.models import MemberRole, Role, Ticket, TicketStatus, TicketType
    from tickit.services import access, project_setup, projects, templates, users
    from tickit.services.actors import SYSTEM

    emails = [f"bench{i:02d}@example.com" for i in range(accounts)]
    with session_scope() as session:
        for i, email in enumerate(emails):
            users.create_user(
                session=session, actor=SYSTEM, email=email, name=f"Bench Admin {i}", role=Role.ADMIN, password=PASSWORD
            )
        project_setup.create_project(
            session=session,
            actor=SYSTEM,
            key=PROJECT_KEY,
            name=PROJECT_NAME,
            workflow=templates.load_template("it-helpdesk"),
        )
        for email in emails[:MEMBERS]:
            projects.add_member(
                session=session, actor=SYSTEM, project_key=PROJECT_KEY, email=email, project_role=MemberRole.AGENT
            )
        project = access.get_project(session, PROJECT_KEY)
        ticket_type = session.exec(select(TicketType).where(TicketType.project_id == project.id)).first()
        status = session.exec(
            select(TicketStatus).where(TicketStatus.type_id == ticket_type.id, TicketStatus.is_initial)
        ).one()
        reporter = users.find_by_email(session, emails[0])
        project_id, type_id, status_id, reporter_id = project.id, ticket_type.id, status.id, reporter.id
    rnd = random.Random(12)
    batch = 5_000
    for first in range(1, ticket_count + 1, batch):
        rows = [
            {
                "project_id": project_id,
                "type_id": type_id,
                "status_id": status_id,
                "number": number,
                "title": " ".join(rnd.choice(WORDS) for _ in range(6)),
                "description": _description(rnd),
                "reporter_id": reporter_id,
            }
            for number in range(first, min(first + batch, ticket_count + 1))
        ]
        with session_scope() as session:
            session.execute(insert(Ticket.__table__), rows)
    return emails


def search_seconds(admin_email: str) -> float:
    """How long the ticket list's search for a missing word takes in the database, for an admin (best of 3)."""
    from tickit.db import session_scope
    from tickit.services import ticket_list, users
    from tickit.services.actors import UserPublic

    with session_scope() as session:
        actor = UserPublic.of(users.find_by_email(session, admin_email))
    query = ticket_list.from_query_params({"q": [MISSING_WORD]})
    durations = []
    for _ in range(3):
        with session_scope() as session:
            started = time.perf_counter()
            ticket_list.list_tickets(session=session, actor=actor, query=query)
            durations.append(time.perf_counter() - started)
    return min(durations)


def _session_cookie(url: str, email: str) -> dict:
    """Sign in through the sign-in form's own route; the session cookie it sets, for a browser context."""
    # The form's own page is the origin a browser would name; the route refuses any other.
    answer = httpx.post(
        f"{url}/auth/login", data={"email": email, "password": PASSWORD}, headers={"Origin": url}, timeout=30
    )
    token = answer.cookies.get("tickit_session")
    if answer.status_code != 303 or not token:
        sys.exit(f"signing in {email} failed: {answer.status_code} {answer.headers.get('location')}")
    return {"name": "tickit_session", "value": token, "url": url}


async def _open_tab(browser: Browser, url: str, email: str, path: str, ready: str) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    await context.add_cookies([_session_cookie(url, email)])
    await context.add_init_script(ROUND_TRIP_JS)
    page = await context.new_page()
    await page.goto(url + path)
    # The page's load event has run once the sidebar names the user.
    await page.get_by_text(ready, exact=True).first.wait_for(timeout=EFFECT_TIMEOUT_MS)
    return page


async def _profile_events(page: Page, tab: int, count: int, until: float, times: list[float]) -> None:
    for i in range(count):
        if time.monotonic() > until:
            return
        if i % 2:
            name = f"Bench Admin {tab} v{next(_renames)}"
            times.append(await page.evaluate(SAVE_NAME_JS, [name, EFFECT_TIMEOUT_MS]))
        else:
            times.append(await page.evaluate(FLIP_SWITCH_JS, EFFECT_TIMEOUT_MS))
        await asyncio.sleep(random.uniform(*THINK_SECONDS))


async def _members_events(page: Page, member: str, count: int, until: float, times: list[float]) -> None:
    for _ in range(count):
        if time.monotonic() > until:
            return
        times.append(await page.evaluate(OPEN_MEMBERS_JS, [f"Members of {PROJECT_NAME}", member, EFFECT_TIMEOUT_MS]))
        await page.keyboard.press("Escape")
        await page.locator("[role=dialog]").wait_for(state="detached", timeout=EFFECT_TIMEOUT_MS)
        await asyncio.sleep(random.uniform(*THINK_SECONDS))


async def _searches(page: Page, stop: asyncio.Event, times: list[float]) -> None:
    while not stop.is_set():
        word = f"{MISSING_WORD}{len(times)}"
        times.append(await page.evaluate(SEARCH_JS, [word, EFFECT_TIMEOUT_MS]))


async def _ordinary_events(pages: list[Page], emails: list[str], count: int, seconds: float) -> list[float]:
    """Every tab does `count` events (or stops after `seconds`); their round trips in ms."""
    times: list[float] = []
    until = time.monotonic() + seconds
    await asyncio.gather(
        *(
            _profile_events(page, 1 + tab, count, until, times)
            if tab % 2 == 0
            else _members_events(page, emails[0], count, until, times)
            for tab, page in enumerate(pages)
        )
    )
    return times


@dataclass(frozen=True)
class Figures:
    quiet: list[float]  # ordinary round trips with no search running, ms
    beside: list[float]  # ordinary round trips while the searches run, ms
    searches: list[float]  # the search's round trips in its tab, ms


async def drive(url: str, emails: list[str], args: argparse.Namespace) -> Figures:
    """Open the tabs; run ordinary events alone, then beside back-to-back searches."""
    searches: list[float] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            searcher = await _open_tab(browser, url, emails[0], "/tickets", "Bench Admin 0")
            pages = []
            for tab in range(args.tabs):
                path = "/profile" if tab % 2 == 0 else "/admin/projects"
                pages.append(await _open_tab(browser, url, emails[1 + tab], path, f"Bench Admin {1 + tab}"))
            quiet = await _ordinary_events(pages, emails, args.quiet_events, args.seconds)
            stop = asyncio.Event()
            searching = asyncio.create_task(_searches(searcher, stop, searches))
            # Let the first search reach the database before the ordinary events start.
            await asyncio.sleep(0.2)
            beside = await _ordinary_events(pages, emails, args.events, args.seconds)
            stop.set()
            await searching
        finally:
            await browser.close()
    return Figures(quiet=quiet, beside=beside, searches=searches)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=20, help="tabs doing ordinary events")
    parser.add_argument("--events", type=int, default=20, help="events per tab beside the search")
    parser.add_argument("--quiet-events", type=int, default=4, help="events per tab first, with no search running")
    parser.add_argument("--seconds", type=float, default=60, help="at most this long for the ordinary events")
    parser.add_argument("--tickets", type=int, default=150_000, help="tickets to seed for the slow search")
    args = parser.parse_args()

    root = _app_root()
    data_dir = Path(tempfile.mkdtemp(prefix="tickit-bench-ui-"))
    log = root / "test-artifacts" / "bench-ui-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = start_server(root, data_dir, log)
    try:
        started = time.monotonic()
        banner = re.compile(r"^\s*Password:\s+\S+\s*$", re.MULTILINE)
        # The first admin's banner comes once migrations have run: seed while the frontend builds.
        _wait("migrations", lambda: banner.search(log.read_text(errors="replace")), server, log, started + 120)
        emails = seed(server.env, 1 + args.tabs, args.tickets)
        _wait(
            "the built app", lambda: _status(f"{server.url}/login") == 200, server, log, started + START_TIMEOUT_SECONDS
        )
        in_database = search_seconds(emails[0])
        figures = asyncio.run(drive(server.url, emails, args))
    finally:
        stop_server(server)
        shutil.rmtree(data_dir, ignore_errors=True)

    print(
        f"search: {args.tickets:,} tickets, a search for a missing word takes {in_database:.2f} s in the database "
        f"(round trip in its tab: median {statistics.median(figures.searches) / 1000:.2f} s "
        f"over {len(figures.searches)} searches)"
    )
    print(f"ordinary events, no search running: {_summary(figures.quiet)}")
    print(f"ordinary events beside the search:  {_summary(figures.beside)} (target p95 <= 100 ms)")


def _summary(times: list[float]) -> str:
    return (
        f"{len(times)} round trips, p50 {_percentile(times, 0.5):.0f} ms, p95 {_percentile(times, 0.95):.0f} ms, "
        f"max {max(times):.0f} ms"
    )


if __name__ == "__main__":
    main()
