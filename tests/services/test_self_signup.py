"""Client self sign-up: off by default, per project, optionally by domain; no account until the address is confirmed."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.factories import PASSWORD, make_project, make_user
from tickit.models import OutboxMessage, ProjectMember, User
from tickit.services import audit, intake_policy, self_signup
from tickit.services.account_tokens import LinkGone
from tickit.services.actors import SYSTEM
from tickit.services.errors import RateLimited, ValidationFailed
from tickit.services.users import find_by_email

NEW = "lamp orbit velvet crumble"


def _open(session, key="SU", **changes):
    intake_policy.update_intake(
        session=session, actor=SYSTEM, project_key=key, changes={"self_signup": True, **changes}
    )


def _mails(session):
    return session.exec(select(OutboxMessage).where(OutboxMessage.event == "sign_up")).all()


def _token(session, n=0) -> str:
    return _mails(session)[n].payload["url"].rsplit("/", 1)[1]


def test_projects_take_no_sign_ups_unless_their_admins_turn_it_on(session):
    make_project(session, "SU")
    assert self_signup.open_projects(session=session) == []
    with pytest.raises(ValidationFailed) as refused:
        self_signup.request_signup(session=session, project_key="SU", email="sam@example.com", ip="10.0.0.1")
    assert refused.value.errors == {"project": self_signup.CLOSED}
    _open(session)
    assert [p.key for p in self_signup.open_projects(session=session)] == ["SU"]


def test_signing_up_mails_a_link_and_makes_no_account_until_it_is_used(session):
    project = make_project(session, "SU", name="Support")
    _open(session)
    answer = self_signup.request_signup(session=session, project_key="SU", email="Sam@Example.com", ip="10.0.0.1")
    assert "sam@example.com" in answer
    assert find_by_email(session, "sam@example.com") is None
    [mail] = _mails(session)
    assert mail.payload["project"] == "Support" and "/auth/sign-up/" in mail.payload["url"]
    token = _token(session)
    assert self_signup.view(session=session, token=token) == self_signup.SignupView("sam@example.com", "Support")

    with pytest.raises(ValidationFailed) as weak:
        self_signup.confirm(session=session, token=token, name="Sam", password="password1234", confirm="password1234")
    assert "password" in weak.value.errors
    with audit.from_address("10.0.0.1"):
        user = self_signup.confirm(session=session, token=token, name="Sam Sample", password=NEW, confirm=NEW)
    assert (user.email, user.name, user.role) == ("sam@example.com", "Sam Sample", "client")
    member = session.exec(select(ProjectMember).where(ProjectMember.user_id == user.id)).one()
    assert (member.project_id, member.role) == (project.id, "client")
    [entry] = audit.entries(session=session, actor=SYSTEM, action=audit.USER_SIGNED_UP)
    assert (entry.actor, entry.address) == (f"Sam Sample <{user.email}>", "10.0.0.1")
    with pytest.raises(LinkGone):
        self_signup.confirm(session=session, token=token, name="Again", password=NEW, confirm=NEW)


def test_an_address_with_an_account_gets_the_same_answer_and_no_mail(session):
    make_project(session, "SU")
    _open(session)
    make_user(session, "client", email="known@example.com", password=PASSWORD)
    known = self_signup.request_signup(session=session, project_key="SU", email="known@example.com", ip="10.0.0.1")
    assert known == self_signup.SENT.format(email="known@example.com")
    assert _mails(session) == []


def test_a_project_may_take_only_some_domains(session):
    make_project(session, "SU", name="Support")
    _open(session, signup_domains="Example.com, @example.org")
    assert self_signup.open_projects(session=session)[0].domains == ("example.com", "example.org")
    with pytest.raises(ValidationFailed) as refused:
        self_signup.request_signup(session=session, project_key="SU", email="eve@elsewhere.net", ip="10.0.0.1")
    assert refused.value.errors == {"email": "Support takes sign-ups only from addresses at example.com, example.org."}
    self_signup.request_signup(session=session, project_key="SU", email="ann@example.org", ip="10.0.0.1")
    assert len(_mails(session)) == 1


@pytest.mark.parametrize("domains", ["not a domain", "example", "exa mple.com!", ["ok.com", 3]])
def test_allowed_domains_must_be_domains(session, domains):
    make_project(session, "SU")
    with pytest.raises(ValidationFailed) as refused:
        _open(session, signup_domains=domains)
    assert "signup_domains" in refused.value.errors


def test_a_link_stops_working_when_the_project_closes_sign_ups(session):
    make_project(session, "SU")
    _open(session)
    self_signup.request_signup(session=session, project_key="SU", email="sam@example.com", ip="10.0.0.1")
    intake_policy.update_intake(session=session, actor=SYSTEM, project_key="SU", changes={"self_signup": False})
    with pytest.raises(ValidationFailed) as refused:
        self_signup.confirm(session=session, token=_token(session), name="Sam", password=NEW, confirm=NEW)
    assert refused.value.errors == {"form": self_signup.CLOSED}
    assert session.exec(select(User).where(User.email == "sam@example.com")).first() is None


def test_sign_ups_are_rate_limited_per_address_and_per_client(session):
    make_project(session, "SU")
    _open(session)
    for n in range(self_signup.LINKS_PER_ADDRESS + 2):
        self_signup.request_signup(session=session, project_key="SU", email="sam@example.com", ip=f"10.0.1.{n}")
    assert len(_mails(session)) == self_signup.LINKS_PER_ADDRESS
    with pytest.raises(RateLimited):
        for n in range(self_signup.REQUESTS_PER_CLIENT + 1):
            self_signup.request_signup(session=session, project_key="SU", email=f"x{n}@example.com", ip="10.0.2.1")
