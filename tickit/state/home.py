"""`/`: send each visitor to where their role starts."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.state.session import SessionState


class HomeState(SessionState):
    @rx.event
    async def load(self):
        actor = await self.actor()
        return rx.redirect(routes.home_for(actor.role) if actor else routes.LOGIN, replace=True)
