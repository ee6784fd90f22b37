"""`tickit db upgrade`: apply migrations."""

from __future__ import annotations

from tickit import migrations
from tickit.config import get_settings
from tickit.db import get_engine


def register(subparsers) -> None:
    db = subparsers.add_parser("db", help="database schema")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="apply every migration (alembic upgrade head)")
    upgrade.set_defaults(handler=_upgrade)


def _upgrade(_args) -> int:
    migrations.upgrade(get_engine())
    url = get_settings().database_url.render_as_string(hide_password=True)
    print(f"Database is up to date: {url}")
    return 0
