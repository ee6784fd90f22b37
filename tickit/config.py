"""Settings from the environment, read once.

Every environment variable TickIt understands is read here and nowhere else, so the
README's configuration table and this module describe the same thing.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from tickit.private_files import make_private_dir, write_private

GOOGLE_DISCOVERY_URL = "https://accounts.google.com/.well-known/openid-configuration"
# Every email domain, in TICKIT_SELF_SIGNUP_DOMAINS and TICKIT_GOOGLE_STAFF_DOMAINS.
ANY_DOMAIN = "*"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ConfigError(Exception):
    """A setting is present but unusable; the message names the variable."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str
    password: str
    security: str  # "starttls", "tls" or "none"
    sender: str


@dataclass(frozen=True)
class GoogleSettings:
    client_id: str
    client_secret: str
    discovery_url: str


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: URL
    redis_url: str | None
    secret_key: str
    app_url: str
    smtp: SmtpSettings | None
    google: GoogleSettings | None
    session_days: int
    session_idle_hours: int  # a session unused this long ends
    first_admin_email: str
    port: int
    upload_limit_bytes: int
    upload_quota_user_bytes: int  # all attachments one user has stored (removed ones until purged)
    upload_quota_ticket_bytes: int  # all attachments of one ticket (removed ones until purged)
    upload_files_per_hour: int  # files one user may attach per hour
    api_rate_limit_per_minute: int  # requests one API client may make per minute
    idempotency_retention_days: int  # how long an Idempotency-Key replays its ticket
    # Peers whose X-Forwarded-For / Forwarded header names the client (the reverse proxies in front).
    trusted_proxies: tuple[Network, ...]
    # Email domains ("*": any) whose people may create a client account by signing in with Google.
    self_signup_domains: frozenset[str]
    # Email domains ("*": any) whose Google accounts may open a staff account that has a password.
    google_staff_domains: frozenset[str]
    push_allowed_hosts: frozenset[str]  # push hosts exempt from the public-https rule (tests, development)
    # A requester gets at most one mail per ticket in this many minutes, telling all that happened in them.
    requester_mail_quiet_minutes: int
    # Certificates (PEM) trusted for IMAP servers besides the system's: a private CA, or a test server's own.
    imap_ca_file: Path | None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.get_backend_name() == "sqlite"

    @property
    def mail_dir(self) -> Path:
        """Where mails go when no SMTP server is configured (one .eml file each)."""
        return self.data_dir / "mail"

    @property
    def huey_sqlite_path(self) -> Path:
        return self.data_dir / "huey.db"

    @property
    def cookie_secure(self) -> bool:
        return self.app_url.startswith("https://")

    @property
    def app_origin(self) -> str:
        """`scheme://host[:port]` of APP_URL: the one origin pages, the websocket and forms may come from."""
        parts = urlsplit(self.app_url)
        return f"{parts.scheme}://{parts.netloc}".lower()


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _int_env(name: str, default: int) -> int:
    raw = _env(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be greater than zero, got {value}")
    return value


def parse_database_url(raw: str, data_dir: Path) -> URL:
    """Turn DATABASE_URL into an engine URL (psycopg 3 for PostgreSQL), or raise ConfigError."""
    if not raw:
        return make_url(f"sqlite:///{(data_dir / 'tickit.db').resolve()}")
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(
            "DATABASE_URL is not a database URL; expected sqlite:///path/to/file.db "
            "or postgresql://user@host:5432/dbname"
        ) from None
    backend = url.get_backend_name()
    if backend == "postgresql":
        if not url.database:
            raise ConfigError("DATABASE_URL names no database; add /dbname at its end")
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if not url.database:
            raise ConfigError("DATABASE_URL names no SQLite file; use sqlite:///path/to/file.db")
        return url
    raise ConfigError(f"DATABASE_URL uses {backend!r}; TickIt runs on sqlite or postgresql")


def _secret_key(data_dir: Path) -> str:
    explicit = _env("SECRET_KEY")
    if explicit:
        return explicit
    # Generated once and kept, so sessions and signed cookies survive a restart.
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    write_private(path, key.encode())
    return key


def _smtp() -> SmtpSettings | None:
    host = _env("SMTP_HOST")
    if not host:
        return None
    security = _env("SMTP_SECURITY", "starttls").lower()
    if security not in {"starttls", "tls", "none"}:
        raise ConfigError(f"SMTP_SECURITY must be starttls, tls or none, got {security!r}")
    default_port = {"starttls": 587, "tls": 465, "none": 25}[security]
    return SmtpSettings(
        host=host,
        port=_int_env("SMTP_PORT", default_port),
        username=_env("SMTP_USERNAME"),
        password=_env("SMTP_PASSWORD"),
        security=security,
        sender=_env("SMTP_FROM", "TickIt <tickit@localhost>"),
    )


def _google() -> GoogleSettings | None:
    client_id, client_secret = _env("GOOGLE_CLIENT_ID"), _env("GOOGLE_CLIENT_SECRET")
    if not client_id and not client_secret:
        return None
    if not (client_id and client_secret):
        missing = "GOOGLE_CLIENT_SECRET" if client_id else "GOOGLE_CLIENT_ID"
        raise ConfigError(f"{missing} is missing; Google sign-in needs both id and secret")
    return GoogleSettings(
        client_id=client_id,
        client_secret=client_secret,
        discovery_url=_env("GOOGLE_DISCOVERY_URL", GOOGLE_DISCOVERY_URL),
    )


def _networks(name: str) -> tuple[Network, ...]:
    networks = []
    for entry in filter(None, (part.strip() for part in _env(name).split(","))):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ConfigError(f"{name} lists {entry!r}; expected IP addresses or networks like 10.0.0.0/8") from None
    return tuple(networks)


def _domains(name: str) -> frozenset[str]:
    domains = {part.strip().lower().lstrip("@") for part in _env(name).split(",")} - {""}
    for domain in domains - {ANY_DOMAIN}:
        if "@" in domain or "." not in domain or " " in domain:
            raise ConfigError(f"{name} lists {domain!r}; expected email domains like example.com, or *")
    return frozenset(domains)


def load_settings() -> Settings:
    """Read and check every setting; raise ConfigError naming the first bad variable."""
    data_dir = Path(_env("TICKIT_DATA_DIR", "data")).expanduser().resolve()
    try:
        make_private_dir(data_dir)
    except OSError as exc:
        raise ConfigError(f"TICKIT_DATA_DIR {str(data_dir)!r} cannot be created: {exc.strerror}") from None
    app_url = _env("APP_URL", f"http://localhost:{_int_env('TICKIT_PORT', 3000)}").rstrip("/")
    if not app_url.startswith(("http://", "https://")):
        raise ConfigError(f"APP_URL must start with http:// or https://, got {app_url!r}")
    return Settings(
        data_dir=data_dir,
        database_url=parse_database_url(_env("DATABASE_URL"), data_dir),
        redis_url=_env("REDIS_URL") or None,
        secret_key=_secret_key(data_dir),
        app_url=app_url,
        smtp=_smtp(),
        google=_google(),
        session_days=_int_env("TICKIT_SESSION_DAYS", 14),
        session_idle_hours=_int_env("TICKIT_SESSION_IDLE_HOURS", 12),
        first_admin_email=_env("TICKIT_ADMIN_EMAIL", "admin@example.com"),
        port=_int_env("TICKIT_PORT", 3000),
        upload_limit_bytes=_int_env("TICKIT_UPLOAD_LIMIT_MB", 25) * 1024 * 1024,
        upload_quota_user_bytes=_int_env("TICKIT_UPLOAD_QUOTA_USER_MB", 1024) * 1024 * 1024,
        upload_quota_ticket_bytes=_int_env("TICKIT_UPLOAD_QUOTA_TICKET_MB", 250) * 1024 * 1024,
        upload_files_per_hour=_int_env("TICKIT_UPLOAD_RATE_PER_HOUR", 100),
        api_rate_limit_per_minute=_int_env("TICKIT_API_RATE_LIMIT", 600),
        idempotency_retention_days=_int_env("TICKIT_IDEMPOTENCY_DAYS", 7),
        trusted_proxies=_networks("TICKIT_TRUSTED_PROXIES"),
        self_signup_domains=_domains("TICKIT_SELF_SIGNUP_DOMAINS"),
        google_staff_domains=_domains("TICKIT_GOOGLE_STAFF_DOMAINS"),
        push_allowed_hosts=frozenset(
            host.strip().lower().rstrip(".") for host in _env("TICKIT_PUSH_ALLOWED_HOSTS").split(",") if host.strip()
        ),
        requester_mail_quiet_minutes=_int_env("TICKIT_REQUESTER_MAIL_QUIET_MINUTES", 5),
        imap_ca_file=Path(_env("TICKIT_IMAP_CA_FILE")).expanduser() if _env("TICKIT_IMAP_CA_FILE") else None,
    )


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, loaded on first use."""
    return load_settings()
