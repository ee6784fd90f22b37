"""Who is acting: the plain view of a signed-in user that services receive and return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tickit.models import Role, User
from tickit.services.errors import PermissionDenied


@dataclass(frozen=True)
class UserPublic:
    id: int
    email: str
    name: str
    role: str
    is_active: bool
    created_at: datetime
    last_sign_in_at: datetime | None
    has_password: bool
    # Signed in with a password TickIt generated: they may only choose their own (see auth.choose_password).
    must_choose_password: bool = False
    # When mail to the address last bounced (services/mail_in.py); TickIt pauses mailing it after one.
    mail_bounced_at: datetime | None = None

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            is_active=user.is_active,
            created_at=user.created_at,
            last_sign_in_at=user.last_sign_in_at,
            has_password=user.password_hash is not None,
            must_choose_password=user.password_change_required,
            mail_bounced_at=user.mail_bounced_at,
        )

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        """Agents and admins: the people who work tickets."""
        return self.role in (Role.AGENT, Role.ADMIN)


class SystemActor:
    """TickIt itself acting for an operator at the command line or at start-up; not a user."""

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()

# Who may call an administrative service: a signed-in user or TickIt itself. None (nobody
# signed in) is never an actor; services refuse it rather than mistake it for the system.
Actor = UserPublic | SystemActor


def require_admin(actor: Actor | None) -> None:
    """Let the system and admins through; refuse everyone else, including nobody."""
    if actor is SYSTEM:
        return
    if actor is None or not actor.is_admin:
        raise PermissionDenied("Only an admin may do this.")


def require_staff(actor: UserPublic) -> None:
    """Let agents and admins through; refuse clients."""
    if not actor.is_staff:
        raise PermissionDenied("Only agents and admins may do this.")
