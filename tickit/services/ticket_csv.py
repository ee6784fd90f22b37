"""The ticket list as CSV for spreadsheets: the rows the list shows for a query, every page of them.

The rows come from `ticket_list.list_tickets` page by page, so the file holds exactly what the actor
may see under the list's filters, search and sort, and memory holds one page at a time. A cell
starting with `=`, `+`, `-`, `@` (or a tab or carriage return) would run as a formula in a
spreadsheet; `defusedcsv` escapes those cells.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator

from defusedcsv import csv
from sqlmodel import Session

from tickit.labels import priority_label
from tickit.services.actors import UserPublic
from tickit.services.ticket_list import PAGE_SIZE_MAX, TicketQuery, TicketRow, list_tickets

STAFF_COLUMNS = (
    "Number",
    "Title",
    "Project",
    "Type",
    "Status",
    "Priority",
    "Requester",
    "Assignee",
    "Created (UTC)",
    "Updated (UTC)",
)
CLIENT_COLUMNS = ("Number", "Title", "Project", "Type", "Status", "Created (UTC)", "Updated (UTC)")


def csv_chunks(*, session: Session, actor: UserPublic, query: TicketQuery) -> Iterator[bytes]:
    """The CSV file (UTF-8 with a byte order mark, which spreadsheets need to read it as UTF-8), a page at a time."""
    query = dataclasses.replace(query, page_size=PAGE_SIZE_MAX, after=None)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(STAFF_COLUMNS if actor.is_staff else CLIENT_COLUMNS)
    yield ("\ufeff" + buffer.getvalue()).encode()
    while True:
        page = list_tickets(session=session, actor=actor, query=query)
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_cells(row, staff=actor.is_staff) for row in page.rows)
        if page.rows:
            yield buffer.getvalue().encode()
        if page.next_cursor is None:
            return
        query = dataclasses.replace(query, after=page.next_cursor)


def _cells(row: TicketRow, *, staff: bool) -> list[str]:
    created, updated = f"{row.created_at:%Y-%m-%d %H:%M}", f"{row.updated_at:%Y-%m-%d %H:%M}"
    if not staff:
        return [row.number, row.title, row.project_name, row.type_name, row.status_label, created, updated]
    return [
        row.number,
        row.title,
        row.project_name,
        row.type_name,
        row.status_name,
        priority_label(row.priority),
        row.reporter_name,
        row.assignee_name,
        created,
        updated,
    ]
