"""Admin: /admin/projects/<KEY>/assignment — the project's rule, its agents' standing, its types' skills."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.services import assignment_admin
from tickit.services.actors import UserPublic
from tickit.state.session import PROJECT_SETTINGS_ROLES, SessionState

# The hours choice for none: calendar keys start with a letter, so "-" is never one.
ROUND_THE_CLOCK = "-"


@dataclasses.dataclass
class AgentLine:
    user_id: int
    name: str
    email: str
    available: bool
    capacity: str  # "" for no limit
    skills: str  # "billing, de"
    open: int
    hours: str  # a calendar key, or ROUND_THE_CLOCK
    working: bool  # inside those hours now


@dataclasses.dataclass
class SkillLine:
    """One row of the skills table: a type (what it always needs) or one option of its select fields."""

    type_key: str
    field_key: str  # "" on a type's own row
    option_key: str
    label: str
    skills: str


def _view(settings: assignment_admin.AssignmentSettings) -> dict[str, Any]:
    agents = [
        AgentLine(
            user_id=a.user_id,
            name=a.name,
            email=a.email,
            available=a.available,
            capacity="" if a.capacity is None else str(a.capacity),
            skills=", ".join(a.skills),
            open=a.open,
            hours=a.calendar_key or ROUND_THE_CLOCK,
            working=a.working,
        )
        for a in settings.agents
    ]
    skills: list[SkillLine] = []
    for t in settings.types:
        skills.append(SkillLine(t.key, "", "", t.name, ", ".join(t.skills)))
        for f in t.fields:
            for o in f.options:
                skills.append(SkillLine(t.key, f.key, o.key, f"{f.label} · {o.label}", ", ".join(o.skills)))
    return {
        "project_name": settings.project_name,
        "strategy": settings.strategy,
        "require_skills": settings.require_skills,
        "agents": agents,
        "skills": skills,
        "calendars": [ROUND_THE_CLOCK, *settings.calendars],
    }


class AdminAssignmentState(SessionState):
    project_key: str = ""
    project_name: str = ""
    strategy: str = "off"
    require_skills: bool = False
    agents: list[AgentLine] = []
    skills: list[SkillLine] = []
    calendars: list[str] = []  # the hours choices: ROUND_THE_CLOCK, then the project's calendar keys
    # Bumped on each load and save, so the inputs (uncontrolled, saved on blur) show what is stored.
    revision: int = 0

    @rx.event
    async def load(self):
        project_key = self.router.url.path.rstrip("/").split("/")[-2].upper()
        self.project_key = project_key
        outcome = await self.admit_and_read(
            PROJECT_SETTINGS_ROLES,
            lambda session, actor: assignment_admin.assignment_settings(
                session=session, actor=actor, project_key=project_key
            ),
        )
        if outcome is None:
            return self.refusal()
        if not outcome.ok:
            return [rx.redirect(routes.ADMIN_PROJECTS), outcome.event]
        self._show(outcome.value)
        return None

    def _show(self, settings: assignment_admin.AssignmentSettings) -> None:
        for name, value in _view(settings).items():
            setattr(self, name, value)
        self.revision += 1

    async def _save(self, change: Callable[[Session, UserPublic, str], Any], done: str):
        project_key = self.project_key

        def change_then_read(session: Session, actor: UserPublic) -> assignment_admin.AssignmentSettings:
            change(session, actor, project_key)
            return assignment_admin.assignment_settings(session=session, actor=actor, project_key=project_key)

        outcome = await self.run(change_then_read)
        if not outcome.ok:
            self.revision += 1  # the inputs go back to what is stored
            return rx.toast.error(" ".join(outcome.errors.values())) if outcome.errors else outcome.event
        self._show(outcome.value)
        return rx.toast.success(done) if done else None

    @rx.event
    async def set_strategy(self, strategy: str):
        labels = {"off": "Assignment is off", "round-robin": "Round-robin is on", "least-load": "Least-load is on"}
        return await self._save(
            lambda session, actor, key: assignment_admin.set_rule(
                session=session, actor=actor, project_key=key, changes={"strategy": strategy}
            ),
            labels.get(strategy, "Saved") + ".",
        )

    @rx.event
    async def set_require_skills(self, required: bool):
        return await self._save(
            lambda session, actor, key: assignment_admin.set_rule(
                session=session, actor=actor, project_key=key, changes={"require_skills": required}
            ),
            "Skills are required." if required else "Skills are no longer required.",
        )

    @rx.event
    async def set_available(self, user_id: int, available: bool):
        return await self._agent(user_id, {"available": available})

    @rx.event
    async def set_capacity(self, user_id: int, capacity: str):
        row = next((a for a in self.agents if a.user_id == user_id), None)
        if row is not None and row.capacity == capacity.strip():
            return None
        return await self._agent(user_id, {"capacity": capacity})

    @rx.event
    async def set_agent_skills(self, user_id: int, skills: str):
        row = next((a for a in self.agents if a.user_id == user_id), None)
        if row is not None and row.skills == skills.strip():
            return None
        return await self._agent(user_id, {"skills": skills})

    @rx.event
    async def set_hours(self, user_id: int, calendar: str):
        return await self._agent(user_id, {"calendar": None if calendar == ROUND_THE_CLOCK else calendar})

    async def _agent(self, user_id: int, changes: dict[str, Any]):
        name = next((a.name for a in self.agents if a.user_id == user_id), "The agent")
        return await self._save(
            lambda session, actor, key: assignment_admin.set_agent(
                session=session, actor=actor, project_key=key, user_id=user_id, changes=changes
            ),
            f"{name} saved.",
        )

    @rx.event
    async def set_skills(self, index: int, skills: str):
        if not 0 <= index < len(self.skills):
            return None
        line = self.skills[index]
        if line.skills == skills.strip():
            return None
        if line.field_key:
            # The whole mapping of the line's field, with this option's skills replaced.
            mapping: dict[str, dict[str, str]] = {}
            for other in self.skills:
                if other.type_key == line.type_key and other.field_key:
                    text = skills if other is line else other.skills
                    if text.strip():
                        mapping.setdefault(other.field_key, {})[other.option_key] = text
            changes: dict[str, Any] = {"field_skills": mapping}
        else:
            changes = {"skills": skills}
        type_key = line.type_key
        return await self._save(
            lambda session, actor, key: assignment_admin.set_type_skills(
                session=session, actor=actor, project_key=key, type_key=type_key, changes=changes
            ),
            "Skills saved.",
        )
