"""Export benchmark: time and peak Python memory of writing a project's archive, at two sizes.

Memory should stay flat as the project grows (tickets are read 200 at a time and written straight to
the archive), so the two peaks should be about the same while the time grows with the tickets.

One run creates a scratch SQLite database, a project from the software-feedback template and, for
each size, that many tickets with two comments and three activity entries each (inserted directly,
in one transaction), then writes the archive to a temporary file under tracemalloc and prints one
line per size. Run from the repository root: `.venv/bin/python bench/export.py [--tickets N]`.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from tickit import migrations
from tickit.db import create_db_engine
from tickit.models import ActivityEntry, Comment, Project, Ticket, TicketStatus, TicketType, User, utcnow
from tickit.services import project_setup, templates
from tickit.services.actors import SYSTEM
from tickit.services.data_export import write_archive


def _fill(session: Session, key: str, count: int) -> None:
    project_setup.create_project(
        session=session,
        actor=SYSTEM,
        key=key,
        name=f"Bench {key}",
        workflow=templates.load_template("software-feedback"),
    )
    project = session.exec(select(Project).where(Project.key == key)).one()
    bug = session.exec(select(TicketType).where(TicketType.project_id == project.id, TicketType.key == "bug")).one()
    status = session.exec(
        select(TicketStatus).where(TicketStatus.type_id == bug.id, TicketStatus.is_initial == True)  # noqa: E712
    ).one()
    user = User(email=f"reporter-{key.lower()}@example.com", name="Reporter", role="client")
    session.add(user)
    session.flush()
    now = utcnow()
    rows = [
        {
            "project_id": project.id,
            "type_id": bug.id,
            "status_id": status.id,
            "number": n,
            "title": f"Ticket {n}",
            "description": "Steps to reproduce " * 10,
            "reporter_id": user.id,
            "fields": {"severity": "minor"},
            "metadata": {},
            "created_at": now,
            "updated_at": now,
            "public_updated_at": now,
        }
        for n in range(1, count + 1)
    ]
    ids = session.execute(insert(Ticket).returning(col(Ticket.id)), rows).scalars().all()
    session.execute(
        insert(Comment),
        [
            {
                "ticket_id": i,
                "author_id": user.id,
                "body_html": "<p>Still broken</p>",
                "body_text": "Still broken",
                "mentions": [],
                "created_at": now,
            }
            for i in ids
            for _ in range(2)
        ],
    )
    session.execute(
        insert(ActivityEntry),
        [
            {
                "ticket_id": i,
                "actor_user_id": user.id,
                "action": "created",
                "before": {},
                "after": {"title": "x"},
                "created_at": now,
            }
            for i in ids
            for _ in range(3)
        ],
    )
    project.last_ticket_number = count
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=20_000, help="tickets of the larger project (default 20,000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tickit-bench-export-") as scratch:
        os.environ["TICKIT_DATA_DIR"] = scratch
        engine = create_db_engine(make_url(f"sqlite:///{Path(scratch) / 'bench.db'}"))
        migrations.upgrade(engine)
        sizes = {"SMALL": args.tickets // 10, "LARGE": args.tickets}
        with Session(engine) as session:
            for key, count in sizes.items():
                _fill(session, key, count)
        for key in sizes:
            with Session(engine) as session, (Path(scratch) / f"{key}.zip").open("wb") as out:
                tracemalloc.start()
                started = time.perf_counter()
                summary = write_archive(session=session, actor=SYSTEM, project_key=key, out=out)
                seconds = time.perf_counter() - started
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            size = (Path(scratch) / f"{key}.zip").stat().st_size
            print(
                f"export of {summary.tickets:,} tickets ({summary.comments:,} comments, {summary.activity:,} entries): "
                f"{seconds:.1f} s, peak Python memory {peak / 2**20:.1f} MiB, archive {size / 2**20:.1f} MiB"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
