"""`GET /exports/{id}/download`: a project archive an admin asked for, to admins only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response

from tickit import routes
from tickit.api.attachments import content_disposition
from tickit.db import session_scope
from tickit.services import auth
from tickit.services.data_export import jobs
from tickit.services.errors import NotFound, PermissionDenied

router = APIRouter(include_in_schema=False)
_NOT_FOUND = "No such export; finished exports are kept for a day."


@router.get(routes.PROJECT_EXPORT_DOWNLOAD)
def download(request: Request, export_id: str) -> Response:
    """The archive as a download; 401 signed out; 404 for a non-admin, or an export not (or no longer) there."""
    if not export_id.isdigit() or len(export_id) > 9:
        return PlainTextResponse(_NOT_FOUND, status_code=404)
    with session_scope() as session:
        actor = auth.resolve_session(session=session, token=request.cookies.get(auth.session_cookie_name()))
        if actor is None:
            return PlainTextResponse("Sign in to download this export.", status_code=401)
        try:
            found = jobs.open_export(session=session, actor=actor, export_id=int(export_id))
        except (NotFound, PermissionDenied):
            return PlainTextResponse(_NOT_FOUND, status_code=404)
    return FileResponse(
        found.path,
        media_type="application/zip",
        headers={
            "content-disposition": content_disposition("attachment", found.name),
            "cache-control": "private, no-store",
        },
    )
