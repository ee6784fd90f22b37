"""Automatic assignment: each project's rule, each agent's availability there, and the skills a ticket type needs."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel

from tickit.models.base import JSONType


class AssignmentStrategy(StrEnum):
    OFF = "off"
    ROUND_ROBIN = "round-robin"
    LEAST_LOAD = "least-load"


class AssignmentRule(SQLModel, table=True):
    """How a project hands out new tickets. Its row is also the lock of the project's pool of agents."""

    __tablename__ = "assignment_rules"

    project_id: int = Field(foreign_key="projects.id", primary_key=True, ondelete="CASCADE")
    strategy: str = Field(default=AssignmentStrategy.OFF, max_length=16)
    require_skills: bool = Field(default=False)
    # Counts the assignments made: an agent's `last_turn` says who was assigned least recently,
    # without relying on two clock readings differing.
    turns: int = Field(default=0)


class AgentAvailability(SQLModel, table=True):
    """An agent's standing in one project's pool; an agent member without a row is available, unlimited, skill-less."""

    __tablename__ = "agent_availability"

    project_id: int = Field(foreign_key="projects.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    available: bool = Field(default=True)
    capacity: int | None = Field(default=None)  # most open tickets at once; None: no limit
    skills: list[str] = Field(default_factory=list, sa_type=JSONType)
    # The key of one of the project's SLA calendars: their working hours. None: round the clock.
    calendar_key: str | None = Field(default=None, max_length=40)
    last_turn: int = Field(default=0)  # the rule's `turns` when this agent was last given a ticket


class TicketTypeSkills(SQLModel, table=True):
    """The skills a ticket of this type needs: always (`skills`) and by a select field's chosen option."""

    __tablename__ = "ticket_type_skills"

    type_id: int = Field(foreign_key="ticket_types.id", primary_key=True, ondelete="CASCADE")
    skills: list[str] = Field(default_factory=list, sa_type=JSONType)
    # {field key: {option key: [skills]}}
    field_skills: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
