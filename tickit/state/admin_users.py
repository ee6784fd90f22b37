"""Admin: list, create, change the role of, and deactivate user accounts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import reflex as rx
from sqlmodel import Session

from tickit.components.one_time_secret import reveal
from tickit.models import Role
from tickit.services import organisations, password_reset, users
from tickit.services.actors import UserPublic
from tickit.state.formatting import iso
from tickit.state.session import SessionState

NO_ORGANISATION = "none"  # the organisation select's value for none (Radix items need a non-empty value)
MANAGER = ":manager"  # appended to an organisation's id: its manager


@dataclasses.dataclass
class UserLine:
    id: int
    name: str
    email: str
    role: str
    active: bool
    last_sign_in: str
    is_me: bool
    mail_bounced: str = ""  # ISO instant of the last bounce of mail to the address, "" for none
    organisation: str = NO_ORGANISATION  # an `organisation_choices` value


def user_lines(session: Session, actor: UserPublic) -> list[UserLine]:
    accounts = users.list_users(session=session, actor=actor)
    held = organisations.memberships(session, [u.id for u in accounts])
    return [
        UserLine(
            id=u.id,
            name=u.name,
            email=u.email,
            role=u.role,
            active=u.is_active,
            last_sign_in=iso(u.last_sign_in_at),
            is_me=u.id == actor.id,
            mail_bounced=iso(u.mail_bounced_at),
            organisation=_choice(held.get(u.id)),
        )
        for u in accounts
    ]


def _choice(membership: organisations.Membership | None) -> str:
    if membership is None:
        return NO_ORGANISATION
    return f"{membership.organisation_id}{MANAGER if membership.is_manager else ''}"


def users_page_data(session: Session, actor: UserPublic) -> tuple[list[UserLine], list[list[str]]]:
    """The user lines, and [value, label] of each way to belong to an organisation (or to none)."""
    choices = [[NO_ORGANISATION, "No organisation"]]
    for organisation_id, name in organisations.organisation_names(session):
        choices += [[str(organisation_id), name], [f"{organisation_id}{MANAGER}", f"{name} · manager"]]
    return user_lines(session, actor), choices


GENERATED_PASSWORD_ID = "generated-password"
QUEUE = "queue"


class AdminUsersState(SessionState):
    rows: list[UserLine] = []
    organisation_choices: list[list[str]] = []
    dialog_open: bool = False
    form_errors: dict[str, str] = {}
    new_role: str = Role.AGENT.value
    created_email: str = ""
    # Whether the dialog shows a generated password; the password itself never enters the state.
    password_generated: bool = False
    # Whom the admin is about to make an admin (a name, shown in the confirmation), and their id.
    admin_candidate: str = ""
    _admin_candidate_id: int = 0
    # Who takes the open tickets of the account being deactivated (`leaving_id`): QUEUE or a user id.
    heir: str = QUEUE
    leaving_id: int = 0

    @rx.event
    async def load(self):
        outcome = await self.admit_and_read((Role.ADMIN,), users_page_data)
        if outcome is None:
            self.rows, self.organisation_choices = [], []
            return self.refusal()
        if not outcome.ok:
            return outcome.event
        self.rows, self.organisation_choices = outcome.value
        return None

    @rx.event
    def open_create(self):
        self.dialog_open, self.form_errors = True, {}
        self.created_email, self.password_generated = "", False
        self.new_role = Role.AGENT.value

    @rx.event
    def set_dialog_open(self, is_open: bool):
        self.dialog_open = is_open

    @rx.event
    def set_new_role(self, role: str):
        self.new_role = role

    @rx.event
    async def create(self, form: dict):
        role = self.new_role

        def create_then_list(session: Session, actor: UserPublic) -> tuple[users.CreatedUser, list[UserLine]]:
            created = users.create_user(
                session=session,
                actor=actor,
                email=str(form.get("email", "")),
                name=str(form.get("name", "")),
                role=role,
                password=str(form.get("password", "")) or None,
            )
            return created, user_lines(session, actor)

        outcome = await self.run(create_then_list)
        self.form_errors = outcome.errors
        if not outcome.ok:
            return None if outcome.errors else outcome.event
        created, self.rows = outcome.value
        self.created_email = created.user.email
        self.password_generated = created.generated_password is not None
        done = rx.toast.success(f"Account created for {created.user.email}. A welcome mail is on its way.")
        if created.generated_password is None:
            self.dialog_open = False
            return done
        return [reveal(GENERATED_PASSWORD_ID, created.generated_password), done]

    @rx.event
    async def choose_role(self, user_id: int, role: str):
        """A role picked in the table: admin rights wait for a confirmation, other roles apply at once."""
        if role != Role.ADMIN.value:
            return await self._change_role(user_id, role)
        self.admin_candidate = next((row.name for row in self.rows if row.id == user_id), "")
        self._admin_candidate_id = user_id if self.admin_candidate else 0
        return None

    @rx.event
    def keep_admin_candidate(self, is_open: bool):
        if not is_open:
            self.admin_candidate, self._admin_candidate_id = "", 0

    @rx.event
    async def confirm_admin_role(self):
        user_id = self._admin_candidate_id
        self.admin_candidate, self._admin_candidate_id = "", 0
        if not user_id:
            return None
        return await self._change_role(user_id, Role.ADMIN.value)

    @rx.event
    async def send_reset_link(self, user_id: int):
        """Mail the user a one-hour link to choose a new password (their current one keeps working until then)."""
        return await self._apply(
            lambda session, actor: password_reset.send_reset_link(session=session, actor=actor, user_id=user_id),
            "A password reset link is on its way to {email}; it works for one hour.",
        )

    async def _change_role(self, user_id: int, role: str):
        return await self._apply(
            lambda session, actor: users.change_role(session=session, actor=actor, user_id=user_id, role=role),
            "Role changed to {role}.",
        )

    @rx.event
    async def set_organisation(self, user_id: int, choice: str):
        """Put the user in the chosen organisation (as a member or its manager), or in none."""
        organisation, manager = choice.removesuffix(MANAGER), choice.endswith(MANAGER)
        organisation_id = int(organisation) if organisation.isdigit() else None
        if organisation_id is None and choice != NO_ORGANISATION:
            return None

        def place(session: Session, actor: UserPublic) -> UserPublic:
            organisations.set_membership(
                session=session, actor=actor, user_id=user_id, organisation_id=organisation_id, is_manager=manager
            )
            return UserPublic.of(users.get_user(session, user_id))

        return await self._apply(place, "Organisation of {email} changed.")

    @rx.event
    def choose_heir(self, user_id: int):
        """Open a deactivation's dialog: the account's open tickets go back to the queue unless another is picked."""
        self.heir, self.leaving_id = QUEUE, user_id

    @rx.event
    def set_heir(self, heir: str):
        self.heir = heir

    @rx.var
    def heirs(self) -> list[list[str]]:
        """[value, label]: who may take a deactivated agent's open tickets (active staff), after the queue."""
        staff = [
            [str(r.id), r.name] for r in self.rows if r.active and r.role != Role.CLIENT and r.id != self.leaving_id
        ]
        return [[QUEUE, "Back to the queue"], *staff]

    @rx.event
    async def set_active(self, user_id: int, active: bool):
        verb = "reactivated" if active else "deactivated; their sessions have ended"
        heir = None if active or self.heir == QUEUE else int(self.heir)
        self.heir = QUEUE
        return await self._apply(
            lambda session, actor: users.set_active(
                session=session, actor=actor, user_id=user_id, active=active, tickets_to=heir
            ),
            f"{{email}} {verb}.",
        )

    async def _apply(self, change: Callable[[Session, UserPublic], UserPublic], message: str):
        """Change one account, then list them all as they now stand, in one transaction."""

        def change_then_list(session: Session, actor: UserPublic) -> tuple[UserPublic, list[UserLine]]:
            return change(session, actor), user_lines(session, actor)

        outcome = await self.run(change_then_list)
        if outcome.errors:
            return rx.toast.error(" ".join(outcome.errors.values()))
        if not outcome.ok:
            return outcome.event
        changed, self.rows = outcome.value
        return rx.toast.success(message.format(role=changed.role, email=changed.email))
