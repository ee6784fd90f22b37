"""Admin: list projects, create one from a template, manage its members and invite new ones by email."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from tickit.models import MemberRole, Role
from tickit.services import invitations, project_setup, projects, templates
from tickit.services.actors import UserPublic
from tickit.state.formatting import iso
from tickit.state.session import PROJECT_SETTINGS_ROLES, SessionState


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


def project_lines(session: Session, actor: UserPublic) -> list[ProjectLine]:
    return [
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


@dataclasses.dataclass
class InvitedLine:
    id: int
    email: str
    role: str
    expires_at: str
    expired: bool


def member_lines(session: Session, actor: UserPublic, project_key: str) -> list[MemberLine]:
    return [
        MemberLine(user_id=m.user_id, name=m.name, email=m.email, project_role=m.project_role)
        for m in projects.list_members(session=session, actor=actor, project_key=project_key)
    ]


def invited_lines(session: Session, actor: UserPublic, project_key: str) -> list[InvitedLine]:
    return [
        InvitedLine(id=i.id, email=i.email, role=i.project_role, expires_at=iso(i.expires_at), expired=i.expired)
        for i in invitations.list_pending(session=session, actor=actor, project_key=project_key)
    ]


@dataclasses.dataclass(frozen=True)
class _Listing:
    """A project's members and every project's counts, as they stand after a change to its members."""

    members: list[MemberLine]
    invited: list[InvitedLine]
    projects: list[ProjectLine]


def _listing(session: Session, actor: UserPublic, project_key: str) -> _Listing:
    return _Listing(
        members=member_lines(session, actor, project_key),
        invited=invited_lines(session, actor, project_key),
        projects=project_lines(session, actor),
    )


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
    invited: list[InvitedLine] = []  # pending invitations into the project
    member_email: str = ""
    member_role: str = MemberRole.AGENT.value
    member_errors: dict[str, str] = {}
    # Only admins create projects; a project admin sees and configures their own projects here.
    may_create: bool = False

    @rx.event
    async def load(self):
        def projects_and_templates(session: Session, actor: UserPublic):
            return project_lines(session, actor), [[t.slug, t.name] for t in templates.list_templates()]

        outcome = await self.admit_and_read(PROJECT_SETTINGS_ROLES, projects_and_templates)
        self.may_create = self.user_role == Role.ADMIN
        if outcome is None:
            self.rows = []
            return self.refusal()
        if not outcome.ok:
            return outcome.event
        self.rows, self.template_options = outcome.value
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
        template = self.template

        def create_then_list(session: Session, actor: UserPublic):
            created = project_setup.create_project(
                session=session,
                actor=actor,
                key=str(form.get("key", "")),
                name=str(form.get("name", "")),
                workflow=templates.load_template(template),
            )
            return created, project_lines(session, actor)

        outcome = await self.run(create_then_list)
        self.create_errors = outcome.errors
        if not outcome.ok:
            return None if outcome.errors else outcome.event
        created, self.rows = outcome.value
        self.create_open = False
        return rx.toast.success(f"Project {created.key} created. Add agents and clients to it next.")

    @rx.event
    async def open_members(self, key: str, name: str):
        self.members_project, self.members_project_name = key, name
        self.member_errors, self.member_role, self.member_email = {}, MemberRole.AGENT.value, ""
        outcome = await self.read(lambda session, actor: _listing(session, actor, key))
        if not outcome.ok:
            return outcome.event
        self.members, self.invited, self.members_open = outcome.value.members, outcome.value.invited, True
        return None

    @rx.event
    def set_members_open(self, is_open: bool):
        self.members_open = is_open

    @rx.event
    def set_member_role(self, role: str):
        self.member_role = role

    @rx.event
    def set_member_email(self, email: str):
        self.member_email = email

    def _show(self, listing: _Listing) -> None:
        self.members, self.invited, self.rows = listing.members, listing.invited, listing.projects

    @rx.event
    async def add_member(self):
        project_key, project_role, email = self.members_project, self.member_role, self.member_email

        def add_then_list(session: Session, actor: UserPublic):
            added = projects.add_member(
                session=session, actor=actor, project_key=project_key, email=email, project_role=project_role
            )
            return added, _listing(session, actor, project_key)

        outcome = await self.run(add_then_list)
        self.member_errors = outcome.errors
        if not outcome.ok:
            return None if outcome.errors else outcome.event
        added, listing = outcome.value
        self._show(listing)
        self.member_email = ""
        return rx.toast.success(f"{added.name} is now {added.project_role} in {project_key}.")

    @rx.event
    async def invite_member(self):
        """Invite the typed address by email into this project, in the chosen role; the list shows it pending."""
        project_key, project_role, email = self.members_project, self.member_role, self.member_email

        def invite_then_list(session: Session, actor: UserPublic):
            row = invitations.invite_into_project(
                session=session, actor=actor, project_key=project_key, email=email, project_role=project_role
            )
            return row.email, _listing(session, actor, project_key)

        outcome = await self.run(invite_then_list)
        self.member_errors = outcome.errors
        if not outcome.ok:
            return None if outcome.errors else outcome.event
        invited, listing = outcome.value
        self._show(listing)
        self.member_email = ""
        return rx.toast.success(f"Invitation sent to {invited}. The link works for seven days.")

    @rx.event
    async def resend_invitation(self, invitation_id: int):
        project_key = self.members_project

        def resend_then_list(session: Session, actor: UserPublic):
            row = invitations.resend(session=session, actor=actor, invitation_id=invitation_id)
            return row.email, _listing(session, actor, project_key)

        outcome = await self.run(resend_then_list)
        if not outcome.ok:
            return outcome.event
        email, listing = outcome.value
        self._show(listing)
        return rx.toast.success(f"A fresh invitation is on its way to {email}; the earlier link no longer works.")

    @rx.event
    async def revoke_invitation(self, invitation_id: int):
        project_key = self.members_project

        def revoke_then_list(session: Session, actor: UserPublic):
            email = invitations.revoke(session=session, actor=actor, invitation_id=invitation_id)
            return email, _listing(session, actor, project_key)

        outcome = await self.run(revoke_then_list)
        if not outcome.ok:
            return outcome.event
        email, listing = outcome.value
        self._show(listing)
        return rx.toast.success(f"Invitation of {email} revoked; its link no longer works.")

    @rx.event
    async def remove_member(self, user_id: int):
        project_key = self.members_project

        def remove_then_list(session: Session, actor: UserPublic) -> _Listing:
            projects.remove_member(session=session, actor=actor, project_key=project_key, user_id=user_id)
            return _listing(session, actor, project_key)

        outcome = await self.run(remove_then_list)
        if not outcome.ok:
            return outcome.event
        self._show(outcome.value)
        return rx.toast.success("Member removed; their tickets stay.")
