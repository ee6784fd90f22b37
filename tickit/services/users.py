"""Creating and administering user accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func
from sqlmodel import Session, select

from tickit.models import Role, User, UserSession, utcnow
from tickit.services import account_tokens, audit, organisations, outbox
from tickit.services.actors import SYSTEM, Actor, UserPublic, require_admin
from tickit.services.errors import NotFound, ValidationFailed
from tickit.services.passwords import (
    generate_password,
    hash_password,
    password_problem,
    verify_password,
)

ROLES = tuple(role.value for role in Role)
# How long the first admin's printed password opens the form that replaces it; a copy of it left in
# a log or a terminal's scrollback is worthless after that.
FIRST_PASSWORD_LIFETIME = timedelta(hours=24)
PASSWORDS_DIFFER = "The two new passwords differ."


@dataclass(frozen=True)
class CreatedUser:
    user: UserPublic
    generated_password: str | None  # shown once to whoever created the account


def normalise_email(raw: str) -> str:
    """The stored form of an email address; raises ValidationFailed naming `email`."""
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationFailed({"email": str(exc)}) from None


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationFailed({"role": f"Role must be one of {', '.join(ROLES)}; got {role!r}."})
    return role


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": "Name is required."})
    if len(name) > 200:
        raise ValidationFailed({"name": "Name must be at most 200 characters."})
    return name


def find_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def create_user(
    *,
    session: Session,
    actor: Actor,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    send_welcome: bool = True,
) -> CreatedUser:
    """Create an account; generates a password when none is given and stages the welcome mail."""
    require_admin(actor)
    errors: dict[str, str] = {}
    for check, value in ((normalise_email, email), (_check_name, name), (_check_role, role)):
        try:
            check(value)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if password is not None and (problem := password_problem(password)):
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    email = normalise_email(email)
    if find_by_email(session, email) is not None:
        raise ValidationFailed({"email": f"A user with email {email} already exists."})
    generated = generate_password() if password is None else None
    user = User(email=email, name=name.strip(), role=role, password_hash=hash_password(password or generated))
    session.add(user)
    session.flush()
    if role == Role.CLIENT:
        organisations.join_by_domain(session, user)
    audit.record(session, actor=actor, action=audit.USER_CREATED, target=email, after={"name": user.name, "role": role})
    if send_welcome:
        outbox.stage(
            session,
            event="welcome",
            channel="mail",
            recipient_user_id=user.id,
            payload={"name": user.name, "email": user.email, "role": user.role},
        )
    return CreatedUser(user=UserPublic.of(user), generated_password=generated)


def list_users(*, session: Session, actor: UserPublic) -> list[UserPublic]:
    """Every account, admins first, then by name."""
    require_admin(actor)
    order = {Role.ADMIN: 0, Role.AGENT: 1, Role.CLIENT: 2}
    users = session.exec(select(User).order_by(User.name)).all()
    return sorted((UserPublic.of(u) for u in users), key=lambda u: order.get(u.role, 3))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user


def _active_admin_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.is_active)).one()


def change_role(*, session: Session, actor: Actor, user_id: int, role: str) -> UserPublic:
    """Give a user another role; the last active admin cannot be demoted."""
    require_admin(actor)
    _check_role(role)
    user = get_user(session, user_id)
    if user.role == Role.ADMIN and role != Role.ADMIN and user.is_active and _active_admin_count(session) == 1:
        raise ValidationFailed({"role": "This is the last active admin; make someone else admin first."})
    if user.role != role:
        audit.record(
            session,
            actor=actor,
            action=audit.USER_ROLE_CHANGED,
            target=user.email,
            before={"role": user.role},
            after={"role": role},
        )
    user.role = role
    session.add(user)
    session.flush()
    return UserPublic.of(user)


def set_active(
    *, session: Session, actor: Actor, user_id: int, active: bool, tickets_to: int | None = None
) -> UserPublic:
    """Deactivate (ending every session at once) or reactivate an account.

    A deactivated agent's open tickets go back to the queue, or to `tickets_to` in the projects
    that agent works (`workload.release_open_tickets`).
    """
    require_admin(actor)
    user = get_user(session, user_id)
    if not active:
        if isinstance(actor, UserPublic) and actor.id == user_id:
            raise ValidationFailed({"user": "You cannot deactivate your own account."})
        if user.role == Role.ADMIN and user.is_active and _active_admin_count(session) == 1:
            raise ValidationFailed({"user": "This is the last active admin; it cannot be deactivated."})
        session.exec(delete(UserSession).where(UserSession.user_id == user_id))
        # Imported here: ticket work (workload, assignment, notifications) builds on the accounts kept here.
        from tickit.services import workload

        workload.release_open_tickets(session=session, actor=actor, user_id=user_id, to_user_id=tickets_to)
    if user.is_active != active:
        audit.record(
            session,
            actor=actor,
            action=audit.USER_REACTIVATED if active else audit.USER_DEACTIVATED,
            target=user.email,
            before={"active": user.is_active},
            after={"active": active},
        )
    user.is_active = active
    session.add(user)
    session.flush()
    return UserPublic.of(user)


def rename(*, session: Session, actor: UserPublic, name: str) -> UserPublic:
    """Change the signed-in user's display name."""
    user = get_user(session, actor.id)
    user.name = _check_name(name)
    session.add(user)
    session.flush()
    return UserPublic.of(user)


def change_password(*, session: Session, actor: UserPublic, current: str, new: str, confirm: str) -> UserPublic:
    """Set a new password for the signed-in user; the current one is required when there is one.

    The caller should end the user's other sessions, so a stolen session dies with the old password.
    """
    user = get_user(session, actor.id)
    errors = new_password_errors(new, confirm)
    if user.password_hash is not None and not verify_password(user.password_hash, current):
        errors["current"] = "That is not your current password."
    if errors:
        raise ValidationFailed(errors)
    set_password(session, user, new)
    audit.record(session, actor=actor, action=audit.PASSWORD_CHANGED, target=user.email)
    return UserPublic.of(user)


def set_password(session: Session, user: User, new: str) -> None:
    """Store a new password the rules have accepted; every unused link acting on the account ends.

    The one place a chosen password is written, so no path forgets to end the links. Ending
    sessions is the caller's choice: a change from the profile keeps the browser that made it.
    """
    user.password_hash = hash_password(new)
    user.password_change_required = False
    user.password_expires_at = None
    session.add(user)
    account_tokens.invalidate_for_user(session=session, user_id=user.id)
    session.flush()


def set_password_by_operator(*, session: Session, actor: Actor, email: str, new: str, confirm: str) -> UserPublic:
    """`tickit user set-password`: give an account a new password and end all its sessions."""
    require_admin(actor)
    user = find_by_email(session, email)
    if user is None:
        raise ValidationFailed({"email": f"No user with email {email.strip().lower()}."})
    errors = new_password_errors(new, confirm)
    if errors:
        raise ValidationFailed(errors)
    set_password(session, user, new)
    session.exec(delete(UserSession).where(UserSession.user_id == user.id))
    audit.record(session, actor=actor, action=audit.PASSWORD_CHANGED, target=user.email, after={"sessions": "ended"})
    return UserPublic.of(user)


def ensure_first_admin(*, session: Session, email: str) -> CreatedUser | None:
    """The first admin's credentials to print, when there are any to print; None otherwise.

    On a database with no users, creates the first admin with a generated password. That password
    only leads to the form where the admin chooses their own, and only for FIRST_PASSWORD_LIFETIME;
    when it has expired unused, a new one is generated here (each start then prints it).
    """
    if not session.exec(select(func.count()).select_from(User)).one():
        created = create_user(
            session=session, actor=SYSTEM, email=email, name="Administrator", role=Role.ADMIN, send_welcome=False
        )
        user = get_user(session, created.user.id)
    else:
        user = session.exec(
            select(User).where(User.password_change_required, User.password_expires_at <= utcnow())
        ).first()
        if user is None:
            return None
        created = CreatedUser(user=UserPublic.of(user), generated_password=generate_password())
        user.password_hash = hash_password(created.generated_password)
    user.password_change_required = True
    user.password_expires_at = utcnow() + FIRST_PASSWORD_LIFETIME
    session.add(user)
    session.flush()
    return CreatedUser(user=UserPublic.of(user), generated_password=created.generated_password)


def new_password_errors(new: str, confirm: str) -> dict[str, str]:
    """What is wrong with a new password typed twice, under "new" or "confirm"; empty when nothing is."""
    if problem := password_problem(new):
        return {"new": problem}
    if new != confirm:
        return {"confirm": PASSWORDS_DIFFER}
    return {}


@dataclass(frozen=True)
class NotificationChoices:
    """How a user wants to hear about their tickets beyond the bell, which is always on."""

    by_mail: bool
    by_push: bool


def notification_choices(*, session: Session, actor: UserPublic) -> NotificationChoices:
    """The signed-in user's own choices."""
    user = get_user(session, actor.id)
    return NotificationChoices(by_mail=user.notify_by_mail, by_push=user.notify_by_push)


def set_notification_choices(
    *, session: Session, actor: UserPublic, by_mail: bool | None = None, by_push: bool | None = None
) -> NotificationChoices:
    """Change the signed-in user's own mail and push choices; a choice left None stays as it is."""
    user = get_user(session, actor.id)
    for name, value in (("by_mail", by_mail), ("by_push", by_push)):
        if value is not None and not isinstance(value, bool):
            raise ValidationFailed({name: "Choose on or off."})
    if by_mail is not None:
        user.notify_by_mail = by_mail
    if by_push is not None:
        user.notify_by_push = by_push
    session.add(user)
    session.flush()
    return NotificationChoices(by_mail=user.notify_by_mail, by_push=user.notify_by_push)
