"""Admin: a project's lifecycle settings — reopen window, auto-close, satisfaction survey."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.services import access, lifecycle
from tickit.services.actors import UserPublic
from tickit.state.session import PROJECT_SETTINGS_ROLES, SessionState


def _read(session: Session, actor: UserPublic, project_key: str) -> tuple[str, lifecycle.LifecycleSettings]:
    settings = lifecycle.get_settings(session=session, actor=actor, project_key=project_key)
    return access.get_project(session, project_key).name, settings


def _whole(text: str) -> int | str:
    """The form's text as a whole number, or as given for the service to refuse by name."""
    text = text.strip()
    return int(text) if text.isdigit() else text


class AdminLifecycleState(SessionState):
    project_key: str = ""
    project_name: str = ""
    reopen_window_days: str = ""
    auto_close_days: str = ""
    survey_enabled: bool = True
    survey_delay_minutes: str = ""
    errors: dict[str, str] = {}

    def _show(self, name: str, settings: lifecycle.LifecycleSettings) -> None:
        self.project_name = name
        self.reopen_window_days = str(settings.reopen_window_days)
        self.auto_close_days = str(settings.auto_close_days)
        self.survey_enabled = settings.survey_enabled
        self.survey_delay_minutes = str(settings.survey_delay_minutes)

    @rx.event
    async def load(self):
        self.errors = {}
        project_key = self.router.url.path.rstrip("/").split("/")[-2].upper()
        self.project_key = project_key
        outcome = await self.admit_and_read(
            PROJECT_SETTINGS_ROLES, lambda session, actor: _read(session, actor, project_key)
        )
        if outcome is None:
            self.project_name = ""
            return self.refusal()
        if outcome.errors:
            return [rx.redirect(routes.ADMIN_PROJECTS), outcome.event]
        if not outcome.ok:
            return outcome.event
        self._show(*outcome.value)
        return None

    @rx.event
    def set_survey_enabled(self, enabled: bool):
        self.survey_enabled = enabled

    @rx.event
    async def save(self, form: dict):
        project_key = self.project_key
        wanted = {
            "reopen_window_days": _whole(str(form.get("reopen_window_days", ""))),
            "auto_close_days": _whole(str(form.get("auto_close_days", ""))),
            "survey_enabled": self.survey_enabled,
            "survey_delay_minutes": _whole(str(form.get("survey_delay_minutes", ""))),
        }

        def save_then_read(session: Session, actor: UserPublic):
            settings = lifecycle.LifecycleSettings(**wanted)  # type: ignore[arg-type]
            lifecycle.update_settings(session=session, actor=actor, project_key=project_key, settings=settings)
            return _read(session, actor, project_key)

        outcome = await self.run(save_then_read)
        self.errors = outcome.errors
        if not outcome.ok:
            return outcome.event
        self._show(*outcome.value)
        return rx.toast.success("Lifecycle settings saved.")
