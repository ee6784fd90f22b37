"""The signed-in user's own account: name, password, how they are notified, and their push devices."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from tickit.config import get_settings
from tickit.models import Role
from tickit.services import auth, notification_choices, push_subscriptions, user_sessions, users, vapid
from tickit.services.actors import UserPublic
from tickit.state.formatting import iso
from tickit.state.session import SessionState

Device = dict[str, str | int | bool]
ProjectLine = dict[str, str]  # {key, name, new_tickets}


@dataclasses.dataclass
class SessionLine:
    id: int
    device: str
    address: str
    last_seen: str
    current: bool


def session_lines(session: Session, actor: UserPublic, token: str | None) -> list[SessionLine]:
    """The actor's signed-in sessions as the page lists them (this browser's first)."""
    return [
        SessionLine(id=s.id, device=s.device, address=s.address, last_seen=iso(s.last_seen_at), current=s.current)
        for s in user_sessions.list_sessions(session=session, actor=actor, current_token=token)
    ]


def device_lines(session: Session, actor: UserPublic, this_endpoint: str) -> list[Device]:
    """The actor's subscribed browsers as the page lists them; `here` marks this browser's."""
    return [
        {
            "id": device.id,
            "service": device.service,
            "added": iso(device.created_at),
            "current_key": device.current_key,
            "here": bool(this_endpoint) and device.endpoint == this_endpoint,
        }
        for device in push_subscriptions.devices(session=session, actor=actor)
    ]


@dataclasses.dataclass(frozen=True)
class _Settings:
    choices: users.NotificationChoices
    concerns: notification_choices.ConcernChoices
    vapid_key: str
    devices: list[Device]
    sessions: list[SessionLine]


class ProfileState(SessionState):
    has_password: bool = True
    name_errors: dict[str, str] = {}
    password_errors: dict[str, str] = {}
    form_key: int = 0  # bumped to clear the password fields after a change
    notify_by_mail: bool = True
    notify_by_push: bool = True
    vapid_key: str = ""
    # [{id, service, added, current_key, here}] for the user's subscribed browsers.
    devices: list[Device] = []
    this_endpoint: str = ""  # this browser's push subscription, as it reported it ("" when none)
    notify_assigned: bool = True
    notify_mentions: bool = True
    notify_replies: bool = True
    projects: list[ProjectLine] = []  # the projects the user works, with what they hear of new tickets
    sessions: list[SessionLine] = []
    idle_hours: int = 12  # TICKIT_SESSION_IDLE_HOURS, for the sessions card's words

    def _show_concerns(self, concerns: notification_choices.ConcernChoices) -> None:
        self.notify_assigned, self.notify_mentions = concerns.assigned, concerns.mentions
        self.notify_replies = concerns.replies
        self.projects = [
            {"key": p.project_key, "name": p.project_name, "new_tickets": p.new_tickets} for p in concerns.projects
        ]

    @rx.event
    async def load(self):
        actor = await self.admit(Role.CLIENT, Role.AGENT, Role.ADMIN)
        if actor is None:
            return self.refusal()
        self.has_password = actor.has_password
        self.idle_hours = get_settings().session_idle_hours
        self.name_errors, self.password_errors = {}, {}
        this_endpoint, token = self.this_endpoint, self.session_token()

        def settings(session: Session, actor: UserPublic) -> _Settings:
            return _Settings(
                choices=users.notification_choices(session=session, actor=actor),
                concerns=notification_choices.choices(session=session, actor=actor),
                vapid_key=vapid.public_key(),
                devices=device_lines(session, actor, this_endpoint),
                sessions=session_lines(session, actor, token),
            )

        outcome = await self.read(settings)
        if not outcome.ok:
            return outcome.event
        self.notify_by_mail, self.notify_by_push = outcome.value.choices.by_mail, outcome.value.choices.by_push
        self.vapid_key, self.devices = outcome.value.vapid_key, outcome.value.devices
        self.sessions = outcome.value.sessions
        self._show_concerns(outcome.value.concerns)
        return None

    @rx.var
    def enabled_here(self) -> bool:
        return any(device["here"] for device in self.devices)

    async def _set_choices(self, **choice: bool):
        outcome = await self.run(
            lambda session, actor: users.set_notification_choices(session=session, actor=actor, **choice)
        )
        if not outcome.ok:
            return outcome.event
        self.notify_by_mail, self.notify_by_push = outcome.value.by_mail, outcome.value.by_push
        return None

    @rx.event
    async def set_notify_by_mail(self, on: bool):
        return await self._set_choices(by_mail=bool(on))

    @rx.event
    async def set_notify_by_push(self, on: bool):
        return await self._set_choices(by_push=bool(on))

    async def _set_concerns(self, **choice: bool):
        outcome = await self.run(
            lambda session, actor: notification_choices.set_concerns(session=session, actor=actor, **choice)
        )
        if not outcome.ok:
            return outcome.event
        self._show_concerns(outcome.value)
        return None

    @rx.event
    async def set_notify_assigned(self, on: bool):
        return await self._set_concerns(assigned=bool(on))

    @rx.event
    async def set_notify_mentions(self, on: bool):
        return await self._set_concerns(mentions=bool(on))

    @rx.event
    async def set_notify_replies(self, on: bool):
        return await self._set_concerns(replies=bool(on))

    @rx.event
    async def set_new_tickets(self, project_key: str, new_tickets: str):
        outcome = await self.run(
            lambda session, actor: notification_choices.set_new_tickets(
                session=session, actor=actor, project_key=str(project_key), new_tickets=str(new_tickets)
            )
        )
        if not outcome.ok:
            return outcome.event
        self._show_concerns(outcome.value)
        return None

    @rx.event
    async def browser_checked(self, report: dict):
        """The push control looked at this browser: which subscription (if any) it holds."""
        this_endpoint = str(report.get("endpoint") or "")[: push_subscriptions.MAX_ENDPOINT_LENGTH]
        outcome = await self.read(lambda session, actor: device_lines(session, actor, this_endpoint))
        self.this_endpoint = this_endpoint
        if not outcome.ok:
            return outcome.event
        self.devices = outcome.value
        return None

    @rx.event
    async def subscribed(self, subscription: dict):
        """The browser subscribed: store it for this user."""
        endpoint = str(subscription.get("endpoint") or "")

        def subscribe_then_list(session: Session, actor: UserPublic) -> list[Device]:
            push_subscriptions.subscribe(
                session=session,
                actor=actor,
                endpoint=endpoint,
                p256dh=str(subscription.get("p256dh") or ""),
                auth=str(subscription.get("auth") or ""),
                application_server_key=str(subscription.get("application_server_key") or ""),
            )
            return device_lines(session, actor, endpoint)

        outcome = await self.run(subscribe_then_list)
        if outcome.errors:
            return rx.toast.error(f"This device could not be enabled. {' '.join(outcome.errors.values())}")
        if not outcome.ok:
            return outcome.event
        self.this_endpoint, self.devices = endpoint, outcome.value
        return rx.toast.success("Notifications are enabled on this device.")

    @rx.event
    async def unsubscribed(self, report: dict):
        """The browser dropped its subscription: forget it."""
        endpoint = str(report.get("endpoint") or "")

        def unsubscribe_then_list(session: Session, actor: UserPublic) -> list[Device]:
            push_subscriptions.unsubscribe(session=session, actor=actor, endpoint=endpoint)
            return device_lines(session, actor, "")

        outcome = await self.run(unsubscribe_then_list)
        if not outcome.ok:
            return outcome.event
        self.this_endpoint, self.devices = "", outcome.value
        return rx.toast.success("This device no longer receives notifications.")

    @rx.event
    async def remove_device(self, device_id: int):
        try:
            subscription_id = int(device_id)
        except ValueError as exc:
            return rx.toast.error(str(exc))
        this_endpoint = self.this_endpoint

        def remove_then_list(session: Session, actor: UserPublic) -> list[Device]:
            push_subscriptions.remove(session=session, actor=actor, subscription_id=subscription_id)
            return device_lines(session, actor, this_endpoint)

        outcome = await self.run(remove_then_list)
        if not outcome.ok:
            return outcome.event
        self.devices = outcome.value
        return rx.toast.success("Device removed. It receives no more notifications.")

    @rx.event
    async def save_name(self, form: dict):
        outcome = await self.run(
            lambda session, actor: users.rename(session=session, actor=actor, name=str(form.get("name", "")))
        )
        self.name_errors = outcome.errors
        if not outcome.ok:
            return None if outcome.errors else outcome.event
        self.user_name = outcome.value.name
        return rx.toast.success("Name saved.")

    @rx.event
    async def change_password(self, form: dict):
        keep_token = self.session_token()

        def change(session: Session, actor: UserPublic) -> None:
            users.change_password(
                session=session,
                actor=actor,
                current=str(form.get("current", "")),
                new=str(form.get("new", "")),
                confirm=str(form.get("confirm", "")),
            )
            auth.end_other_sessions(session=session, user_id=actor.id, keep_token=keep_token)

        outcome = await self.run(change)
        self.password_errors = outcome.errors
        if not outcome.ok:
            return None if outcome.errors else outcome.event
        self.has_password = True
        self.form_key += 1
        return rx.toast.success("Password changed. You stay signed in here; other devices are signed out.")

    @rx.event
    async def end_session(self, session_id: int):
        """Sign out one other browser: its next click lands on the sign-in page."""
        token = self.session_token()

        def end_then_list(session: Session, actor: UserPublic) -> list[SessionLine]:
            user_sessions.end_session_by_id(session=session, actor=actor, session_id=session_id)
            return session_lines(session, actor, token)

        outcome = await self.run(end_then_list)
        if not outcome.ok:
            return outcome.event
        self.sessions = outcome.value
        return rx.toast.success("That session is signed out.")

    @rx.event
    async def end_other_sessions(self):
        """Sign out every browser but this one."""
        token = self.session_token()

        def end_then_list(session: Session, actor: UserPublic) -> list[SessionLine]:
            user_sessions.end_other_sessions(session=session, actor=actor, keep_token=token)
            return session_lines(session, actor, token)

        outcome = await self.run(end_then_list)
        if not outcome.ok:
            return outcome.event
        self.sessions = outcome.value
        return rx.toast.success("Signed out everywhere else.")
