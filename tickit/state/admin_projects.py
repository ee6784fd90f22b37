"""Admin: list projects, create one from a template, manage its members."""

from __future__ import annotations

import dataclasses

import reflex as rx

from tickit.db import session_scope
from tickit.models import MemberRole, Role
from tickit.services import project_setup, projects, templates
from tickit.services.errors import ServiceError
from tickit.state.session import SessionState, form_errors


@dataclasses.dataclass
class ProjectLine:
    key: str
    name: str
    description: str
    types: str
    agents: int
    clients: int
    tickets: int


@dataclasses.dataclass
class MemberLine:
    user_id: int
    name: str
    email: str
    project_role: str


class AdminProjectsState(SessionState):
    rows: list[ProjectLine] = []
    template_options: list[list[str]] = []  # [slug, "Name: description"]
    template: str = ""
    create_open: bool = False
    create_errors: dict[str, str] = {}

    members_open: bool = False
    members_project: str = ""
    members_project_name: str = ""
    members: list[MemberLine] = []
    member_role: str = MemberRole.AGENT.value
    member_errors: dict[str, str] = {}

    def _reload(self, session, actor) -> None:
        self.rows = [
            ProjectLine(
                key=p.key,
                name=p.name,
                description=p.description,
                types=", ".join(p.type_names),
                agents=p.agent_count,
                clients=p.client_count,
                tickets=p.ticket_count,
            )
            for p in projects.list_projects(session=session, actor=actor)
        ]

    @rx.event
    async def load(self):
        actor = await self.admit(Role.ADMIN)
        if actor is None:
            self.rows = []
            return self.refusal()
        with session_scope() as session:
            self._reload(session, actor)
        self.template_options = [[t.slug, t.name] for t in templates.list_templates()]
        return None

    @rx.event
    def open_create(self):
        self.create_open, self.create_errors = True, {}
        self.template = self.template_options[0][0] if self.template_options else ""

    @rx.event
    def set_create_open(self, is_open: bool):
        self.create_open = is_open

    @rx.event
    def set_template(self, slug: str):
        self.template = slug

    @rx.event
    async def create(self, form: dict):
        actor = await self.actor()
        try:
            workflow = templates.load_template(self.template)
            with session_scope() as session:
                created = project_setup.create_project(
                    session=session,
                    actor=actor,
                    key=str(form.get("key", "")),
                    name=str(form.get("name", "")),
                    workflow=workflow,
                )
        except ServiceError as exc:
            self.create_errors = form_errors(exc)
            return None
        self.create_open, self.create_errors = False, {}
        with session_scope() as session:
            self._reload(session, actor)
        return rx.toast.success(f"Project {created.key} created. Add agents and clients to it next.")

    def _load_members(self, session, actor) -> None:
        self.members = [
            MemberLine(user_id=m.user_id, name=m.name, email=m.email, project_role=m.project_role)
            for m in projects.list_members(session=session, actor=actor, project_key=self.members_project)
        ]

    @rx.event
    async def open_members(self, key: str, name: str):
        actor = await self.actor()
        self.members_project, self.members_project_name = key, name
        self.member_errors, self.member_role = {}, MemberRole.AGENT.value
        try:
            with session_scope() as session:
                self._load_members(session, actor)
        except ServiceError as exc:
            return rx.toast.error(str(exc))
        self.members_open = True
        return None

    @rx.event
    def set_members_open(self, is_open: bool):
        self.members_open = is_open

    @rx.event
    def set_member_role(self, role: str):
        self.member_role = role

    @rx.event
    async def add_member(self, form: dict):
        actor = await self.actor()
        try:
            with session_scope() as session:
                added = projects.add_member(
                    session=session,
                    actor=actor,
                    project_key=self.members_project,
                    email=str(form.get("email", "")),
                    project_role=self.member_role,
                )
                self._load_members(session, actor)
                self._reload(session, actor)
        except ServiceError as exc:
            self.member_errors = form_errors(exc)
            return None
        self.member_errors = {}
        return rx.toast.success(f"{added.name} is now {added.project_role} in {self.members_project}.")

    @rx.event
    async def remove_member(self, user_id: int):
        actor = await self.actor()
        try:
            with session_scope() as session:
                projects.remove_member(session=session, actor=actor, project_key=self.members_project, user_id=user_id)
                self._load_members(session, actor)
                self._reload(session, actor)
        except ServiceError as exc:
            return rx.toast.error(str(exc))
        return rx.toast.success("Member removed; their tickets stay.")
