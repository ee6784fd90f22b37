"""Admin: a project's intake rules — the acknowledgement mail, per-person limits, who sets priority, self sign-up."""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.services import access, intake_policy
from tickit.services.actors import UserPublic
from tickit.state.session import PROJECT_SETTINGS_ROLES, SessionState


def _read(session: Session, actor: UserPublic, project_key: str) -> tuple[str, intake_policy.IntakePolicy]:
    policy = intake_policy.read_intake(session=session, actor=actor, project_key=project_key)
    return access.get_project(session, project_key).name, policy


class AdminIntakeState(SessionState):
    project_key: str = ""
    project_name: str = ""
    acknowledge: bool = True
    clients_set_priority: bool = False
    tickets_per_hour: str = ""
    comments_per_window: str = ""
    self_signup: bool = False
    signup_domains: str = ""  # comma separated, as typed
    errors: dict[str, str] = {}

    def _show(self, name: str, policy: intake_policy.IntakePolicy) -> None:
        self.project_name = name
        self.acknowledge, self.clients_set_priority = policy.acknowledge, policy.clients_set_priority
        self.tickets_per_hour = str(policy.tickets_per_hour)
        self.comments_per_window = str(policy.comments_per_window)
        self.self_signup, self.signup_domains = policy.self_signup, ", ".join(policy.signup_domains)

    @rx.event
    async def load(self):
        self.errors = {}
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
    def set_acknowledge(self, on: bool):
        self.acknowledge = on

    @rx.event
    def set_clients_set_priority(self, on: bool):
        self.clients_set_priority = on

    @rx.event
    def set_self_signup(self, on: bool):
        self.self_signup = on

    @rx.event
    def set_signup_domains(self, value: str):
        self.signup_domains = value

    @rx.event
    def set_tickets_per_hour(self, value: str):
        self.tickets_per_hour = value

    @rx.event
    def set_comments_per_window(self, value: str):
        self.comments_per_window = value

    @rx.event
    async def save(self, form: dict[str, Any]):
        project_key = self.project_key
        changes = {
            "acknowledge": self.acknowledge,
            "clients_set_priority": self.clients_set_priority,
            "tickets_per_hour": str(form.get("tickets_per_hour", self.tickets_per_hour)),
            "comments_per_window": str(form.get("comments_per_window", self.comments_per_window)),
            "self_signup": self.self_signup,
            "signup_domains": str(form.get("signup_domains", self.signup_domains)),
        }

        def save_then_read(session: Session, actor: UserPublic):
            intake_policy.update_intake(session=session, actor=actor, project_key=project_key, changes=changes)
            return _read(session, actor, project_key)

        outcome = await self.run(save_then_read)
        self.errors = outcome.errors
        if not outcome.ok:
            return None if outcome.errors else outcome.event
        self._show(*outcome.value)
        return rx.toast.success("Intake settings saved.")
