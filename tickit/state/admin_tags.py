"""Admin: a project's tags, with how many tickets carry each; renaming one (into another: merging)."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.services import access, tags
from tickit.services.actors import UserPublic
from tickit.state.session import PROJECT_SETTINGS_ROLES, SessionState


@dataclasses.dataclass
class TagLine:
    name: str
    tickets: int


def _read(session: Session, actor: UserPublic, project_key: str) -> tuple[str, list[tags.TagUse]]:
    uses = tags.project_tags(session=session, actor=actor, project_key=project_key)
    return access.get_project(session, project_key).name, uses


class AdminTagsState(SessionState):
    project_key: str = ""
    project_name: str = ""
    lines: list[TagLine] = []
    renaming: str = ""  # the tag whose rename form is open
    error: str = ""

    def _show(self, name: str, uses: list[tags.TagUse]) -> None:
        self.project_name = name
        self.lines = [TagLine(use.name, use.tickets) for use in uses]

    @rx.event
    async def load(self):
        self.renaming, self.error = "", ""
        project_key = self.router.url.path.rstrip("/").split("/")[-2].upper()
        self.project_key = project_key
        outcome = await self.admit_and_read(
            PROJECT_SETTINGS_ROLES, lambda session, actor: _read(session, actor, project_key)
        )
        if outcome is None:
            return self.refusal()
        if outcome.errors:
            return [rx.redirect(routes.ADMIN_PROJECTS), outcome.event]
        if not outcome.ok:
            return outcome.event
        self._show(*outcome.value)
        return None

    @rx.event
    def start_rename(self, name: str):
        self.renaming, self.error = name, ""

    @rx.event
    def cancel_rename(self):
        self.renaming, self.error = "", ""

    @rx.event
    async def rename(self, form: dict[str, Any]):
        """Rename the open tag; into a name the project has, the two merge (the service says so in the log)."""
        project_key, name, new_name = self.project_key, self.renaming, str(form.get("new_name", ""))

        def rename_then_read(session: Session, actor: UserPublic):
            use = tags.rename_tag(session=session, actor=actor, project_key=project_key, name=name, new_name=new_name)
            return use, _read(session, actor, project_key)

        outcome = await self.run(rename_then_read)
        if not outcome.ok:
            self.error = next(iter(outcome.errors.values()), "")
            return None if outcome.errors else outcome.event
        use, listing = outcome.value
        self._show(*listing)
        self.renaming, self.error = "", ""
        verb = "Merged" if use.merged else "Renamed"
        return rx.toast.success(f"{verb} “{name}” into “{use.name}” ({use.tickets} tickets).")
