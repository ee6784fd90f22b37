"""`GET /lists/tickets.csv?<the list's query string>`: the ticket list as a CSV download, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from tickit import routes
from tickit.api.attachments import content_disposition
from tickit.db import session_scope
from tickit.models import utcnow
from tickit.services import auth, ticket_csv, ticket_list

router = APIRouter(include_in_schema=False)


@router.get(routes.TICKETS_CSV)
def tickets_csv(request: Request) -> Response:
    """Every ticket the signed-in user's list shows for these filters, as CSV; 401 when nobody is signed in."""
    with session_scope(read_only=True) as session:
        actor = auth.resolve_session(session=session, token=request.cookies.get(auth.session_cookie_name()))
    if actor is None:
        return PlainTextResponse("Sign in to download the ticket list.", status_code=401)
    query = ticket_list.from_query_params(parse_qs(request.url.query))

    def chunks() -> Iterator[bytes]:
        # Starlette runs this in a worker thread; the session lives as long as the download.
        with session_scope(read_only=True) as session:
            yield from ticket_csv.csv_chunks(session=session, actor=actor, query=query)

    name = f"tickets-{utcnow():%Y-%m-%d}.csv"
    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": content_disposition("attachment", name), "cache-control": "private, no-store"},
    )
