"""How a project takes in requests: the acknowledgement mail, per-user limits, who sets priority, self sign-up."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from tickit.models.base import JSONType

DEFAULT_TICKETS_PER_HOUR = 5
DEFAULT_COMMENTS_PER_WINDOW = 30


class ProjectIntake(SQLModel, table=True):
    """A project's intake settings; a project without a row has the defaults below."""

    __tablename__ = "project_intake"

    project_id: int = Field(foreign_key="projects.id", primary_key=True, ondelete="CASCADE")
    acknowledge: bool = Field(default=True)  # mail the requester "We received your request"
    tickets_per_hour: int = Field(default=DEFAULT_TICKETS_PER_HOUR)  # per requester; 0 = no limit
    comments_per_window: int = Field(default=DEFAULT_COMMENTS_PER_WINDOW)  # per requester and ticket; 0 = no limit
    clients_set_priority: bool = Field(default=False)
    # "Create an account" on the sign-in page offers this project; the account exists once its address is confirmed.
    self_signup: bool = Field(default=False)
    signup_domains: list[str] = Field(default_factory=list, sa_type=JSONType)  # empty: any address
