"""Admin: customer organisations, their mail domains, sharing and managers."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from tickit.models import Role
from tickit.services import organisations
from tickit.services.actors import UserPublic
from tickit.state.session import SessionState


@dataclasses.dataclass
class OrganisationRow:
    id: int
    name: str
    domains: str  # comma-separated, as the table shows them
    shares_tickets: bool
    managers: str
    member_count: int


def organisation_rows(session: Session, actor: UserPublic) -> list[OrganisationRow]:
    return [
        OrganisationRow(
            id=o.id,
            name=o.name,
            domains=", ".join(o.domains),
            shares_tickets=o.shares_tickets,
            managers=", ".join(o.managers),
            member_count=o.member_count,
        )
        for o in organisations.list_organisations(session=session, actor=actor)
    ]


class AdminOrganisationsState(SessionState):
    rows: list[OrganisationRow] = []
    dialog_open: bool = False
    form_errors: dict[str, str] = {}
    # The organisation the dialog edits (0: a new one), and what its form starts with.
    editing_id: int = 0
    draft_name: str = ""
    draft_domains: str = ""
    draft_managers: str = ""
    draft_shares: bool = False

    @rx.event
    async def load(self):
        outcome = await self.admit_and_read((Role.ADMIN,), organisation_rows)
        if outcome is None:
            self.rows = []
            return self.refusal()
        self.rows = outcome.value or []
        return outcome.event

    @rx.event
    def open_new(self):
        self._open(OrganisationRow(id=0, name="", domains="", shares_tickets=False, managers="", member_count=0))

    @rx.event
    def open_edit(self, organisation_id: int):
        row = next((r for r in self.rows if r.id == organisation_id), None)
        if row is not None:
            self._open(row)

    def _open(self, row: OrganisationRow) -> None:
        self.editing_id, self.draft_name = row.id, row.name
        self.draft_domains, self.draft_managers, self.draft_shares = row.domains, row.managers, row.shares_tickets
        self.form_errors, self.dialog_open = {}, True

    @rx.event
    def set_dialog_open(self, is_open: bool):
        self.dialog_open = is_open

    @rx.event
    def set_draft_shares(self, shares: bool):
        self.draft_shares = bool(shares)

    @rx.event
    async def save(self, form: dict):
        organisation_id = self.editing_id or None
        shares = self.draft_shares

        def save_then_list(session: Session, actor: UserPublic) -> tuple[str, list[OrganisationRow]]:
            saved = organisations.save_organisation(
                session=session,
                actor=actor,
                organisation_id=organisation_id,
                name=str(form.get("name", "")),
                domains=str(form.get("domains", "")),
                shares_tickets=shares,
                managers=str(form.get("managers", "")),
            )
            return saved.name, organisation_rows(session, actor)

        outcome = await self.run(save_then_list)
        self.form_errors = outcome.errors
        if not outcome.ok:
            return None if outcome.errors else outcome.event
        name, self.rows = outcome.value
        self.dialog_open = False
        return rx.toast.success(f"{name} saved.")
