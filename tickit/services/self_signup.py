"""Client self sign-up: "Create an account" for the projects whose intake settings allow it.

- Off by default, per project (`intake_policy`: `self_signup`, and `signup_domains` when only some
  addresses may join).
- Asking (`request_signup`) takes only an address and a project, and mails a link (account_tokens,
  purpose verify_email) to that address. The answer is the same whether or not the address already
  has an account (which gets no mail), within limits per address and per asking client.
- No account exists until the link is used: opening it shows a form (name, password) and changes
  nothing; submitting it (`confirm`) creates the client account, joins the project and signs in.
  So an address nobody confirmed can neither sign in nor file a ticket that staff would see.
As everywhere in the services, the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from tickit import routes
from tickit.models import Project, ProjectIntake, Role, TokenPurpose
from tickit.services import account_mail, account_tokens, audit, intake_policy, invitations, outbox, ratelimit
from tickit.services.actors import UserPublic
from tickit.services.errors import RateLimited, ValidationFailed
from tickit.services.users import find_by_email, normalise_email

RATE_WINDOW_SECONDS = 3600
LINKS_PER_ADDRESS = 3  # sign-up mails an address receives per hour
REQUESTS_PER_CLIENT = 20  # requests one client address may make per hour
SENT = (
    "We sent a link to {email}. Open it within two days to confirm the address and choose your name "
    "and password. (If the address already has an account, no mail is sent: sign in instead.)"
)
CLOSED = "This project does not take sign-ups. Ask its help desk for an invitation."
DOMAIN_REFUSED = "{project} takes sign-ups only from addresses at {domains}."


@dataclass(frozen=True)
class OpenProject:
    """A project the sign-up form offers."""

    key: str
    name: str
    domains: tuple[str, ...]  # empty: any address


@dataclass(frozen=True)
class SignupView:
    """What the confirmation page shows before the account is made."""

    email: str
    project: str


def open_projects(*, session: Session) -> list[OpenProject]:
    """Projects that take sign-ups, by name; public (the sign-up form lists them)."""
    rows = session.exec(
        select(Project, ProjectIntake)
        .join(ProjectIntake, col(ProjectIntake.project_id) == Project.id)
        .where(ProjectIntake.self_signup == True)  # noqa: E712
        .order_by(Project.name)
    ).all()
    return [OpenProject(project.key, project.name, tuple(intake.signup_domains)) for project, intake in rows]


def request_signup(*, session: Session, project_key: str, email: str, ip: str) -> str:
    """Mail a sign-up link for `project_key` to `email`; returns the answer, the same for a known address.

    ValidationFailed names `email` (not an address, or a domain the project does not take) or
    `project` (not taking sign-ups); RateLimited when this client asked too often.
    """
    if ratelimit.hit(session, f"signup:ip:{ip}", window_seconds=RATE_WINDOW_SECONDS) > REQUESTS_PER_CLIENT:
        raise RateLimited(ratelimit.seconds_left(RATE_WINDOW_SECONDS), "Too many sign-ups from here")
    project = next((p for p in open_projects(session=session) if p.key == project_key), None)
    if project is None:
        raise ValidationFailed({"project": CLOSED})
    email = normalise_email(email)
    domain = email.rsplit("@", 1)[1]
    if project.domains and domain not in project.domains:
        raise ValidationFailed(
            {"email": DOMAIN_REFUSED.format(project=project.name, domains=", ".join(project.domains))}
        )
    # Counted for every address, known or not, so both paths do the same work.
    over = ratelimit.hit(session, f"signup:email:{email}", window_seconds=RATE_WINDOW_SECONDS) > LINKS_PER_ADDRESS
    if find_by_email(session, email) is None and not over:
        project_id = session.exec(select(Project.id).where(Project.key == project.key)).one()
        token, _ = account_tokens.issue(
            session=session,
            purpose=TokenPurpose.VERIFY_EMAIL,
            email=email,
            details={"role": Role.CLIENT.value, "project_ids": [project_id], "signup": True},
        )
        outbox.stage(
            session,
            event=account_mail.SIGN_UP,
            channel="mail",
            recipient_user_id=None,
            payload={"email": email, "project": project.name, "url": routes.sign_up_url(token)},
        )
    return SENT.format(email=email)


def view(*, session: Session, token: str) -> SignupView:
    """The sign-up behind a link, for its page; raises LinkGone. Reads only."""
    row = account_tokens.peek(session=session, token=token, purpose=TokenPurpose.VERIFY_EMAIL)
    names = [p.name for p in session.exec(select(Project).where(col(Project.id).in_(row.details["project_ids"])))]
    return SignupView(email=row.email, project=", ".join(names))


def confirm(*, session: Session, token: str, name: str, password: str, confirm: str) -> UserPublic:
    """Use the sign-up link: the address is confirmed; create the client account in the project and return it.

    Raises LinkGone for a used or expired link, ValidationFailed (the link stays usable) for a name
    or password that will not do, or a project that stopped taking sign-ups meanwhile.
    """
    row = account_tokens.peek(session=session, token=token, purpose=TokenPurpose.VERIFY_EMAIL)
    if not any(_still_open(session, project_id) for project_id in row.details["project_ids"]):
        raise ValidationFailed({"form": CLOSED})
    user, used = invitations.create_account_from_link(
        session=session, token=token, purpose=TokenPurpose.VERIFY_EMAIL, name=name, password=password, confirm=confirm
    )
    audit.record(session, actor=user, action=audit.USER_SIGNED_UP, target=user.email, after=dict(used.details))
    return user


def _still_open(session: Session, project_id: int) -> bool:
    return intake_policy.policy_of(session, project_id).self_signup
