"""Requesters without a password: a first-password link in their acknowledgement, and one-time sign-in links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.factories import PASSWORD, make_api_client, make_user
from tests.services.test_acknowledgement import _delivered, acknowledging  # noqa: F401
from tests.services.test_notifications import act, desk, fan_out, mail_dir, messages  # noqa: F401
from tickit.models import AccountToken, OutboxMessage, TokenPurpose, User, utcnow
from tickit.services import audit, auth, intake, password_reset, sign_in_links
from tickit.services.account_tokens import LinkGone
from tickit.services.actors import SYSTEM
from tickit.services.errors import RateLimited, ValidationFailed
from tickit.services.intake_request import TicketIn

__all__ = ["acknowledging", "desk", "mail_dir"]

NEW = "lamp orbit velvet crumble"


def _file_for_new_requester(engine, email="new@example.com"):
    def file_over_the_api(session):
        intake.create_or_replay(
            session=session,
            client=make_api_client(session).client,
            idempotency_key=f"k-{email}",
            request=TicketIn(type="question", title="How?", fields={"topic": "how_to"}, reporter={"email": email}),
        )

    act(engine, file_over_the_api)
    fan_out(engine)


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_a_requester_without_a_password_gets_a_link_to_choose_one_in_the_acknowledgement(engine, desk, mail_dir):
    _file_for_new_requester(engine)
    received = _delivered(engine, mail_dir)
    text = received.get_body(("plain",)).get_content()
    assert "choose a password (the link works once, for seven days)" in text
    assert "https://help.example.com/auth/set-password/" in text
    assert "Email me a sign-in link" in text
    [ack] = [m for m in messages(engine, "mail") if m.event == "acknowledgement"]
    token = _token(ack.payload["set_password_url"])

    def choose(session):
        user = password_reset.reset_password(
            session=session, token=token, new=NEW, confirm=NEW, purpose=TokenPurpose.SET_PASSWORD
        )
        return user.email

    assert act(engine, choose) == "new@example.com"
    assert auth.sign_in_with_password(engine=engine, email="new@example.com", password=NEW, ip="10.0.0.1")
    # Choosing a first password is not a change to warn about.
    assert not [m for m in messages(engine, "mail") if m.event == "password_changed"]
    with pytest.raises(LinkGone):
        act(
            engine,
            lambda s: password_reset.reset_password(
                session=s, token=token, new=NEW, confirm=NEW, purpose=TokenPurpose.SET_PASSWORD
            ),
        )


def test_a_requester_with_a_password_gets_no_such_link(engine, desk, mail_dir):
    _file_for_new_requester(engine, email=desk.client.email)
    [ack] = [m for m in messages(engine, "mail") if m.event == "acknowledgement"]
    assert ack.payload["set_password_url"] is None
    assert "choose a password" not in _delivered(engine, mail_dir).get_body(("plain",)).get_content()


def test_a_first_password_link_does_not_reset_a_password(session):
    user = make_user(session, "client")
    row = session.get(User, user.id)
    assert sign_in_links.first_password_url(session, row) is None
    row.password_hash = None
    token = _token(sign_in_links.first_password_url(session, row))
    with pytest.raises(LinkGone):
        password_reset.reset_password(session=session, token=token, new=NEW, confirm=NEW)


def _sign_in_mails(session):
    return session.exec(select(OutboxMessage).where(OutboxMessage.event == "sign_in_link")).all()


def test_a_sign_in_link_gets_the_same_answer_for_every_address_and_goes_only_to_requesters(session):
    make_user(session, "client", email="cleo@example.com")
    make_user(session, "agent", email="agnes@example.com")
    answers = {
        sign_in_links.request_link(session=session, email=address, ip="10.0.0.2")
        for address in ("Cleo@example.com", "agnes@example.com", "nobody@example.com")
    }
    assert answers == {sign_in_links.SENT}
    [mail] = _sign_in_mails(session)
    assert mail.payload["email"] == "cleo@example.com" and "/auth/sign-in-link/" in mail.payload["url"]


def test_a_sign_in_link_signs_in_once_within_15_minutes(session):
    client = make_user(session, "client", email="cleo@example.com")
    sign_in_links.request_link(session=session, email="cleo@example.com", ip="10.0.0.2")
    token = _token(_sign_in_mails(session)[0].payload["url"])
    assert sign_in_links.account_for_link(session=session, token=token) == "cleo@example.com"
    with audit.from_address("10.0.0.2"):
        assert sign_in_links.sign_in(session=session, token=token).id == client.id
    with pytest.raises(LinkGone):
        sign_in_links.sign_in(session=session, token=token)
    [entry] = audit.entries(session=session, actor=SYSTEM, action=audit.SIGN_IN)
    assert entry.after == {"method": "mailed link"} and entry.address == "10.0.0.2"

    sign_in_links.request_link(session=session, email="cleo@example.com", ip="10.0.0.2")
    late = _token(_sign_in_mails(session)[1].payload["url"])
    row = session.exec(select(AccountToken).where(AccountToken.purpose == TokenPurpose.SIGN_IN_LINK)).all()[-1]
    assert timedelta(minutes=14) < row.expires_at - utcnow() <= timedelta(minutes=15)
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    with pytest.raises(LinkGone):
        sign_in_links.sign_in(session=session, token=late)


def test_a_deactivated_requester_cannot_use_a_sign_in_link(session):
    client = make_user(session, "client", email="cleo@example.com")
    sign_in_links.request_link(session=session, email="cleo@example.com", ip="10.0.0.2")
    token = _token(_sign_in_mails(session)[0].payload["url"])
    session.get(User, client.id).is_active = False
    with pytest.raises(ValidationFailed):
        sign_in_links.sign_in(session=session, token=token)


def test_sign_in_links_are_rate_limited_per_address_and_per_client(session):
    make_user(session, "client", email="cleo@example.com", password=PASSWORD)
    for n in range(sign_in_links.LINKS_PER_ACCOUNT + 2):
        sign_in_links.request_link(session=session, email="cleo@example.com", ip=f"10.0.1.{n}")
    assert len(_sign_in_mails(session)) == sign_in_links.LINKS_PER_ACCOUNT
    with pytest.raises(RateLimited):
        for n in range(sign_in_links.REQUESTS_PER_CLIENT + 1):
            sign_in_links.request_link(session=session, email=f"x{n}@example.com", ip="10.0.2.1")
