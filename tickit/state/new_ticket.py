"""The new-ticket form (client portal and staff): project, ticket type, and that type's own fields."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import reflex as rx
from pydantic import BaseModel, ValidationError
from reflex_base.utils.form import FormData
from sqlmodel import Session

from tickit import routes
from tickit.config import get_settings
from tickit.models import FieldType, Role, Source
from tickit.services import fields, intake_policy, staged_uploads, ticket_edits, tickets
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


@dataclasses.dataclass
class ChosenFile:
    """A file chosen on the form and kept aside (staged) until the ticket is filed."""

    token: str
    name: str
    size_label: str


class _StagedAnswer(BaseModel):
    """One file as `/attachments/stage` answered it (services/staged_uploads.StagedFile)."""

    token: str
    name: str
    size_label: str


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
    # Files go to /attachments/stage as they are chosen and are recorded on the ticket when it is
    # filed, in the filing's transaction (services/staged_uploads.py); the form keeps their tokens.
    chosen_files: list[ChosenFile] = []
    upload_limit: int = 0  # bytes; the picker refuses a larger file before sending it
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
        self.chosen_files = []
        self.upload_limit = get_settings().upload_limit_bytes
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
    def files_staged(self, files: list[dict[str, Any]]):
        """The picker kept `files` aside for this ticket: list them under it."""
        try:
            answers = [_StagedAnswer.model_validate(f) for f in files]
        except ValidationError:
            return rx.toast.error("The chosen files came back malformed; reload the page and choose them again.")
        self.errors = {key: message for key, message in self.errors.items() if key != staged_uploads.FIELD}
        known = {f.token for f in self.chosen_files}
        added = [ChosenFile(token=f.token, name=f.name, size_label=f.size_label) for f in answers]
        self.chosen_files = self.chosen_files + [f for f in added if f.token not in known]
        if len(self.chosen_files) > staged_uploads.MAX_FILES:
            self.chosen_files = self.chosen_files[: staged_uploads.MAX_FILES]
            self.errors = {
                **self.errors,
                staged_uploads.FIELD: (
                    f"A new ticket takes at most {staged_uploads.MAX_FILES} files; the rest were left out."
                ),
            }
        return None

    @rx.event
    def unchoose_file(self, token: str):
        """Leave a chosen file out of the ticket (the sweep deletes it later)."""
        self.chosen_files = [f for f in self.chosen_files if f.token != token]

    @rx.event
    async def submit(self, form: FormData):
        tree = self._tree()
        project_key, type_key = self.project_key, self.type_key
        tokens = [f.token for f in self.chosen_files]

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
            number = tickets.file_ticket(
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
            # In the filing's transaction: a file refused here files no ticket.
            staged_uploads.attach(session=session, actor=actor, number=number, tokens=tokens)
            return number

        outcome = await self.run(file)
        self.errors = outcome.errors
        if staged_uploads.FIELD in outcome.errors:
            # Refused while recording the files: the rolled-back filing kept none of them.
            self.chosen_files = []
        if outcome.errors:
            return await self._load_fields(outcome.errors)
        if not outcome.ok:
            return outcome.event
        self.chosen_files = []
        # Filing ends on the new ticket, where its filer sees its files and follows the first answer.
        return [rx.redirect(tree.ticket_path(outcome.value)), rx.toast.success(f"Ticket {outcome.value} filed.")]
