"""Customer organisations: the companies requesters belong to (not tenants: staff see them all)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from tickit.models.base import UTCDateTime, utcnow


class Organisation(SQLModel, table=True):
    __tablename__ = "organisations"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    # Whether members read each other's tickets; managers always read all of the organisation's.
    shares_tickets: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OrganisationDomain(SQLModel, table=True):
    """A mail domain whose verified addresses join the organisation; a domain belongs to one organisation."""

    __tablename__ = "organisation_domains"

    domain: str = Field(max_length=253, primary_key=True)  # lower-cased, no leading "@"
    organisation_id: int = Field(foreign_key="organisations.id", index=True, ondelete="CASCADE")


class OrganisationMember(SQLModel, table=True):
    """A user's one organisation, and whether they manage it."""

    __tablename__ = "organisation_members"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisations.id", index=True, ondelete="CASCADE")
    is_manager: bool = Field(default=False)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
