"""Figures for the admin overview, aggregated in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from tickit.models import Project, StatusCategory, Ticket, TicketStatus, User, utcnow
from tickit.services.actors import Actor, require_admin


@dataclass(frozen=True)
class Overview:
    admins: int
    agents: int
    clients: int
    deactivated: int
    projects: int
    open_tickets: int
    tickets_this_week: int


def admin_overview(*, session: Session, actor: Actor) -> Overview:
    """Head counts by role, projects, open tickets and tickets filed in the last seven days."""
    require_admin(actor)
    by_role = dict(session.exec(select(User.role, func.count()).where(User.is_active).group_by(User.role)).all())
    return Overview(
        admins=by_role.get("admin", 0),
        agents=by_role.get("agent", 0),
        clients=by_role.get("client", 0),
        deactivated=session.exec(select(func.count()).select_from(User).where(User.is_active == False)).one(),  # noqa: E712
        projects=session.exec(select(func.count()).select_from(Project)).one(),
        open_tickets=session.exec(
            select(func.count())
            .select_from(Ticket)
            .join(TicketStatus)
            .where(TicketStatus.category != StatusCategory.DONE)
        ).one(),
        tickets_this_week=session.exec(
            select(func.count()).select_from(Ticket).where(Ticket.created_at >= utcnow() - timedelta(days=7))
        ).one(),
    )
