"""Admin: a project's integration API clients — create one (its token shown once), list, revoke."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.components.one_time_secret import reveal
from tickit.config import get_settings
from tickit.services import access, api_clients
from tickit.services.actors import UserPublic
from tickit.state.formatting import iso
from tickit.state.session import PROJECT_SETTINGS_ROLES, SessionState


@dataclasses.dataclass
class ApiClientLine:
    id: int
    name: str
    token_prefix: str  # as shown: "tk_AbC123…"
    created: str  # ISO instants, worded in the viewer's zone (components.local_time)
    last_used: str
    request_count: int
    revoked: bool
    revoked_on: str
    may_read_all: bool


def _day(moment: datetime | None) -> str:
    return moment.strftime("%-d %b %Y") if moment else ""


def _line(client: api_clients.ApiClientPublic) -> ApiClientLine:
    return ApiClientLine(
        id=client.id,
        name=client.name,
        token_prefix=client.token_prefix + "…",
        created=iso(client.created_at),
        last_used=iso(client.last_used_at),
        request_count=client.request_count,
        revoked=client.is_revoked,
        revoked_on=_day(client.revoked_at),
        may_read_all=client.may_read_all,
    )


def client_listing(session: Session, actor: UserPublic, project_key: str) -> tuple[str, list[ApiClientLine]]:
    """The project's name and its clients, as the page lists them."""
    clients = api_clients.list_api_clients(session=session, actor=actor, project_key=project_key)
    return access.get_project(session, project_key).name, [_line(client) for client in clients]


NEW_TOKEN_ID = "new-api-token"


class AdminApiClientsState(SessionState):
    project_key: str = ""
    project_name: str = ""
    api_url: str = ""  # where integrators send requests: APP_URL + /integrations/v1
    rows: list[ApiClientLine] = []
    create_open: bool = False
    create_name: str = ""
    create_read_all: bool = False
    create_errors: dict[str, str] = {}
    # The client whose new token is on show; the token itself never enters the state (see `one_time_secret`).
    new_token_client: str = ""

    @rx.event
    async def load(self):
        # A token is shown once, right after it is made: leaving or reloading the page drops it.
        self.new_token_client = ""
        self.create_open, self.create_name, self.create_errors = False, "", {}
        self.create_read_all = False
        project_key = self.router.url.path.rstrip("/").split("/")[-2].upper()
        self.project_key = project_key
        outcome = await self.admit_and_read(
            PROJECT_SETTINGS_ROLES, lambda session, actor: client_listing(session, actor, project_key)
        )
        if outcome is None:
            self.rows, self.project_name = [], ""
            return self.refusal()
        self.api_url = get_settings().app_url + routes.API_PREFIX
        if outcome.errors:
            self.rows = []
            return [rx.redirect(routes.ADMIN_PROJECTS), outcome.event]
        if not outcome.ok:
            return outcome.event
        self.project_name, self.rows = outcome.value
        return None

    @rx.event
    def open_create(self):
        self.create_open, self.create_name, self.create_errors = True, "", {}
        self.create_read_all = False

    @rx.event
    def set_create_read_all(self, read_all: bool):
        self.create_read_all = read_all

    @rx.event
    def set_create_open(self, is_open: bool):
        self.create_open = is_open

    @rx.event
    def set_create_name(self, name: str):
        self.create_name = name

    @rx.event
    async def create(self, form: dict):
        # The form's own value: the controlled input's last keystrokes may still be on their way.
        self.create_name = name = str(form.get("name", self.create_name))
        project_key, read_all = self.project_key, self.create_read_all

        def create_then_list(session: Session, actor: UserPublic):
            created = api_clients.create_api_client(
                session=session, actor=actor, project_key=project_key, name=name, may_read_all=read_all
            )
            return created, client_listing(session, actor, project_key)

        outcome = await self.run(create_then_list)
        self.create_errors = outcome.errors
        if not outcome.ok:
            return None if outcome.errors else outcome.event
        created, (self.project_name, self.rows) = outcome.value
        self.create_open, self.create_name = False, ""
        self.new_token_client = created.client.name
        return reveal(NEW_TOKEN_ID, created.token)

    @rx.event
    def dismiss_token(self):
        self.new_token_client = ""

    @rx.event
    async def set_read_all(self, client_id: int, read_all: bool):
        project_key = self.project_key

        def change_then_list(session: Session, actor: UserPublic):
            changed = api_clients.set_may_read_all(
                session=session, actor=actor, project_key=project_key, client_id=client_id, may_read_all=read_all
            )
            return changed, client_listing(session, actor, project_key)

        outcome = await self.run(change_then_list)
        if not outcome.ok:
            return outcome.event
        changed, (self.project_name, self.rows) = outcome.value
        reads = "every ticket of the project" if changed.may_read_all else "only the tickets it filed"
        return rx.toast.success(f"{changed.name} now reads {reads}.")

    @rx.event
    async def revoke(self, client_id: int):
        project_key = self.project_key

        def revoke_then_list(session: Session, actor: UserPublic):
            revoked = api_clients.revoke_api_client(
                session=session, actor=actor, project_key=project_key, client_id=client_id
            )
            return revoked, client_listing(session, actor, project_key)

        outcome = await self.run(revoke_then_list)
        if not outcome.ok:
            return outcome.event
        revoked, (self.project_name, self.rows) = outcome.value
        return rx.toast.success(f"{revoked.name} revoked: its token no longer works.")
