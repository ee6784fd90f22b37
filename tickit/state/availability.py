"""The sidebar's availability switch: an agent marks themselves available or away in one click."""

from __future__ import annotations

import reflex as rx

from tickit.services import assignment_admin
from tickit.state.session import SessionState


class AvailabilityState(SessionState):
    projects: int = 0  # the projects the signed-in agent works
    available_in: int = 0

    @rx.var
    def available(self) -> bool:
        return self.available_in == self.projects

    @rx.var
    def partly(self) -> bool:
        """Available in some of their projects only (an admin set them away in the others)."""
        return 0 < self.available_in < self.projects

    @rx.event
    async def load(self):
        outcome = await self.read(
            lambda session, actor: (
                assignment_admin.my_availability(session=session, actor=actor)
                if actor.is_staff
                else assignment_admin.MyAvailability(projects=0, available_in=0)
            )
        )
        if not outcome.ok:
            return None  # the page itself sends a signed-out visitor to sign in
        self.projects, self.available_in = outcome.value.projects, outcome.value.available_in
        return None

    @rx.event
    async def set_available(self, available: bool):
        outcome = await self.run(
            lambda session, actor: assignment_admin.set_my_availability(
                session=session, actor=actor, available=available
            )
        )
        if not outcome.ok:
            return outcome.event
        self.projects, self.available_in = outcome.value.projects, outcome.value.available_in
        if available:
            return rx.toast.success("You are available: new tickets can come to you.")
        return rx.toast.info("You are away: no new tickets come to you until you are back.")
