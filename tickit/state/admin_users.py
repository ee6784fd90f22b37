"""Admin: list, create, change the role of, and deactivate user accounts."""

from __future__ import annotations

import dataclasses

import reflex as rx

from tickit.db import session_scope
from tickit.models import Role
from tickit.services import users
from tickit.services.errors import ServiceError
from tickit.state.formatting import ago
from tickit.state.session import SessionState, form_errors


@dataclasses.dataclass
class UserLine:
    id: int
    name: str
    email: str
    role: str
    active: bool
    last_sign_in: str
    is_me: bool


class AdminUsersState(SessionState):
    rows: list[UserLine] = []
    dialog_open: bool = False
    form_errors: dict[str, str] = {}
    new_role: str = Role.AGENT.value
    created_email: str = ""
    created_password: str = ""

    def _reload(self, session, actor) -> None:
        self.rows = [
            UserLine(
                id=u.id,
                name=u.name,
                email=u.email,
                role=u.role,
                active=u.is_active,
                last_sign_in=ago(u.last_sign_in_at),
                is_me=u.id == actor.id,
            )
            for u in users.list_users(session=session, actor=actor)
        ]

    @rx.event
    async def load(self):
        actor = await self.admit(Role.ADMIN)
        if actor is None:
            self.rows = []
            return self.refusal()
        with session_scope() as session:
            self._reload(session, actor)
        return None

    @rx.event
    def open_create(self):
        self.dialog_open, self.form_errors = True, {}
        self.created_email = self.created_password = ""
        self.new_role = Role.AGENT.value

    @rx.event
    def set_dialog_open(self, is_open: bool):
        self.dialog_open = is_open

    @rx.event
    def set_new_role(self, role: str):
        self.new_role = role

    @rx.event
    async def create(self, form: dict):
        actor = await self.actor()
        try:
            with session_scope() as session:
                created = users.create_user(
                    session=session,
                    actor=actor,
                    email=str(form.get("email", "")),
                    name=str(form.get("name", "")),
                    role=self.new_role,
                    password=str(form.get("password", "")) or None,
                )
        except ServiceError as exc:
            self.form_errors = form_errors(exc)
            return None
        self.form_errors = {}
        self.created_email = created.user.email
        self.created_password = created.generated_password or ""
        with session_scope() as session:
            self._reload(session, actor)
        if not self.created_password:
            self.dialog_open = False
        return rx.toast.success(f"Account created for {created.user.email}. A welcome mail is on its way.")

    @rx.event
    async def change_role(self, user_id: int, role: str):
        return await self._apply(
            lambda session, actor: users.change_role(session=session, actor=actor, user_id=user_id, role=role),
            "Role changed to {role}.",
        )

    @rx.event
    async def set_active(self, user_id: int, active: bool):
        verb = "reactivated" if active else "deactivated; their sessions have ended"
        return await self._apply(
            lambda session, actor: users.set_active(session=session, actor=actor, user_id=user_id, active=active),
            f"{{email}} {verb}.",
        )

    async def _apply(self, change, message: str):
        actor = await self.actor()
        try:
            with session_scope() as session:
                changed = change(session, actor)
        except ServiceError as exc:
            return rx.toast.error(" ".join(form_errors(exc).values()))
        with session_scope() as session:
            self._reload(session, actor)
        return rx.toast.success(message.format(role=changed.role, email=changed.email))
