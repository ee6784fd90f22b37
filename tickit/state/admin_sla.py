"""Admin: a project's SLA set-up, edited as its `sla:` YAML section with a live preview."""

from __future__ import annotations

import dataclasses

import reflex as rx

from tickit.models import utcnow
from tickit.services import sla_admin
from tickit.state.session import PROJECT_SETTINGS_ROLES, SessionState


@dataclasses.dataclass
class PreviewRow:
    policy: str
    priority: str
    targets: str
    first_response_due: str
    resolution_due: str


def _rows(lines) -> list[PreviewRow]:
    return [PreviewRow(**dataclasses.asdict(line)) for line in lines]


class AdminSlaState(SessionState):
    project_key: str = ""
    project_name: str = ""
    text: str = ""
    error: str = ""  # what is wrong with the text, with its line
    preview: list[PreviewRow] = []
    saved: str = ""  # "Saved; 12 open tickets re-timed."

    @rx.event
    async def load(self):
        self.error, self.saved = "", ""
        project_key = self.router.url.path.rstrip("/").split("/")[-2].upper()
        self.project_key = project_key
        outcome = await self.admit_and_read(
            PROJECT_SETTINGS_ROLES,
            lambda session, actor: sla_admin.sla_settings(
                session=session, actor=actor, project_key=project_key, now=utcnow()
            ),
        )
        if outcome is None:
            return self.refusal()
        if not outcome.ok:
            return outcome.event
        settings = outcome.value
        self.project_name, self.text, self.preview = settings.project_name, settings.text, _rows(settings.preview)
        return None

    @rx.event
    def set_text(self, text: str):
        self.text, self.saved = text, ""

    @rx.event
    async def check(self):
        """Preview the text as it stands (on blur and by the button), without saving it."""
        project_key, text = self.project_key, self.text
        outcome = await self.read(
            lambda session, actor: sla_admin.preview(
                session=session, actor=actor, project_key=project_key, text=text, now=utcnow()
            )
        )
        self.error = outcome.errors.get("text", "")
        if outcome.ok:
            self.preview = _rows(outcome.value)
        elif not self.error:
            return outcome.event
        return None

    @rx.event
    async def save(self, form: dict):
        self.text = text = str(form.get("text", self.text))
        project_key = self.project_key
        outcome = await self.run(
            lambda session, actor: sla_admin.save(
                session=session, actor=actor, project_key=project_key, text=text, now=utcnow()
            )
        )
        self.error = outcome.errors.get("text", "")
        if not outcome.ok:
            return None if self.error else outcome.event
        settings = outcome.value
        self.text, self.preview = settings.text, _rows(settings.preview)
        self.saved = f"Saved; {settings.retimed} open ticket{'s' if settings.retimed != 1 else ''} re-timed."
        return rx.toast.success(self.saved)
