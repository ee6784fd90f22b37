"""The admin landing page: what is in this TickIt at a glance."""

from __future__ import annotations

import reflex as rx

from tickit.models import Role
from tickit.services import overview
from tickit.state.session import SessionState


class AdminOverviewState(SessionState):
    admins: int = 0
    agents: int = 0
    clients: int = 0
    deactivated: int = 0
    projects: int = 0
    open_tickets: int = 0
    tickets_this_week: int = 0

    @rx.event
    async def load(self):
        outcome = await self.admit_and_read(
            (Role.ADMIN,), lambda session, actor: overview.admin_overview(session=session, actor=actor)
        )
        if outcome is None:
            return self.refusal()
        if not outcome.ok:
            return outcome.event
        figures = outcome.value
        self.admins, self.agents, self.clients = figures.admins, figures.agents, figures.clients
        self.deactivated, self.projects = figures.deactivated, figures.projects
        self.open_tickets, self.tickets_this_week = figures.open_tickets, figures.tickets_this_week
        return None

    @rx.var
    def people_breakdown(self) -> str:
        parts = [(self.admins, "admin"), (self.agents, "agent"), (self.clients, "client")]
        return " · ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in parts)
