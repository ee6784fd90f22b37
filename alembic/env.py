"""Alembic runs against DATABASE_URL (or a connection handed in by `tickit.migrations`)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import JSON
from sqlmodel.sql.sqltypes import AutoString

import tickit.models  # noqa: F401  (registers every table on the metadata)
from tickit.migrations import include_object
from tickit.models.base import UTCDateTime, metadata


def render_item(type_, obj, autogen_context):
    """Write our column types in migrations as plain SQLAlchemy types."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    if type_ == "type" and isinstance(obj, JSON) and obj._variant_mapping:
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return "sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')"
    return False


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_item=render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from tickit.db import get_engine

    with get_engine().connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
