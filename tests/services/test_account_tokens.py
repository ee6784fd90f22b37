"""The one table of mailed single-use links: hashed, single use, expiry at the moment of use, purpose-bound."""

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.factories import make_user
from tickit.models import AccountToken, TokenPurpose, utcnow
from tickit.services import account_tokens, users
from tickit.services.account_tokens import LinkGone


@pytest.fixture
def owner(session):
    return make_user(session, "client", email="owner@example.com")


def _issue(session, owner, purpose=TokenPurpose.RESET):
    token, _ = account_tokens.issue(session=session, purpose=purpose, email=owner.email, user_id=owner.id)
    session.commit()
    return token


def test_only_the_tokens_hash_is_stored(session, owner):
    token = _issue(session, owner)
    stored = session.exec(select(AccountToken)).one()
    assert stored.token_hash == account_tokens.token_hash(token) and token not in stored.token_hash


def test_a_token_works_once(session, owner):
    token = _issue(session, owner)
    assert account_tokens.consume(session=session, token=token, purpose=TokenPurpose.RESET).user_id == owner.id
    session.commit()
    with pytest.raises(LinkGone):
        account_tokens.consume(session=session, token=token, purpose=TokenPurpose.RESET)


def test_opening_a_link_does_not_use_it(session, owner):
    token = _issue(session, owner)
    for _ in range(3):
        assert account_tokens.peek(session=session, token=token, purpose=TokenPurpose.RESET).email == owner.email
    assert account_tokens.consume(session=session, token=token, purpose=TokenPurpose.RESET)


def test_expiry_is_judged_at_the_moment_of_use(session, owner, monkeypatch):
    token = _issue(session, owner)
    # Shown while still valid, submitted after the hour has run out.
    account_tokens.peek(session=session, token=token, purpose=TokenPurpose.RESET)
    later = utcnow() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(account_tokens, "utcnow", lambda: later)
    with pytest.raises(LinkGone):
        account_tokens.consume(session=session, token=token, purpose=TokenPurpose.RESET)
    with pytest.raises(LinkGone):
        account_tokens.peek(session=session, token=token, purpose=TokenPurpose.RESET)


def test_each_purpose_has_its_lifetime(session, owner):
    for purpose, lifetime in ((TokenPurpose.RESET, timedelta(hours=1)), (TokenPurpose.INVITATION, timedelta(days=7))):
        before = utcnow()
        _, row = account_tokens.issue(session=session, purpose=purpose, email=owner.email, user_id=owner.id)
        assert before + lifetime <= row.expires_at <= utcnow() + lifetime


def test_a_token_for_one_purpose_opens_nothing_else(session, owner):
    token = _issue(session, owner, TokenPurpose.VERIFY_EMAIL)
    for other in (TokenPurpose.RESET, TokenPurpose.INVITATION, TokenPurpose.EMAIL_CHANGE):
        with pytest.raises(LinkGone):
            account_tokens.consume(session=session, token=token, purpose=other)
    assert account_tokens.consume(session=session, token=token, purpose=TokenPurpose.VERIFY_EMAIL)


def test_an_unknown_token_opens_nothing(session, owner):
    _issue(session, owner)
    with pytest.raises(LinkGone):
        account_tokens.peek(session=session, token="made-up", purpose=TokenPurpose.RESET)


def test_a_password_change_ends_every_unused_link_of_the_account(session, owner):
    reset = _issue(session, owner, TokenPurpose.RESET)
    verify = _issue(session, owner, TokenPurpose.EMAIL_CHANGE)
    other = make_user(session, "client", email="other@example.com")
    others = _issue(session, other, TokenPurpose.RESET)
    users.change_password(
        session=session,
        actor=owner,
        current="correct horse battery",
        new="a fresh long phrase",
        confirm="a fresh long phrase",
    )
    session.commit()
    for token, purpose in ((reset, TokenPurpose.RESET), (verify, TokenPurpose.EMAIL_CHANGE)):
        with pytest.raises(LinkGone):
            account_tokens.consume(session=session, token=token, purpose=purpose)
    assert account_tokens.consume(session=session, token=others, purpose=TokenPurpose.RESET)


def test_two_submits_of_one_link_in_separate_transactions_use_it_once(engine, owner, session):
    from sqlmodel import Session

    token = _issue(session, owner)
    outcomes = []
    with Session(engine) as first, Session(engine) as second:
        for tx in (first, second):
            try:
                account_tokens.consume(session=tx, token=token, purpose=TokenPurpose.RESET)
                tx.commit()
                outcomes.append("used")
            except LinkGone:
                tx.rollback()
                outcomes.append("gone")
    assert outcomes == ["used", "gone"]
