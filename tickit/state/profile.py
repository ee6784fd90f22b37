"""The signed-in user's own account: name, password, how they are notified, and their push devices."""

from __future__ import annotations

import reflex as rx

from tickit.db import session_scope
from tickit.models import Role
from tickit.services import auth, push_subscriptions, users, vapid
from tickit.services.actors import UserPublic
from tickit.services.errors import ServiceError
from tickit.state.formatting import ago
from tickit.state.session import SessionState, form_errors


class ProfileState(SessionState):
    has_password: bool = True
    name_errors: dict[str, str] = {}
    password_errors: dict[str, str] = {}
    form_key: int = 0  # bumped to clear the password fields after a change
    notify_by_mail: bool = True
    notify_by_push: bool = True
    vapid_key: str = ""
    # [{id, service, added, current_key, here}] for the user's subscribed browsers.
    devices: list[dict[str, str | int | bool]] = []
    this_endpoint: str = ""  # this browser's push subscription, as it reported it ("" when none)

    @rx.event
    async def load(self):
        actor = await self.admit(Role.CLIENT, Role.AGENT, Role.ADMIN)
        if actor is None:
            return self.refusal()
        self.has_password = actor.has_password
        self.name_errors, self.password_errors = {}, {}
        with session_scope() as session:
            choices = users.notification_choices(session=session, actor=actor)
        self.notify_by_mail, self.notify_by_push = choices.by_mail, choices.by_push
        self.vapid_key = vapid.public_key()
        self._load_devices(actor)
        return None

    def _load_devices(self, actor: UserPublic) -> None:
        with session_scope() as session:
            found = push_subscriptions.devices(session=session, actor=actor)
        self.devices = [
            {
                "id": device.id,
                "service": device.service,
                "added": ago(device.created_at),
                "current_key": device.current_key,
                "here": bool(self.this_endpoint) and device.endpoint == self.this_endpoint,
            }
            for device in found
        ]

    @rx.var
    def enabled_here(self) -> bool:
        return any(device["here"] for device in self.devices)

    async def _set_choices(self, **choice: bool):
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        try:
            with session_scope() as session:
                saved = users.set_notification_choices(session=session, actor=actor, **choice)
        except ServiceError as exc:
            return rx.toast.error(str(exc))
        self.notify_by_mail, self.notify_by_push = saved.by_mail, saved.by_push
        return None

    @rx.event
    async def set_notify_by_mail(self, on: bool):
        return await self._set_choices(by_mail=bool(on))

    @rx.event
    async def set_notify_by_push(self, on: bool):
        return await self._set_choices(by_push=bool(on))

    @rx.event
    async def browser_checked(self, report: dict):
        """The push control looked at this browser: which subscription (if any) it holds."""
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        self.this_endpoint = str(report.get("endpoint") or "")[: push_subscriptions.MAX_ENDPOINT_LENGTH]
        self._load_devices(actor)
        return None

    @rx.event
    async def subscribed(self, subscription: dict):
        """The browser subscribed: store it for this user."""
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        try:
            with session_scope() as session:
                push_subscriptions.subscribe(
                    session=session,
                    actor=actor,
                    endpoint=str(subscription.get("endpoint") or ""),
                    p256dh=str(subscription.get("p256dh") or ""),
                    auth=str(subscription.get("auth") or ""),
                    application_server_key=str(subscription.get("application_server_key") or ""),
                )
        except ServiceError as exc:
            return rx.toast.error(f"This device could not be enabled. {exc}")
        self.this_endpoint = str(subscription.get("endpoint") or "")
        self._load_devices(actor)
        return rx.toast.success("Notifications are enabled on this device.")

    @rx.event
    async def unsubscribed(self, report: dict):
        """The browser dropped its subscription: forget it."""
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        with session_scope() as session:
            push_subscriptions.unsubscribe(session=session, actor=actor, endpoint=str(report.get("endpoint") or ""))
        self.this_endpoint = ""
        self._load_devices(actor)
        return rx.toast.success("This device no longer receives notifications.")

    @rx.event
    async def remove_device(self, device_id: int):
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        try:
            with session_scope() as session:
                push_subscriptions.remove(session=session, actor=actor, subscription_id=int(device_id))
        except (ServiceError, ValueError) as exc:
            return rx.toast.error(str(exc))
        self._load_devices(actor)
        return rx.toast.success("Device removed. It receives no more notifications.")

    @rx.event
    async def save_name(self, form: dict):
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        try:
            with session_scope() as session:
                renamed = users.rename(session=session, actor=actor, name=str(form.get("name", "")))
        except ServiceError as exc:
            self.name_errors = form_errors(exc)
            return None
        self.name_errors, self.user_name = {}, renamed.name
        return rx.toast.success("Name saved.")

    @rx.event
    async def change_password(self, form: dict):
        actor = await self.actor()
        if actor is None:
            return self.refusal()
        try:
            with session_scope() as session:
                users.change_password(
                    session=session,
                    actor=actor,
                    current=str(form.get("current", "")),
                    new=str(form.get("new", "")),
                    confirm=str(form.get("confirm", "")),
                )
                auth.end_other_sessions(session=session, user_id=actor.id, keep_token=self.session_token())
        except ServiceError as exc:
            self.password_errors = form_errors(exc)
            return None
        self.password_errors, self.has_password = {}, True
        self.form_key += 1
        return rx.toast.success("Password changed. You stay signed in here; other devices are signed out.")
