"""The browser harness: the real app in production mode, seeded through the real CLI, driven by Chromium.

One `tickit serve` runs per test session on a free port, against a fresh data directory
(SQLite database, Huey queue, mail folder), exactly as an operator would start it. Its log
is kept in test-artifacts/e2e/server.log; a failing test leaves a screenshot beside it.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
TICKIT = Path(sys.executable).with_name("tickit")
SHOTS = os.environ.get("TICKIT_SCREENSHOTS")  # a folder for `screenshots`
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1360, "height": 860}
PASSWORD = "correct horse battery"

# The first start builds the production frontend (and installs its packages into a fresh web dir).
SERVER_START_TIMEOUT_SECONDS = 400
BANNER_TIMEOUT_SECONDS = 90

# Settings a developer's shell may carry that would point the app elsewhere than this test's data.
_FOREIGN_SETTINGS = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "APP_URL",
    "TICKIT_PORT",
    "TICKIT_DATA_DIR",
    "TICKIT_ADMIN_EMAIL",
    "SMTP_HOST",
    "GOOGLE_CLIENT_ID",
    "GOOGLE_CLIENT_SECRET",
    "TICKIT_TRUSTED_PROXIES",
    "TICKIT_SELF_SIGNUP_DOMAINS",
    "TICKIT_GOOGLE_STAFF_DOMAINS",
)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # Lets fixtures see, at teardown, whether the test itself failed.
    setattr(item, f"e2e_report_{report.when}", report)
    return report


# --- the server -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    name: str
    role: str


@dataclass
class AppServer:
    url: str
    data_dir: Path
    env: dict[str, str]
    log_path: Path
    admin: Account
    seed: Seed | None = None

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    def tickit(self, *args: str) -> str:
        """Run the `tickit` CLI against this server's database; return its output or fail the test."""
        done = subprocess.run(
            [str(TICKIT), *args], check=False, cwd=REPO_ROOT, env=self.env, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            pytest.fail(f"`tickit {' '.join(args)}` exited {done.returncode}:\n{done.stdout}{done.stderr}")
        return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (OSError, ValueError):
        return 0, ""


def _wait_for(
    what: str, check: Callable[[], object], *, process: subprocess.Popen, log_path: Path, deadline: float
) -> object:
    while True:
        result = check()
        if result:
            return result
        if process.poll() is not None:
            pytest.fail(
                f"`tickit serve` exited with {process.returncode} while waiting for {what}.\n"
                f"Last lines of {log_path}:\n{_log_tail(log_path)}"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}.\nLast lines of {log_path}:\n{_log_tail(log_path)}")
        time.sleep(0.5)


def _first_admin(log_path: Path) -> Account | None:
    text = log_path.read_text(errors="replace")
    email = re.search(r"^\s*Email:\s+(\S+)\s*$", text, re.MULTILINE)
    password = re.search(r"^\s*Password:\s+(\S+)\s*$", text, re.MULTILINE)
    if not (email and password):
        return None
    return Account(email=email.group(1), password=password.group(1), name="Administrator", role="admin")


def _choose_first_admin_password(server: AppServer) -> Account:
    """Sign in with the printed password and choose the admin's own, as a newcomer does first of all."""
    chosen = Account(server.admin.email, PASSWORD + " admin", server.admin.name, server.admin.role)
    # The forms' own origin, as a browser posting them sends it.
    with httpx.Client(base_url=server.url, headers={"Origin": server.url}, timeout=30) as browser:
        signed_in = browser.post("/auth/login", data={"email": chosen.email, "password": server.admin.password})
        assert signed_in.headers.get("location") == "/choose-password", signed_in.text
        chose = browser.post("/auth/choose-password", data={"new": chosen.password, "confirm": chosen.password})
        assert chose.status_code == 303 and chose.headers["location"] == "/admin", chose.text
    return chosen


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to `tickit serve` and its children (one process group), SIGKILL to whatever outlives it."""
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


def _server_env(data_dir: Path, port: int, worker: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _FOREIGN_SETTINGS and not k.startswith("SMTP_")}
    env.update(
        TICKIT_DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir / 'tickit.db'}",
        TICKIT_PORT=str(port),
        APP_URL=f"http://127.0.0.1:{port}",
        # The app's own build folders, so this run never rewrites the .web/ of an app a developer is running
        # from the same checkout (its build has that app's port baked in). Kept between runs: the
        # frontend packages are installed into it once.
        REFLEX_WEB_WORKDIR=str(ARTIFACTS.parent / f"e2e-web{worker}"),
        REFLEX_STATES_WORKDIR=str(data_dir / "states"),
        # The push endpoints the notification tests' fake PushManager hands out: there is no DNS to
        # find them on the public internet, and no push is sent to them.
        TICKIT_PUSH_ALLOWED_HOSTS="127.0.0.1,push.example.test",
        # The mail page's test puts its Dovecot's self-signed certificate here, so the app trusts it.
        TICKIT_IMAP_CA_FILE=str(data_dir / "imap-ca.pem"),
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="session")
def google_provider() -> Iterator[str]:
    """A local OpenID provider standing in for Google; the app server is configured to use it."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(require_client_registration=True, require_nonce=True) as provider:
        yield f"http://127.0.0.1:{provider.server_port}"


def _google_settings(provider: str, app_url: str) -> dict[str, str]:
    registration = httpx.post(
        f"{provider}/oauth2/clients", json={"redirect_uris": [f"{app_url}/auth/google/callback"]}, timeout=10
    )
    registration.raise_for_status()
    return {
        "GOOGLE_CLIENT_ID": registration.json()["client_id"],
        "GOOGLE_CLIENT_SECRET": registration.json()["client_secret"],
        "GOOGLE_DISCOVERY_URL": f"{provider}/.well-known/openid-configuration",
        # People new to TickIt at this domain may sign themselves up through Google.
        "TICKIT_SELF_SIGNUP_DOMAINS": "example.com",
    }


@pytest.fixture(scope="session")
def app_server(worker_id_suffix, google_provider) -> Iterator[AppServer]:
    """`tickit serve` in production mode on a free port, with its first admin's credentials from the banner."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if worker_id_suffix in ("", "-gw0"):
        # Screenshots of an earlier run's failures would pass for this run's.
        for stale in ARTIFACTS.glob("*.png"):
            stale.unlink(missing_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="tickit-e2e-"))
    port = _free_port()
    env = _server_env(data_dir, port, worker_id_suffix)
    env.update(_google_settings(google_provider, f"http://127.0.0.1:{port}"))
    log_path = ARTIFACTS / f"server{worker_id_suffix}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(TICKIT), "serve"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        started = time.monotonic()
        admin = _wait_for(
            "the first admin's banner",
            lambda: _first_admin(log_path),
            process=process,
            log_path=log_path,
            deadline=started + BANNER_TIMEOUT_SECONDS,
        )
        server = AppServer(url=f"http://127.0.0.1:{port}", data_dir=data_dir, env=env, log_path=log_path, admin=admin)
        # Migrations have run once the banner is out: seed while the frontend builds.
        seeding = _Seeding(server)
        seeding.start()
        deadline = started + SERVER_START_TIMEOUT_SECONDS
        _wait_for(
            "GET /ping",
            lambda: seeding.check() and _get(f"{server.url}/ping")[0] == 200,
            process=process,
            log_path=log_path,
            deadline=deadline,
        )

        def login_page_served() -> bool:
            seeding.check()
            status, body = _get(f"{server.url}/login")
            return status == 200 and "TickIt" in body

        _wait_for("the built /login page", login_page_served, process=process, log_path=log_path, deadline=deadline)
        server.admin = _choose_first_admin_password(server)
        seeding.join()
        server.seed = seeding.result()
        yield server
    finally:
        _stop(process)
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def worker_id_suffix(request) -> str:
    """'' when run alone; '-gw0' and so on under pytest-xdist, so workers keep separate servers and builds.

    TICKIT_E2E_BUILD_SUFFIX adds to it, so two runs started by hand from one checkout do not share a build.
    """
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    by_hand = os.environ.get("TICKIT_E2E_BUILD_SUFFIX", "")
    return (f"-{worker}" if worker else "") + (f"-{by_hand}" if by_hand else "")


# --- seed data --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    agent: Account  # agent in Help Hub (HH)
    client: Account  # client in Help Hub (HH)
    outsider: Account  # client in Operations (OP) only
    client_ticket: str  # title of a ticket the client filed in HH
    outsider_ticket: str  # title of a ticket the outsider filed in OP


class _Seeding(threading.Thread):
    """The shared accounts and projects, created through the real CLI while the frontend builds."""

    def __init__(self, server: AppServer):
        super().__init__(daemon=True)
        self.server = server
        self._seed: Seed | None = None
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            self._seed = self._create()
        # pytest.fail's exception derives from BaseException only; it is re-raised in the test's thread.
        except BaseException as exc:  # noqa: BLE001
            self._error = exc

    def check(self) -> bool:
        """Raise the seeding's failure as soon as there is one, rather than after the build."""
        if self._error is not None:
            raise self._error
        return True

    def result(self) -> Seed:
        if self._error is not None:
            raise self._error
        assert self._seed is not None
        return self._seed

    def _create(self) -> Seed:
        run = self.server.tickit
        agent = Account("agent.hh@example.com", PASSWORD, "Agnes Agent", "agent")
        client = Account("client.hh@example.com", PASSWORD, "Clara Client", "client")
        outsider = Account("client.op@example.com", PASSWORD, "Otto Outsider", "client")
        client_ticket, outsider_ticket = "Search ignores accents", "Payroll server unreachable since Monday"
        # Each CLI call is a fresh Python process; independent ones run side by side.
        with ThreadPoolExecutor(max_workers=5) as pool:
            _all(
                [
                    *(
                        pool.submit(
                            run,
                            "user",
                            "create",
                            f"--email={a.email}",
                            f"--name={a.name}",
                            f"--role={a.role}",
                            f"--password={a.password}",
                        )
                        for a in (agent, client, outsider)
                    ),
                    pool.submit(
                        run, "project", "create", "--key=HH", "--name=Help Hub", "--template=software-feedback"
                    ),
                    pool.submit(run, "project", "create", "--key=OP", "--name=Operations", "--template=it-helpdesk"),
                ]
            )
            _all(
                [
                    *(
                        pool.submit(add_project_member, self.server, key, a.email, a.role)
                        for key, a in (("HH", agent), ("HH", client), ("OP", outsider))
                    ),
                    pool.submit(_lift_filing_limits, self.server),
                ]
            )
            _all(
                [
                    pool.submit(_file_ticket_directly, self.server, client.email, "HH", client_ticket),
                    pool.submit(_file_ticket_directly, self.server, outsider.email, "OP", outsider_ticket),
                ]
            )
        return Seed(
            agent=agent, client=client, outsider=outsider, client_ticket=client_ticket, outsider_ticket=outsider_ticket
        )


def _all(futures) -> None:
    for future in list(futures):
        future.result()


def add_project_member(server: AppServer, key: str, email: str, role: str) -> None:
    server.tickit("project", "member", "add", f"--role={role}", key, email)


def _lift_filing_limits(server: AppServer) -> None:
    # The suite's one client files more tickets in an hour than a project takes by default; the
    # limit has tests of its own (tests/services/test_intake_policy.py).
    _python(
        server,
        "from tickit.services import intake_policy\n"
        "from tickit.services.actors import SYSTEM\n"
        "with session_scope() as s:\n"
        "    for key in ('HH', 'OP'):\n"
        "        intake_policy.update_intake(\n"
        "            session=s, actor=SYSTEM, project_key=key, changes={'tickets_per_hour': 0}\n"
        "        )\n",
    )


def _file_ticket_directly(server: AppServer, email: str, key: str, title: str) -> None:
    # The CLI files no tickets, and these only set the scene: the portal tests file theirs through the form.
    _python(
        server,
        "from tests.factories import file_ticket\n"
        "from tickit.services import users\n"
        "from tickit.services.actors import UserPublic\n"
        "with session_scope() as s:\n"
        f"    file_ticket(s, UserPublic.of(users.find_by_email(s, {email!r})), {key!r}, {title!r})\n",
    )


def _python(server: AppServer, body: str) -> None:
    script = "from tickit.db import session_scope\n" + body
    done = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        cwd=REPO_ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        pytest.fail(f"Seeding script failed:\n{script}\n{done.stdout}{done.stderr}")


@pytest.fixture(scope="session")
def seed(app_server) -> Seed:
    return app_server.seed


@pytest.fixture(scope="session")
def accounts(app_server, seed) -> dict[str, Account]:
    """The shared signed-in roles: the first admin, and an agent and a client of Help Hub (HH)."""
    return {"admin": app_server.admin, "agent": seed.agent, "client": seed.client}


_unique = itertools.count(1)


@pytest.fixture
def new_account(app_server, request) -> Callable[..., Account]:
    """A fresh account made with `tickit user create`, named after the test so no two tests share one."""

    def create(role: str = "client", *, project: str | None = None, name: str | None = None) -> Account:
        n = next(_unique)
        slug = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[-40:].strip("-")
        account = Account(
            email=f"{slug}-{n}@example.com", password=PASSWORD, name=name or f"Person {n} {role}", role=role
        )
        app_server.tickit(
            "user",
            "create",
            f"--email={account.email}",
            f"--name={account.name}",
            f"--role={role}",
            f"--password={account.password}",
        )
        if project:
            add_project_member(app_server, project, account.email, role)
        return account

    return create


# --- the browser ------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium; the suite fails (never skips) without it, since Playwright cannot download one here."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is not installed; the browser tests need it (apt-get install chromium).", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, app_server, request):
    """A page in a fresh browser context (its own cookies); screenshots land in test-artifacts/e2e on failure."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    contexts = []

    def open_page():
        context = browser.new_context(viewport=VIEWPORT, base_url=app_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    report = getattr(request.node, "e2e_report_call", None)
    failed = report is not None and report.failed
    for index, context in enumerate(contexts):
        if failed:
            suffix = f"-{index + 1}" if len(contexts) > 1 else ""
            for page in context.pages:
                safe = re.sub(r"[^\w.-]+", "_", request.node.name)
                page.screenshot(path=str(ARTIFACTS / f"{safe}{suffix}.png"), full_page=True)
        context.close()


def at_path(path: str) -> re.Pattern:
    """Matches a URL whose path is `path` (the static build may add a slash), with any query."""
    return re.compile(rf"^https?://[^/]+{re.escape(path.rstrip('/'))}/?(\?.*)?$")


def error_at(scope, label: str):
    """The error message shown beneath the form field labelled `label` (within a page or a dialog)."""
    # The nearest enclosing block that holds an alert is the field's own, when the field has an error.
    return (
        scope.get_by_label(label, exact=True)
        .locator("xpath=ancestor::div[.//*[@role='alert']][1]")
        .get_by_role("alert")
    )


def screenshots(page, name: str) -> None:
    """With TICKIT_SCREENSHOTS set to a folder, save the page there at desktop and phone width, light
    and dark, checking that it never scrolls sideways; the page is left at the size it had, light."""
    if not SHOTS:
        return
    size = page.viewport_size
    for width in (1280, 390):
        for scheme in ("light", "dark"):
            page.set_viewport_size({"width": width, "height": 900})
            page.emulate_media(color_scheme=scheme)
            page.wait_for_timeout(400)  # charts redraw for the new width
            page.screenshot(path=f"{SHOTS}/{name}-{width}-{scheme}.png", full_page=True)
            scroll = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert scroll <= 0, f"{name} scrolls sideways by {scroll}px at {width}px"
    page.emulate_media(color_scheme="light")
    page.set_viewport_size(size)


def dnd_listening(page) -> None:
    """Return once dnd-kit listens for the keys that move the item just lifted with Space.

    Its keyboard sensor starts listening on the timer turn after the lift, and a key pressed before
    that is lost (on a loaded machine the browser may handle input first). Timers run in order, so
    one set now fires after it.
    """
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve))")


def sign_in(page, account: Account) -> None:
    """Sign in through the real form, from wherever the page is, and wait to leave /login."""
    if "/login" not in page.url:
        page.goto("/login")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture
def page_as(new_page, accounts):
    """`page_as("client")` (or an Account): a fresh context, signed in through /login, on that user's home."""

    def open_as(who: str | Account):
        account = accounts[who] if isinstance(who, str) else who
        page = new_page()
        sign_in(page, account)
        return page

    return open_as
