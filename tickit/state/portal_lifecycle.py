"""The requester's own status moves on their portal ticket page: "This is solved" and "Reopen".

What is offered comes from `lifecycle.requester_choices` (the type's transitions open to clients,
and the reopen window); the moves themselves go through the workflow service.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from tickit.services import lifecycle
from tickit.state.comment_thread import number_from_route, refused
from tickit.state.formatting import iso
from tickit.state.portal_ticket import PortalTicketState
from tickit.state.session import SessionState


class PortalLifecycleState(SessionState):
    """Whether the requester may close or reopen the ticket now."""

    number: str = ""
    can_close: bool = False
    can_reopen: bool = False
    reopen_until: str = ""  # ISO 8601; "" while the ticket is not closed

    @rx.event
    async def load(self):
        self.number = number_from_route(self)
        number = self.number
        outcome = await self.read(
            lambda session, actor: lifecycle.requester_choices(session=session, actor=actor, number=number)
        )
        if not outcome.ok:
            self.can_close = self.can_reopen = False
            return None
        choices = outcome.value
        self.can_close, self.can_reopen = choices.close_to is not None, choices.reopen_to is not None
        self.reopen_until = iso(choices.reopen_until) if choices.reopen_until else ""
        return None

    async def _move(self, change: Any, done: str):
        number = self.number
        outcome = await self.run(lambda session, actor: change(session=session, actor=actor, number=number))
        if not outcome.ok:
            return [refused(outcome), PortalLifecycleState.load]
        return [rx.toast.success(done), PortalTicketState.reload, PortalLifecycleState.load]

    @rx.event
    async def close(self):
        """ "This is solved": close the requester's own ticket."""
        return await self._move(lifecycle.close_by_requester, "Thanks! Your request is closed.")

    @rx.event
    async def reopen(self):
        """Reopen the requester's ticket within the reopen window."""
        return await self._move(lifecycle.reopen_by_requester, "Your request is open again; the team will see it.")
