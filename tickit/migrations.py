"""Apply and check Alembic migrations from code (the CLI and the tests use this)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from tickit.models import metadata

ROOT = Path(__file__).resolve().parent.parent

# Indexes created on PostgreSQL only: the full-text GIN indexes (migration 0003; SQLite has no such
# index) and the priority order's expression indexes (0009). The models cannot declare an index
# per backend, so autogenerate leaves them out on both.
POSTGRESQL_ONLY_INDEXES = frozenset(
    {"ix_tickets_search", "ix_comments_search", "ix_tickets_priority", "ix_tickets_project_priority"}
)


# The words of a ticket and of a comment, generated columns on PostgreSQL only (migration 0009).
POSTGRESQL_ONLY_COLUMNS = frozenset({("tickets", "search_document"), ("comments", "search_document")})


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Autogenerate's filter (here and in alembic/env.py): skip the PostgreSQL-only indexes and columns."""
    if type_ == "column":
        return (obj.table.name, name) not in POSTGRESQL_ONLY_COLUMNS
    return not (type_ == "index" and name in POSTGRESQL_ONLY_INDEXES)


def alembic_config(engine: Engine) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind `engine` up to `revision`."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def pending_differences(engine: Engine) -> list:
    """What autogenerate would still change: empty when models and migrations agree."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        return compare_metadata(context, metadata)
