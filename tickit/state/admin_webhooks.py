"""Admin: a project's webhook endpoints — add or edit one (its secret shown once), enable, test,
rotate, delete, and read an endpoint's delivery log with "Redeliver"."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.components.one_time_secret import reveal
from tickit.services import access, webhook_events, webhooks
from tickit.services.actors import UserPublic
from tickit.state.formatting import iso
from tickit.state.session import PROJECT_SETTINGS_ROLES, SessionState

NEW_SECRET_ID = "new-webhook-secret"


@dataclasses.dataclass
class EventChoice:
    key: str
    label: str


@dataclasses.dataclass
class EndpointLine:
    id: int
    url: str
    description: str
    event_keys: list[str]
    event_labels: list[str]
    enabled: bool
    allow_private_address: bool
    disabled_reason: str
    failing_since: str  # ISO instants, worded in the viewer's zone (components.local_time)
    previous_secret_until: str
    created: str


@dataclasses.dataclass
class AttemptLine:
    id: int
    webhook_id: str
    event_type: str
    attempted_at: str
    status: str  # "204", or "no answer"
    succeeded: bool
    duration: str
    detail: str  # the answer's start, or why there was none


EVENT_CHOICES = [EventChoice(key, label) for key, label in webhook_events.EVENT_TYPES.items()]


def _line(endpoint: webhooks.EndpointPublic) -> EndpointLine:
    return EndpointLine(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        event_keys=list(endpoint.event_types),
        event_labels=[webhook_events.EVENT_TYPES[key] for key in endpoint.event_types],
        enabled=endpoint.enabled,
        allow_private_address=endpoint.allow_private_address,
        disabled_reason=endpoint.disabled_reason,
        failing_since=iso(endpoint.failing_since),
        previous_secret_until=iso(endpoint.previous_secret_until),
        created=iso(endpoint.created_at),
    )


def _attempt(attempt: webhooks.AttemptPublic) -> AttemptLine:
    return AttemptLine(
        id=attempt.id,
        webhook_id=attempt.webhook_id,
        event_type=attempt.event_type,
        attempted_at=iso(attempt.attempted_at),
        status=str(attempt.status_code) if attempt.status_code is not None else "no answer",
        succeeded=attempt.succeeded,
        duration=f"{attempt.duration_ms:,} ms",
        detail=attempt.response_excerpt or attempt.error,
    )


def endpoint_listing(session: Session, actor: UserPublic, project_key: str) -> tuple[str, list[EndpointLine]]:
    """The project's name and its endpoints, as the page lists them."""
    endpoints = webhooks.list_endpoints(session=session, actor=actor, project_key=project_key)
    return access.get_project(session, project_key).name, [_line(e) for e in endpoints]


class AdminWebhooksState(SessionState):
    project_key: str = ""
    project_name: str = ""
    rows: list[EndpointLine] = []
    # The add/edit dialog: editing_id 0 adds a new endpoint.
    form_open: bool = False
    editing_id: int = 0
    form_url: str = ""
    form_description: str = ""
    form_events: list[str] = []
    form_private: bool = False
    form_errors: dict[str, str] = {}
    # The endpoint whose new secret is on show; the secret itself never enters the state (see `one_time_secret`).
    new_secret_url: str = ""
    # The endpoint whose delivery log is open (0: none), and its latest attempts.
    log_id: int = 0
    log_url: str = ""
    log: list[AttemptLine] = []

    @rx.event
    async def load(self):
        self.new_secret_url, self.form_open, self.form_errors = "", False, {}
        self.log_id, self.log_url, self.log = 0, "", []
        project_key = self.router.url.path.rstrip("/").split("/")[-2].upper()
        self.project_key = project_key
        outcome = await self.admit_and_read(
            PROJECT_SETTINGS_ROLES, lambda session, actor: endpoint_listing(session, actor, project_key)
        )
        if outcome is None:
            self.rows, self.project_name = [], ""
            return self.refusal()
        if outcome.errors:
            self.rows = []
            return [rx.redirect(routes.ADMIN_PROJECTS), outcome.event]
        if not outcome.ok:
            return outcome.event
        self.project_name, self.rows = outcome.value
        return None

    @rx.event
    def open_add(self):
        self.form_open, self.editing_id, self.form_errors = True, 0, {}
        self.form_url, self.form_description, self.form_private = "", "", False
        self.form_events = [choice.key for choice in EVENT_CHOICES]

    @rx.event
    def open_edit(self, endpoint_id: int):
        line = next((row for row in self.rows if row.id == endpoint_id), None)
        if line is None:
            return
        self.form_open, self.editing_id, self.form_errors = True, endpoint_id, {}
        self.form_url, self.form_description = line.url, line.description
        self.form_events, self.form_private = list(line.event_keys), line.allow_private_address

    @rx.event
    def set_form_open(self, is_open: bool):
        self.form_open = is_open

    @rx.event
    def set_form_url(self, url: str):
        self.form_url = url

    @rx.event
    def set_form_description(self, description: str):
        self.form_description = description

    @rx.event
    def set_form_private(self, allowed: bool):
        self.form_private = allowed

    @rx.event
    def toggle_event(self, key: str, chosen: bool):
        wanted = set(self.form_events) | {key} if chosen else set(self.form_events) - {key}
        self.form_events = [choice.key for choice in EVENT_CHOICES if choice.key in wanted]

    @rx.event
    async def save(self, form: dict):
        # The form's own values: a controlled input's last keystrokes may still be on their way.
        self.form_url = url = str(form.get("url", self.form_url))
        self.form_description = description = str(form.get("description", self.form_description))
        project_key, endpoint_id = self.project_key, self.editing_id
        events, private = list(self.form_events), self.form_private

        def save_then_list(session: Session, actor: UserPublic):
            if endpoint_id:
                changes = {
                    "url": url,
                    "description": description,
                    "event_types": events,
                    "allow_private_address": private,
                }
                webhooks.update_endpoint(
                    session=session, actor=actor, project_key=project_key, endpoint_id=endpoint_id, changes=changes
                )
                created = None
            else:
                created = webhooks.create_endpoint(
                    session=session,
                    actor=actor,
                    project_key=project_key,
                    url=url,
                    event_types=events,
                    description=description,
                    allow_private_address=private,
                )
            return created, endpoint_listing(session, actor, project_key)

        outcome = await self.run(save_then_list)
        self.form_errors = outcome.errors
        if not outcome.ok:
            return None if outcome.errors else outcome.event
        created, (self.project_name, self.rows) = outcome.value
        self.form_open = False
        if created is None:
            return rx.toast.success("Endpoint saved.")
        self.new_secret_url = created.endpoint.url
        return reveal(NEW_SECRET_ID, created.secret)

    @rx.event
    def dismiss_secret(self):
        self.new_secret_url = ""

    @rx.event
    async def set_enabled(self, endpoint_id: int, enabled: bool):
        project_key = self.project_key

        def change_then_list(session: Session, actor: UserPublic):
            webhooks.update_endpoint(
                session=session,
                actor=actor,
                project_key=project_key,
                endpoint_id=endpoint_id,
                changes={"enabled": enabled},
            )
            return endpoint_listing(session, actor, project_key)

        outcome = await self.run(change_then_list)
        if not outcome.ok:
            return outcome.event
        self.project_name, self.rows = outcome.value
        return rx.toast.success("Endpoint enabled." if enabled else "Endpoint disabled: no events are sent to it.")

    @rx.event
    async def rotate(self, endpoint_id: int):
        project_key = self.project_key

        def rotate_then_list(session: Session, actor: UserPublic):
            rotated = webhooks.rotate_secret(
                session=session, actor=actor, project_key=project_key, endpoint_id=endpoint_id
            )
            return rotated, endpoint_listing(session, actor, project_key)

        outcome = await self.run(rotate_then_list)
        if not outcome.ok:
            return outcome.event
        rotated, (self.project_name, self.rows) = outcome.value
        self.new_secret_url = rotated.endpoint.url
        return reveal(NEW_SECRET_ID, rotated.secret)

    @rx.event
    async def delete(self, endpoint_id: int):
        project_key = self.project_key

        def delete_then_list(session: Session, actor: UserPublic):
            webhooks.delete_endpoint(session=session, actor=actor, project_key=project_key, endpoint_id=endpoint_id)
            return endpoint_listing(session, actor, project_key)

        outcome = await self.run(delete_then_list)
        if not outcome.ok:
            return outcome.event
        self.project_name, self.rows = outcome.value
        if self.log_id == endpoint_id:
            self.log_id, self.log_url, self.log = 0, "", []
        return rx.toast.success("Endpoint deleted.")

    @rx.event
    async def send_test(self, endpoint_id: int):
        project_key = self.project_key
        outcome = await self.run(
            lambda session, actor: webhooks.send_test_event(
                session=session, actor=actor, project_key=project_key, endpoint_id=endpoint_id
            )
        )
        if not outcome.ok:
            return outcome.event
        return rx.toast.info("Test event queued; its attempt shows in the delivery log within seconds.")

    @rx.event
    async def show_log(self, endpoint_id: int):
        line = next((row for row in self.rows if row.id == endpoint_id), None)
        self.log_id, self.log_url = endpoint_id, line.url if line else ""
        return await self._read_log()

    @rx.event
    def close_log(self):
        self.log_id, self.log_url, self.log = 0, "", []

    @rx.event
    async def refresh_log(self):
        return await self._read_log()

    @rx.event
    async def redeliver(self, attempt_id: int):
        project_key, endpoint_id = self.project_key, self.log_id
        outcome = await self.run(
            lambda session, actor: webhooks.redeliver(
                session=session, actor=actor, project_key=project_key, endpoint_id=endpoint_id, attempt_id=attempt_id
            )
        )
        if not outcome.ok:
            return outcome.event
        return rx.toast.info(f"Event {outcome.value} queued again, under the same webhook-id.")

    async def _read_log(self):
        project_key, endpoint_id = self.project_key, self.log_id
        outcome = await self.read(
            lambda session, actor: [
                _attempt(a)
                for a in webhooks.delivery_log(
                    session=session, actor=actor, project_key=project_key, endpoint_id=endpoint_id
                )
            ]
        )
        if not outcome.ok:
            return outcome.event
        self.log = outcome.value
        return None
