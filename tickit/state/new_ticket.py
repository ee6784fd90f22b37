"""The new-ticket form (client portal and staff): project, ticket type, and that type's own fields."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import reflex as rx
from reflex_base.utils.form import FormData
from sqlmodel import Session

from tickit import routes
from tickit.models import FieldType, Role, Source
from tickit.services import fields, intake_policy, ticket_edits, tickets
from tickit.services.actors import UserPublic
from tickit.services.errors import PermissionDenied
from tickit.state.session import SessionState

# Custom fields are named apart from title/description, whose names a field key could take.
FIELD_PREFIX = "field__"


@dataclasses.dataclass
class FormField:
    key: str
    name: str  # the input's form name
    label: str
    type: str
    required: bool
    options: list[list[str]]  # [key, label]
    error: str


def _submitted(rule: fields.FieldRule, form: FormData):
    """The value the browser submitted for one field, in the shape the validator takes."""
    name = FIELD_PREFIX + rule.key
    if rule.field_type == FieldType.MULTI_SELECT:
        return list(form.getlist(name))
    if rule.field_type == FieldType.CHECKBOX:
        # An unticked box sends nothing; a ticked one sends its value ("on").
        return name in form
    return form.get(name, "")


@dataclasses.dataclass(frozen=True)
class _Tree:
    roles: tuple[str, ...]
    form_path: str
    ticket_path: Callable[[str], str]  # where a ticket filed here opens


# The form lives in two view trees; each admits its own roles. Reflex binds a handler to the
# state class that defines it, so a subclass per tree would still run these rules, not its own.
_PORTAL = _Tree(roles=(Role.CLIENT,), form_path=routes.PORTAL_NEW_TICKET, ticket_path=routes.portal_ticket)
_STAFF = _Tree(roles=(Role.AGENT, Role.ADMIN), form_path=routes.TICKETS_NEW, ticket_path=routes.ticket_page)


class NewTicketState(SessionState):
    """Clients file in the projects they belong to (/portal/new); staff in the ones they work (/tickets/new)."""

    project_options: list[list[str]] = []  # [key, "Name (KEY)"]
    project_key: str = ""
    type_options: list[list[str]] = []  # [key, name] for the chosen project
    type_key: str = ""
    form_fields: list[FormField] = []
    may_set_priority: bool = False  # staff, or clients where the project lets them
    on_behalf: bool = False  # staff may name the client the ticket is for
    errors: dict[str, str] = {}
    _types_by_project: dict[str, list[list[str]]] = {}

    def _show_fields(self, rules: list[fields.FieldRule], errors: dict[str, str] | None = None) -> None:
        errors = errors or {}
        self.form_fields = [
            FormField(
                key=rule.key,
                name=FIELD_PREFIX + rule.key,
                label=rule.label,
                type=rule.field_type.value,
                required=rule.required,
                options=[list(option) for option in rule.options],
                error=errors.get(f"fields.{rule.key}", ""),
            )
            for rule in rules
        ]

    async def _load_fields(self, errors: dict[str, str] | None = None) -> Any:
        """Show the chosen type's fields; returns the event to send when that was refused."""
        if not (self.project_key and self.type_key):
            self.form_fields = []
            return None
        project_key, type_key = self.project_key, self.type_key
        outcome = await self.run(
            lambda session, actor: (
                tickets.form_rules(session=session, actor=actor, project_key=project_key, type_key=type_key),
                intake_policy.may_set_priority(session, actor, project_key),
            )
        )
        rules, self.may_set_priority = outcome.value or ([], False)
        self._show_fields(rules, errors)
        return outcome.event

    def _tree(self) -> _Tree:
        return _STAFF if self.router.url.path.rstrip("/") == _STAFF.form_path else _PORTAL

    def _choose_project(self, key: str) -> None:
        self.project_key = key
        self.type_options = self._types_by_project.get(key, [])
        if self.type_key not in {k for k, _ in self.type_options}:
            self.type_key = self.type_options[0][0] if self.type_options else ""

    @rx.event
    async def load(self):
        actor = await self.admit(*self._tree().roles)
        self.errors = {}
        self.on_behalf = self._tree() is _STAFF
        if actor is None:
            self.project_options, self.type_options, self.form_fields = [], [], []
            return self.refusal()
        outcome = await self.read(lambda session, actor: tickets.filing_targets(session=session, actor=actor))
        targets = outcome.value or []
        self.project_options = [[t.project_key, f"{t.project_name} ({t.project_key})"] for t in targets]
        self._types_by_project = {t.project_key: [[c.key, c.name] for c in t.types] for t in targets}
        keys = [key for key, _ in self.project_options]
        self._choose_project(self.project_key if self.project_key in keys else (keys[0] if keys else ""))
        return outcome.event or await self._load_fields()

    @rx.event
    async def set_project_key(self, key: str):
        self._choose_project(key)
        return await self._load_fields()

    @rx.event
    async def set_type_key(self, key: str):
        self.type_key = key
        return await self._load_fields()

    @rx.event
    async def submit(self, form: FormData):
        tree = self._tree()
        project_key, type_key = self.project_key, self.type_key

        def file(session: Session, actor: UserPublic) -> str:
            if actor.role not in tree.roles:
                raise PermissionDenied("Sign in with an account that may file tickets here.")
            rules = tickets.form_rules(session=session, actor=actor, project_key=project_key, type_key=type_key)
            requester_email = str(form.get("requester_email", "")).strip() if tree is _STAFF else ""
            reporter_id = actor.id
            if requester_email:
                reporter_id = ticket_edits.requester_for(
                    session=session, actor=actor, project_key=project_key, email=requester_email
                ).id
            return tickets.file_ticket(
                session=session,
                actor=actor,
                source=Source.WEB,
                project_key=project_key,
                type_key=type_key,
                title=str(form.get("title", "")),
                description=str(form.get("description", "")),
                reporter_id=reporter_id,
                field_values={rule.key: _submitted(rule, form) for rule in rules},
                priority=str(form.get("priority", "") or "normal"),
            ).reference

        outcome = await self.run(file)
        self.errors = outcome.errors
        if outcome.errors:
            return await self._load_fields(outcome.errors)
        if not outcome.ok:
            return outcome.event
        # Filing ends on the new ticket, where its filer adds files or follows the first answer.
        return [rx.redirect(tree.ticket_path(outcome.value)), rx.toast.success(f"Ticket {outcome.value} filed.")]
