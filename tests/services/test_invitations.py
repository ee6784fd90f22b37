"""Invitations: invite by email with role and projects; pending list with resend and revoke; seven days."""

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.factories import make_project, make_user
from tickit.models import OutboxMessage, ProjectMember, User, utcnow
from tickit.services import account_tokens, auth, invitations
from tickit.services.account_tokens import LinkGone
from tickit.services.errors import PermissionDenied, ValidationFailed

PASSWORD = "lamp orbit velvet crumble"


@pytest.fixture
def admin(session):
    return make_user(session, "admin", name="Ada Admin")


@pytest.fixture
def project(session):
    return make_project(session, "HH")


def _token(session, email) -> str:
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.event == "invitation")).all()
    return [r for r in rows if r.payload["email"] == email][-1].payload["url"].rsplit("/", 1)[1]


def test_an_invitee_chooses_name_and_password_and_joins_with_the_invited_role_and_projects(
    engine, session, admin, project
):
    invitations.invite(session=session, actor=admin, email="Nia@Example.com", role="agent", project_ids=[project.id])
    session.commit()
    token = _token(session, "nia@example.com")
    [mail] = session.exec(select(OutboxMessage).where(OutboxMessage.event == "invitation")).all()
    assert mail.payload["inviter"] == "Ada Admin" and mail.payload["projects"] == [project.name]
    shown = invitations.view(session=session, token=token)
    assert (shown.email, shown.role, shown.invited_by) == ("nia@example.com", "agent", "Ada Admin")
    user = invitations.accept(session=session, token=token, name="Nia Newcomer", password=PASSWORD, confirm=PASSWORD)
    session.commit()
    assert (user.email, user.name, user.role) == ("nia@example.com", "Nia Newcomer", "agent")
    member = session.get(ProjectMember, (project.id, user.id))
    assert member is not None and member.role == "agent"
    assert invitations.list_pending(session=session, actor=admin) == []
    session.commit()
    assert auth.sign_in_with_password(engine=engine, email="nia@example.com", password=PASSWORD, ip="x").id == user.id
    with pytest.raises(LinkGone):
        invitations.accept(session=session, token=token, name="Again", password=PASSWORD, confirm=PASSWORD)


def test_a_client_invited_into_a_project_joins_it_as_a_client(session, admin, project):
    invitations.invite(session=session, actor=admin, email="cy@example.com", role="client", project_ids=[project.id])
    user = invitations.accept(
        session=session, token=_token(session, "cy@example.com"), name="Cy", password=PASSWORD, confirm=PASSWORD
    )
    assert session.get(ProjectMember, (project.id, user.id)).role == "client"


def test_an_invitation_expires_after_seven_days(session, admin, monkeypatch):
    row = invitations.invite(session=session, actor=admin, email="late@example.com", role="client", project_ids=[])
    assert timedelta(days=7) - timedelta(minutes=1) < row.expires_at - utcnow() <= timedelta(days=7)
    token = _token(session, "late@example.com")
    later = utcnow() + timedelta(days=7, seconds=1)
    monkeypatch.setattr(account_tokens, "utcnow", lambda: later)
    with pytest.raises(LinkGone):
        invitations.accept(session=session, token=token, name="Late", password=PASSWORD, confirm=PASSWORD)


def test_resend_mails_a_fresh_link_and_the_old_one_stops_working(session, admin):
    row = invitations.invite(session=session, actor=admin, email="re@example.com", role="client", project_ids=[])
    old = _token(session, "re@example.com")
    invitations.resend(session=session, actor=admin, invitation_id=row.id)
    new = _token(session, "re@example.com")
    assert new != old
    with pytest.raises(LinkGone):
        invitations.view(session=session, token=old)
    assert invitations.view(session=session, token=new).email == "re@example.com"


def test_revoke_ends_the_link(session, admin):
    row = invitations.invite(session=session, actor=admin, email="no@example.com", role="client", project_ids=[])
    token = _token(session, "no@example.com")
    assert invitations.revoke(session=session, actor=admin, invitation_id=row.id) == "no@example.com"
    assert invitations.list_pending(session=session, actor=admin) == []
    with pytest.raises(LinkGone):
        invitations.accept(session=session, token=token, name="No", password=PASSWORD, confirm=PASSWORD)


def test_pending_invitations_are_listed_with_their_role_projects_and_inviter(session, admin, project):
    invitations.invite(session=session, actor=admin, email="p@example.com", role="agent", project_ids=[project.id])
    [row] = invitations.list_pending(session=session, actor=admin)
    assert (row.email, row.role, row.projects, row.invited_by, row.expired) == (
        "p@example.com",
        "agent",
        [project.name],
        "Ada Admin",
        False,
    )


def test_existing_accounts_and_pending_invitations_are_not_invited_twice(session, admin):
    make_user(session, "client", email="here@example.com")
    with pytest.raises(ValidationFailed) as existing:
        invitations.invite(session=session, actor=admin, email="here@example.com", role="client", project_ids=[])
    assert "already has an account" in existing.value.errors["email"]
    invitations.invite(session=session, actor=admin, email="twice@example.com", role="client", project_ids=[])
    with pytest.raises(ValidationFailed) as pending:
        invitations.invite(session=session, actor=admin, email="twice@example.com", role="agent", project_ids=[])
    assert "already invited" in pending.value.errors["email"]


@pytest.mark.parametrize(
    ("email", "role", "projects", "field"),
    [
        ("not-an-email", "client", [], "email"),
        ("x@example.com", "owner", [], "role"),
        ("x@example.com", "client", [999], "projects"),
    ],
)
def test_bad_invitations_are_refused_per_field(session, admin, email, role, projects, field):
    with pytest.raises(ValidationFailed) as caught:
        invitations.invite(session=session, actor=admin, email=email, role=role, project_ids=projects)
    assert field in caught.value.errors


def test_the_invitee_must_choose_a_name_and_an_acceptable_password_and_the_link_survives_a_refusal(session, admin):
    invitations.invite(session=session, actor=admin, email="z@example.com", role="client", project_ids=[])
    session.commit()
    token = _token(session, "z@example.com")
    with pytest.raises(ValidationFailed) as caught:
        invitations.accept(session=session, token=token, name=" ", password="password1234", confirm="password1234")
    assert "name" in caught.value.errors
    session.rollback()
    with pytest.raises(ValidationFailed) as weak:
        invitations.accept(session=session, token=token, name="Zed", password="password1234", confirm="password1234")
    assert "leaked" in weak.value.errors["password"]
    session.rollback()
    assert invitations.accept(session=session, token=token, name="Zed", password=PASSWORD, confirm=PASSWORD)


def test_only_admins_invite(session):
    agent = make_user(session, "agent")
    with pytest.raises(PermissionDenied):
        invitations.invite(session=session, actor=agent, email="q@example.com", role="client", project_ids=[])
    with pytest.raises(PermissionDenied):
        invitations.list_pending(session=session, actor=agent)


def test_an_invitation_is_accepted_with_the_google_account_of_the_invited_address_only(session):
    admin = make_user(session, "admin")
    project = make_project(session, "GI")
    invitations.invite(session=session, actor=admin, email="gina@example.com", role="agent", project_ids=[project.id])
    token = _token(session, "gina@example.com")
    for email, verified, code in (("other@example.com", True, "other"), ("gina@example.com", False, "unverified")):
        with pytest.raises(invitations.GoogleRefused) as refused:
            invitations.accept_with_google(
                session=session, token=token, subject="g-1", email=email, email_verified=verified, name="Gina"
            )
        assert refused.value.code == code
    user = invitations.accept_with_google(
        session=session, token=token, subject="g-1", email="Gina@example.com", email_verified=True, name="Gina G"
    )
    assert (user.email, user.name, user.role, user.has_password) == ("gina@example.com", "Gina G", "agent", False)
    assert session.get(User, user.id).google_subject == "g-1"
    member = session.exec(select(ProjectMember).where(ProjectMember.user_id == user.id)).one()
    assert (member.project_id, member.role) == (project.id, "agent")
    with pytest.raises(LinkGone):
        invitations.accept_with_google(
            session=session, token=token, subject="g-1", email="gina@example.com", email_verified=True, name="Gina"
        )


def test_a_project_admin_invites_into_their_project_only_and_manages_those_invitations(session, admin, project):
    other = make_project(session, "OP")
    lead = make_user(session, "agent", name="Lead")
    session.add(ProjectMember(project_id=project.id, user_id=lead.id, role="admin"))
    session.flush()

    invited = invitations.invite_into_project(
        session=session, actor=lead, project_key="hh", email="pat@example.com", project_role="admin"
    )
    invitations.invite(session=session, actor=admin, email="oz@example.com", role="agent", project_ids=[other.id])
    assert (invited.role, invited.project_role, invited.projects) == ("agent", "admin", [project.name])
    assert [i.email for i in invitations.list_pending(session=session, actor=lead, project_key="HH")] == [
        "pat@example.com"
    ]
    for refused in (
        lambda: invitations.invite_into_project(
            session=session, actor=lead, project_key="OP", email="x@example.com", project_role="agent"
        ),
        lambda: invitations.invite(
            session=session, actor=lead, email="y@example.com", role="admin", project_ids=[project.id]
        ),
        lambda: invitations.list_pending(session=session, actor=lead),
        lambda: invitations.list_pending(session=session, actor=lead, project_key="OP"),
        lambda: invitations.revoke(
            session=session, actor=lead, invitation_id=invitations.list_pending(session=session, actor=admin)[0].id
        ),
    ):
        with pytest.raises(PermissionDenied):
            refused()

    user = invitations.accept(
        session=session, token=_token(session, "pat@example.com"), name="Pat", password=PASSWORD, confirm=PASSWORD
    )
    assert (user.role, session.get(ProjectMember, (project.id, user.id)).role) == ("agent", "admin")


def test_a_client_cannot_be_invited_as_a_projects_agent(session, admin, project):
    with pytest.raises(ValidationFailed) as refused:
        invitations.invite(
            session=session,
            actor=admin,
            email="cy@example.com",
            role="client",
            project_ids=[project.id],
            project_role="agent",
        )
    assert set(refused.value.errors) == {"project_role"}
