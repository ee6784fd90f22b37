"""Invitations: an admin invites someone by email with a role and projects; they choose name and password.

- Admins invite anyone into any projects. A project admin invites agents and clients into the
  projects they configure (`access.may_configure`), from the project's members, and sees, resends
  and revokes the invitations into those projects only.

- An invitation is an `account_tokens` row of purpose invitation (valid seven days) holding the
  role, project ids and project role; no account exists until it is accepted, so a mistyped address leaves no
  account behind.
- Pending invitations are listed with resend (a fresh link and seven more days; the old link stops
  working) and revoke (the link stops working).
- Opening the link shows a form and changes nothing; submitting it (`accept`) uses the link once,
  creates the account with the invited role, adds it to the projects, and the caller signs them in.
As everywhere in the services, the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from tickit import routes
from tickit.models import AccountToken, MemberRole, Project, ProjectMember, Role, TokenPurpose, User, utcnow
from tickit.services import account_mail, account_tokens, audit, outbox
from tickit.services.access import may_configure, project_to_configure
from tickit.services.actors import SYSTEM, Actor, UserPublic, require_admin
from tickit.services.errors import NotFound, PermissionDenied, ValidationFailed
from tickit.services.passwords import password_problem
from tickit.services.users import ROLES, create_user, find_by_email, normalise_email

ALREADY_HAS_ACCOUNT = "{email} already has an account."
ALREADY_INVITED = "{email} is already invited; resend that invitation from the list instead."
# Why an invitation could not be accepted with Google, by the code the invitation page is sent back with.
GOOGLE_REFUSALS = {
    "unverified": "Google did not confirm that account's address. Choose another, or use a password.",
    "other": "That Google account has another address than the one invited. "
    "Choose the Google account of the invited address, or use a password.",
    "taken": "That Google account or the invited address already has a TickIt account. Sign in instead.",
}
MAX_PENDING = 500  # a sane bound on one admin's list


# The project roles each account role may be invited into a project with.
_PROJECT_ROLES = {
    Role.CLIENT.value: (MemberRole.CLIENT.value,),
    Role.AGENT.value: (MemberRole.AGENT.value, MemberRole.ADMIN.value),
    Role.ADMIN.value: (MemberRole.AGENT.value, MemberRole.ADMIN.value),
}
NOT_YOURS = "A project admin invites agents and clients into the projects they configure, and manages those."


class GoogleRefused(ValidationFailed):
    """The Google account chosen cannot accept this invitation; `code` is a key of GOOGLE_REFUSALS."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__({"form": GOOGLE_REFUSALS[code]})


@dataclass(frozen=True)
class InvitationRow:
    """A pending invitation as the users page lists it."""

    id: int
    email: str
    role: str
    projects: list[str]  # project names
    invited_by: str
    expires_at: datetime
    expired: bool
    project_role: str  # the role they take in those projects


@dataclass(frozen=True)
class InvitationView:
    """What the invitation page shows the invitee before they accept."""

    email: str
    role: str
    projects: list[str]
    invited_by: str


def _project_names(session: Session, project_ids: list[int]) -> list[str]:
    if not project_ids:
        return []
    return list(session.exec(select(Project.name).where(col(Project.id).in_(project_ids)).order_by(Project.name)))


def _inviter_name(session: Session, row: AccountToken) -> str:
    inviter = session.get(User, row.created_by_id) if row.created_by_id else None
    return inviter.name if inviter else "TickIt's admin"


def _stage_mail(session: Session, row: AccountToken, token: str) -> None:
    outbox.stage(
        session,
        event=account_mail.INVITATION,
        channel="mail",
        recipient_user_id=None,
        payload={
            "email": row.email,
            "role": row.details["role"],
            "projects": _project_names(session, row.details.get("project_ids", [])),
            "inviter": _inviter_name(session, row),
            "url": routes.invitation_url(token),
        },
    )


def _pending(session: Session, invitation_id: int) -> AccountToken:
    row = session.get(AccountToken, invitation_id)
    if row is None or row.purpose != TokenPurpose.INVITATION or row.used_at is not None:
        raise NotFound("No such pending invitation.")
    return row


def invite(
    *,
    session: Session,
    actor: Actor,
    email: str,
    role: str,
    project_ids: list[int],
    project_role: str | None = None,
) -> InvitationRow:
    """Invite `email` as `role` into `project_ids` (as `project_role` there, else the role's default)."""
    _check_inviter(session, actor, role, project_ids)
    errors: dict[str, str] = {}
    try:
        email = normalise_email(email)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if role not in ROLES:
        errors["role"] = f"Role must be one of {', '.join(ROLES)}; got {role!r}."
    known = (
        set(session.exec(select(Project.id).where(col(Project.id).in_(project_ids))).all()) if project_ids else set()
    )
    if set(project_ids) - known:
        errors["projects"] = "One of the chosen projects no longer exists; reload the page."
    if project_role is not None and project_role not in _PROJECT_ROLES.get(role, ()):
        errors["project_role"] = f"A {role} joins a project as {' or '.join(_PROJECT_ROLES.get(role, ('-',)))}."
    if not errors and find_by_email(session, email) is not None:
        errors["email"] = ALREADY_HAS_ACCOUNT.format(email=email)
    if (
        not errors
        and session.exec(
            select(AccountToken.id).where(
                AccountToken.purpose == TokenPurpose.INVITATION,
                AccountToken.email == email,
                col(AccountToken.used_at).is_(None),
            )
        ).first()
    ):
        errors["email"] = ALREADY_INVITED.format(email=email)
    if errors:
        raise ValidationFailed(errors)
    token, row = account_tokens.issue(
        session=session,
        purpose=TokenPurpose.INVITATION,
        email=email,
        created_by_id=actor.id if isinstance(actor, UserPublic) else None,
        details={
            "role": role,
            "project_ids": sorted(set(project_ids)),
            "project_role": project_role or _default_project_role(role),
        },
    )
    _stage_mail(session, row, token)
    audit.record(session, actor=actor, action=audit.USER_INVITED, target=email, after=dict(row.details))
    return _row(session, row)


def _check_inviter(session: Session, actor: Actor, role: str, project_ids: list[int]) -> None:
    """Admins invite anyone anywhere; a project admin, agents and clients into projects they configure."""
    if actor is SYSTEM or actor.is_admin:
        return
    if role == Role.ADMIN or not project_ids or not all(may_configure(session, actor, p) for p in project_ids):
        raise PermissionDenied(NOT_YOURS)


def _default_project_role(role: str) -> str:
    return MemberRole.CLIENT.value if role == Role.CLIENT else MemberRole.AGENT.value


def invite_into_project(
    *, session: Session, actor: Actor, project_key: str, email: str, project_role: str
) -> InvitationRow:
    """Invite `email` into one project as `project_role`: a client account for a client, else an agent's."""
    project = project_to_configure(session, actor, project_key)
    if project_role not in tuple(MemberRole):
        raise ValidationFailed({"project_role": "Project role must be client, agent or admin."})
    role = Role.CLIENT.value if project_role == MemberRole.CLIENT else Role.AGENT.value
    return invite(
        session=session, actor=actor, email=email, role=role, project_ids=[project.id], project_role=project_role
    )


def _row(session: Session, row: AccountToken) -> InvitationRow:
    assert row.id is not None
    return InvitationRow(
        id=row.id,
        email=row.email,
        role=row.details["role"],
        projects=_project_names(session, row.details.get("project_ids", [])),
        invited_by=_inviter_name(session, row),
        expires_at=row.expires_at,
        expired=row.expires_at <= utcnow(),
        project_role=row.details.get("project_role") or _default_project_role(row.details["role"]),
    )


def list_pending(*, session: Session, actor: Actor, project_key: str | None = None) -> list[InvitationRow]:
    """Invitations not yet accepted or revoked, newest first; expired ones too, so they can be resent.

    Every one for admins; with `project_key`, those into that project, for whoever configures it.
    """
    query = select(AccountToken).where(
        AccountToken.purpose == TokenPurpose.INVITATION, col(AccountToken.used_at).is_(None)
    )
    if project_key is None:
        require_admin(actor)
        rows = session.exec(query.order_by(col(AccountToken.created_at).desc()).limit(MAX_PENDING)).all()
    else:
        project_id = project_to_configure(session, actor, project_key).id
        # Few invitations are ever pending, so the project is picked out of their JSON here, alike on both databases.
        every = session.exec(query.order_by(col(AccountToken.created_at).desc())).all()
        rows = [row for row in every if project_id in row.details.get("project_ids", [])][:MAX_PENDING]
    return [_row(session, row) for row in rows]


def resend(*, session: Session, actor: Actor, invitation_id: int) -> InvitationRow:
    """Mail a fresh link, valid seven days from now; the link sent before stops working."""
    row = _pending(session, invitation_id)
    _check_inviter(session, actor, row.details["role"], row.details.get("project_ids", []))
    token, hashed = account_tokens.new_token()
    row.token_hash = hashed
    row.expires_at = utcnow() + account_tokens.LIFETIMES[TokenPurpose.INVITATION]
    session.add(row)
    session.flush()
    _stage_mail(session, row, token)
    audit.record(session, actor=actor, action=audit.USER_INVITED, target=row.email, after={"resent": True})
    return _row(session, row)


def revoke(*, session: Session, actor: Actor, invitation_id: int) -> str:
    """Withdraw an invitation: its link stops working. Returns the address it was for."""
    row = _pending(session, invitation_id)
    _check_inviter(session, actor, row.details["role"], row.details.get("project_ids", []))
    email = row.email
    audit.record(session, actor=actor, action=audit.INVITATION_REVOKED, target=email, before=dict(row.details))
    session.delete(row)
    session.flush()
    return email


def view(*, session: Session, token: str) -> InvitationView:
    """The invitation behind a link, for its page; raises LinkGone. Reads only."""
    row = account_tokens.peek(session=session, token=token, purpose=TokenPurpose.INVITATION)
    return InvitationView(
        email=row.email,
        role=row.details["role"],
        projects=_project_names(session, row.details.get("project_ids", [])),
        invited_by=_inviter_name(session, row),
    )


def accept(*, session: Session, token: str, name: str, password: str, confirm: str) -> UserPublic:
    """Use the invitation: create the account with the invited role, join its projects; returns it.

    Raises LinkGone for a used, revoked or expired link, ValidationFailed (the link stays usable)
    for a name or password that will not do.
    """
    user, used = create_account_from_link(
        session=session, token=token, purpose=TokenPurpose.INVITATION, name=name, password=password, confirm=confirm
    )
    audit.record(session, actor=user, action=audit.INVITATION_ACCEPTED, target=user.email, after=dict(used.details))
    return user


def create_account_from_link(
    *, session: Session, token: str, purpose: TokenPurpose, name: str, password: str, confirm: str
) -> tuple[UserPublic, AccountToken]:
    """Use a link that makes an account (an invitation, a self sign-up): the role and projects in its details.

    Returns the account and the used link's row. Raises LinkGone for a used, revoked or expired
    link, ValidationFailed (the link stays usable) for a name or password that will not do.
    """
    row = account_tokens.peek(session=session, token=token, purpose=purpose)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Name is required."
    elif len(name.strip()) > 200:
        errors["name"] = "Name must be at most 200 characters."
    if problem := password_problem(password):
        errors["password"] = problem
    elif password != confirm:
        errors["confirm"] = "The two passwords differ."
    if find_by_email(session, row.email) is not None:
        errors["form"] = ALREADY_HAS_ACCOUNT.format(email=row.email) + " Sign in instead."
    if errors:
        raise ValidationFailed(errors)
    used = account_tokens.consume(session=session, token=token, purpose=purpose)
    return _make_account(session, used, name=name, password=password), used


def accept_with_google(
    *, session: Session, token: str, subject: str, email: str, email_verified: bool, name: str
) -> UserPublic:
    """Use the invitation with a Google account of the invited address: the account signs in with Google.

    Raises LinkGone for a used, revoked or expired link, and GoogleRefused (the link stays usable)
    when Google did not confirm the address, it is another address than the one invited, or that
    Google account or address already has a TickIt account.
    """
    row = account_tokens.peek(session=session, token=token, purpose=TokenPurpose.INVITATION)
    if not email_verified:
        raise GoogleRefused("unverified")
    if email.strip().lower() != row.email:
        raise GoogleRefused("other")
    if (
        find_by_email(session, row.email) is not None
        or session.exec(select(User.id).where(User.google_subject == subject)).first()
    ):
        raise GoogleRefused("taken")
    used = account_tokens.consume(session=session, token=token, purpose=TokenPurpose.INVITATION)
    user = _make_account(session, used, name=(name or row.email.split("@")[0]).strip()[:200], password=None)
    account = session.get(User, user.id)
    assert account is not None
    # Google vouches for this person: no password until they choose one ("Forgot password?").
    account.password_hash = None
    account.google_subject = subject
    session.add(account)
    session.flush()
    audit.record(
        session,
        actor=user,
        action=audit.INVITATION_ACCEPTED,
        target=user.email,
        after={**used.details, "with": "google"},
    )
    return UserPublic.of(account)


def _make_account(session: Session, used: AccountToken, *, name: str, password: str | None) -> UserPublic:
    """The account a used link makes, with its role, in its projects."""
    # create_user checks the name and password once more.
    created = create_user(
        session=session,
        actor=SYSTEM,
        email=used.email,
        name=name,
        role=used.details["role"],
        password=password,
        send_welcome=False,
    )
    project_role = used.details.get("project_role") or _default_project_role(created.user.role)
    for project_id in used.details.get("project_ids", []):
        if session.get(Project, project_id) is not None:
            session.add(ProjectMember(project_id=project_id, user_id=created.user.id, role=project_role))
    session.flush()
    return created.user
