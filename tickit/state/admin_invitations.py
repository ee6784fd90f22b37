"""Admin, on the users page: invite people by email, list pending invitations, resend or revoke them."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from tickit.models import Role
from tickit.services import invitations, projects
from tickit.services.actors import UserPublic
from tickit.state.formatting import iso
from tickit.state.session import SessionState


@dataclasses.dataclass
class InvitationLine:
    id: int
    email: str
    role: str
    projects: str
    invited_by: str
    expires_at: str
    expired: bool


@dataclasses.dataclass
class ProjectChoice:
    id: int
    name: str


def _lines(session: Session, actor: UserPublic) -> list[InvitationLine]:
    return [
        InvitationLine(
            id=row.id,
            email=row.email,
            role=row.role,
            projects=", ".join(row.projects) or "No project",
            invited_by=row.invited_by,
            expires_at=iso(row.expires_at),
            expired=row.expired,
        )
        for row in invitations.list_pending(session=session, actor=actor)
    ]


def _page_data(session: Session, actor: UserPublic) -> tuple[list[InvitationLine], list[ProjectChoice]]:
    choices = [ProjectChoice(id=p.id, name=p.name) for p in projects.list_projects(session=session, actor=actor)]
    return _lines(session, actor), choices


class AdminInvitationsState(SessionState):
    invitations: list[InvitationLine] = []
    projects: list[ProjectChoice] = []
    dialog_open: bool = False
    form_errors: dict[str, str] = {}
    role: str = Role.CLIENT.value
    chosen_projects: list[int] = []

    @rx.event
    async def load(self):
        outcome = await self.admit_and_read((Role.ADMIN,), _page_data)
        if outcome is None:
            self.invitations, self.projects = [], []
            return None  # the users page's own load redirects
        if outcome.ok:
            self.invitations, self.projects = outcome.value
        return outcome.event

    @rx.event
    def open_invite(self):
        self.dialog_open, self.form_errors = True, {}
        self.role, self.chosen_projects = Role.CLIENT.value, []

    @rx.event
    def set_dialog_open(self, is_open: bool):
        self.dialog_open = is_open

    @rx.event
    def set_role(self, role: str):
        self.role = role

    @rx.event
    def toggle_project(self, project_id: int, chosen: bool):
        rest = [p for p in self.chosen_projects if p != project_id]
        self.chosen_projects = [*rest, project_id] if chosen else rest

    @rx.event
    async def invite(self, form: dict):
        role, project_ids = self.role, list(self.chosen_projects)

        def invite_then_list(session: Session, actor: UserPublic) -> tuple[str, list[InvitationLine]]:
            row = invitations.invite(
                session=session, actor=actor, email=str(form.get("email", "")), role=role, project_ids=project_ids
            )
            return row.email, _lines(session, actor)

        outcome = await self.run(invite_then_list)
        self.form_errors = outcome.errors
        if not outcome.ok:
            return None if outcome.errors else outcome.event
        email, self.invitations = outcome.value
        self.dialog_open = False
        return rx.toast.success(f"Invitation sent to {email}. The link works for seven days.")

    @rx.event
    async def resend(self, invitation_id: int):
        def resend_then_list(session: Session, actor: UserPublic) -> tuple[str, list[InvitationLine]]:
            row = invitations.resend(session=session, actor=actor, invitation_id=invitation_id)
            return row.email, _lines(session, actor)

        outcome = await self.run(resend_then_list)
        if not outcome.ok:
            return outcome.event
        email, self.invitations = outcome.value
        return rx.toast.success(f"A fresh invitation is on its way to {email}; the earlier link no longer works.")

    @rx.event
    async def revoke(self, invitation_id: int):
        def revoke_then_list(session: Session, actor: UserPublic) -> tuple[str, list[InvitationLine]]:
            email = invitations.revoke(session=session, actor=actor, invitation_id=invitation_id)
            return email, _lines(session, actor)

        outcome = await self.run(revoke_then_list)
        if not outcome.ok:
            return outcome.event
        email, self.invitations = outcome.value
        return rx.toast.success(f"Invitation of {email} revoked; its link no longer works.")
