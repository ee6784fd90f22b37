"""Settings from the environment, read once.

Every environment variable TickIt understands is read here and nowhere else, so the
README's configuration table and this module describe the same thing.
"""

from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

GOOGLE_DISCOVERY_URL = "https://accounts.google.com/.well-known/openid-configuration"


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
    first_admin_email: str
    port: int
    upload_limit_bytes: int
    api_rate_limit_per_minute: int  # requests one API client may make per minute
    idempotency_retention_days: int  # how long an Idempotency-Key replays its ticket
    # A requester gets at most one mail per ticket in this many minutes, telling all that happened in them.
    requester_mail_quiet_minutes: int

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
    path.write_text(key)
    path.chmod(0o600)
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


def load_settings() -> Settings:
    """Read and check every setting; raise ConfigError naming the first bad variable."""
    data_dir = Path(_env("TICKIT_DATA_DIR", "data")).expanduser().resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
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
        first_admin_email=_env("TICKIT_ADMIN_EMAIL", "admin@example.com"),
        port=_int_env("TICKIT_PORT", 3000),
        upload_limit_bytes=_int_env("TICKIT_UPLOAD_LIMIT_MB", 25) * 1024 * 1024,
        api_rate_limit_per_minute=_int_env("TICKIT_API_RATE_LIMIT", 600),
        idempotency_retention_days=_int_env("TICKIT_IDEMPOTENCY_DAYS", 7),
        requester_mail_quiet_minutes=_int_env("TICKIT_REQUESTER_MAIL_QUIET_MINUTES", 5),
    )


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, loaded on first use."""
    return load_settings()
