"""Password reset: the same answer for every address, a one-hour link, sessions ended, the owner told."""

import email
from email import policy

import pytest
from sqlmodel import Session, select

from tests.factories import PASSWORD, make_user
from tickit.models import AccountToken, OutboxMessage, UserSession
from tickit.services import auth, outbox, password_reset
from tickit.services.account_tokens import LinkGone
from tickit.services.actors import SYSTEM
from tickit.services.errors import PermissionDenied, RateLimited, ValidationFailed

NEW = "lamp orbit velvet crumble"


@pytest.fixture
def mail_dir(monkeypatch, tmp_path):
    from tickit.config import get_settings

    monkeypatch.setenv("TICKIT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("APP_URL", "https://help.example.com")
    monkeypatch.delenv("SMTP_HOST", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "mail"
    get_settings.cache_clear()


def _mails(session, event):
    return session.exec(select(OutboxMessage).where(OutboxMessage.event == event)).all()


def _link_token(session) -> str:
    [row] = _mails(session, "password_reset")
    return row.payload["url"].rsplit("/", 1)[1]


def test_asking_gets_the_same_answer_whether_or_not_the_account_exists(session, mail_dir):
    make_user(session, "client", email="known@example.com")
    known = password_reset.request_reset(session=session, email="Known@example.com", ip="10.0.0.1")
    unknown = password_reset.request_reset(session=session, email="nobody@example.com", ip="10.0.0.1")
    assert known == unknown == password_reset.SENT
    [mail] = _mails(session, "password_reset")
    assert mail.payload["email"] == "known@example.com"
    assert mail.payload["url"].startswith("https://help.example.com/auth/reset-password/")


def test_the_mail_carries_a_link_for_one_hour(engine, session, mail_dir):
    make_user(session, "client", email="ada@example.com", name="Ada")
    password_reset.request_reset(session=session, email="ada@example.com", ip="10.0.0.1")
    [row] = _mails(session, "password_reset")
    session.commit()
    assert outbox.deliver(row.id, engine=engine) == "delivered"
    [written] = mail_dir.glob("*.eml")
    message = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"] == "ada@example.com" and message["Subject"] == "Reset your TickIt password"
    text = message.get_body(("plain",)).get_content()
    assert row.payload["url"] in text and "one hour" in text


def test_a_deactivated_account_gets_no_link(session, mail_dir):
    user = make_user(session, "agent", email="gone@example.com")
    from tickit.services import users

    users.set_active(session=session, actor=SYSTEM, user_id=user.id, active=False)
    assert password_reset.request_reset(session=session, email="gone@example.com", ip="10.0.0.1") == password_reset.SENT
    assert _mails(session, "password_reset") == []


def test_a_mailbox_gets_at_most_a_few_links_an_hour_and_a_client_may_ask_only_so_often(session, mail_dir):
    make_user(session, "client", email="flooded@example.com")
    for _ in range(password_reset.LINKS_PER_ACCOUNT + 2):
        password_reset.request_reset(session=session, email="flooded@example.com", ip="10.0.0.2")
    assert len(_mails(session, "password_reset")) == password_reset.LINKS_PER_ACCOUNT
    for n in range(password_reset.REQUESTS_PER_CLIENT - password_reset.LINKS_PER_ACCOUNT - 2):
        password_reset.request_reset(session=session, email=f"x{n}@example.com", ip="10.0.0.2")
    with pytest.raises(RateLimited):
        password_reset.request_reset(session=session, email="y@example.com", ip="10.0.0.2")


def test_resetting_sets_the_password_ends_every_session_and_tells_the_owner(engine, session, mail_dir):
    user = make_user(session, "agent", email="ada@example.com")
    for _ in range(2):
        auth.start_session(session=session, user_id=user.id)
    password_reset.request_reset(session=session, email="ada@example.com", ip="10.0.0.1")
    session.commit()
    token = _link_token(session)
    assert password_reset.account_for_link(session=session, token=token) == "ada@example.com"
    assert password_reset.reset_password(session=session, token=token, new=NEW, confirm=NEW).id == user.id
    session.commit()
    assert session.exec(select(UserSession).where(UserSession.user_id == user.id)).all() == []
    [changed] = _mails(session, "password_changed")
    assert changed.payload == {"email": "ada@example.com", "name": user.name}
    session.commit()
    assert auth.sign_in_with_password(engine=engine, email="ada@example.com", password=NEW, ip="x").id == user.id
    with pytest.raises(auth.SignInFailed):
        auth.sign_in_with_password(engine=engine, email="ada@example.com", password=PASSWORD, ip="x")
    with pytest.raises(LinkGone):
        password_reset.reset_password(session=session, token=token, new=NEW + "!", confirm=NEW + "!")


def test_a_refused_password_leaves_the_link_usable(session, mail_dir):
    make_user(session, "client", email="ada@example.com")
    password_reset.request_reset(session=session, email="ada@example.com", ip="10.0.0.1")
    session.commit()
    token = _link_token(session)
    with pytest.raises(ValidationFailed) as caught:
        password_reset.reset_password(session=session, token=token, new="password1234", confirm="password1234")
    assert "leaked" in caught.value.errors["new"]
    session.rollback()
    assert session.exec(select(AccountToken)).one().used_at is None
    password_reset.reset_password(session=session, token=token, new=NEW, confirm=NEW)


def test_a_newer_password_ends_a_link_mailed_before_it(session, mail_dir):
    make_user(session, "client", email="ada@example.com")
    password_reset.request_reset(session=session, email="ada@example.com", ip="10.0.0.1")
    first = _link_token(session)
    session.commit()
    password_reset.request_reset(session=session, email="ada@example.com", ip="10.0.0.1")
    session.commit()
    second = next(
        m.payload["url"].rsplit("/", 1)[1] for m in _mails(session, "password_reset") if first not in m.payload["url"]
    )
    password_reset.reset_password(session=session, token=second, new=NEW, confirm=NEW)
    session.commit()
    with pytest.raises(LinkGone):
        password_reset.reset_password(session=session, token=first, new=NEW + "!", confirm=NEW + "!")


def test_an_admin_can_mail_a_reset_link_and_the_operator_can_print_one(engine, session, mail_dir):
    admin = make_user(session, "admin")
    agent = make_user(session, "agent", email="agnes@example.com")
    password_reset.send_reset_link(session=session, actor=admin, user_id=agent.id)
    [mail] = _mails(session, "password_reset")
    assert mail.payload["email"] == "agnes@example.com"
    link = password_reset.reset_link(session=session, actor=SYSTEM, email="agnes@example.com")
    assert link.startswith("https://help.example.com/auth/reset-password/")
    assert len(_mails(session, "password_reset")) == 1  # the printed link is not mailed
    session.commit()
    with Session(engine) as other:
        password_reset.reset_password(session=other, token=link.rsplit("/", 1)[1], new=NEW, confirm=NEW)


def test_only_admins_send_reset_links_for_others(session, mail_dir):
    agent = make_user(session, "agent")
    client = make_user(session, "client")
    with pytest.raises(PermissionDenied):
        password_reset.send_reset_link(session=session, actor=agent, user_id=client.id)
