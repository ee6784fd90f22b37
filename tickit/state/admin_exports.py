"""Admin: a project's export page — ask for its archive, follow the job's progress, download it."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.labels import file_size
from tickit.models import Role
from tickit.services import access
from tickit.services.actors import UserPublic
from tickit.services.data_export import jobs
from tickit.state import live
from tickit.state.formatting import iso
from tickit.state.session import SessionState

STATUS_LABELS = {"queued": "Waiting", "running": "Writing", "done": "Ready", "failed": "Failed"}


@dataclasses.dataclass
class ExportLine:
    id: int
    status: str
    status_label: str
    progress: int  # percent of the tickets written
    progress_text: str  # "120 of 2,000 tickets"
    size: str
    requested_by: str
    created: str  # ISO instants, worded in the viewer's zone (components.local_time)
    expires: str
    error: str
    download_url: str  # "" until there is a file


def _line(job: jobs.ExportJob) -> ExportLine:
    total = job.tickets_total
    return ExportLine(
        id=job.id,
        status=job.status,
        status_label=STATUS_LABELS.get(job.status, job.status),
        progress=100 if job.status == "done" else (job.tickets_done * 100 // total if total else 0),
        progress_text=f"{job.tickets_done:,} of {total:,} tickets",
        size=file_size(job.size) if job.size is not None else "",
        requested_by=job.requested_by,
        created=iso(job.created_at),
        expires=iso(job.expires_at),
        error=job.error,
        download_url=routes.project_export_download(job.id) if job.downloadable else "",
    )


def export_listing(session: Session, actor: UserPublic, project_key: str) -> tuple[str, list[ExportLine]]:
    """The project's name and its latest exports, as the page lists them."""
    rows = jobs.list_exports(session=session, actor=actor, project_key=project_key)
    return access.get_project(session, project_key).name, [_line(job) for job in rows]


class AdminExportsState(SessionState):
    project_key: str = ""
    project_name: str = ""
    rows: list[ExportLine] = []
    under_way: bool = False  # an export is waiting or being written: the page keeps checking

    def _show(self, listing: tuple[str, list[ExportLine]]) -> None:
        self.project_name, self.rows = listing
        self.under_way = any(row.status in ("queued", "running") for row in self.rows)

    @rx.event
    async def load(self):
        actor = await self.admit(Role.ADMIN)
        if actor is None:
            self.rows, self.project_name, self.under_way = [], "", False
            return self.refusal()
        self.project_key = project_key = self.router.url.path.rstrip("/").split("/")[-2].upper()
        outcome = await self.read(lambda session, actor: export_listing(session, actor, project_key))
        if outcome.errors:
            self.rows = []
            return [rx.redirect(routes.ADMIN_PROJECTS), outcome.event]
        if not outcome.ok:
            return outcome.event
        self._show(outcome.value)
        return None

    @rx.event
    async def export(self):
        project_key = self.project_key

        def request_then_list(session: Session, actor: UserPublic):
            jobs.request_export(session=session, actor=actor, project_key=project_key)
            return export_listing(session, actor, project_key)

        outcome = await self.run(request_then_list)
        if not outcome.ok:
            return outcome.event
        self._show(outcome.value)
        return rx.toast.success("Export started. It is listed below; this page shows when it is ready.")

    @rx.event
    async def watch(self):
        """One tick while an export is under way: the list as it now is."""
        if not self.under_way:
            return None
        project_key = self.project_key
        return await live.tick(
            self,
            lambda session, actor: export_listing(session, actor, project_key),
            self._show,
            refused=type(self).load,
        )
