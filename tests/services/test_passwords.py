"""Password rules (ASVS level 2): length 12 to at least 64, no breached password, no composition rules."""

import pytest

from tests.factories import make_user
from tickit.services import passwords, users
from tickit.services.actors import SYSTEM
from tickit.services.errors import ValidationFailed


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("elevenchars", passwords.PASSWORD_TOO_SHORT),
        ("x" * 129, passwords.PASSWORD_TOO_LONG),
        ("password1234", passwords.PASSWORD_BREACHED),
        ("iloveyou12345", passwords.PASSWORD_BREACHED),
        ("ILOVEYOU12345", passwords.PASSWORD_BREACHED),  # a listed password in capitals is no better
        ("correcthorsebatterystaple", passwords.PASSWORD_BREACHED),
    ],
)
def test_short_overlong_and_breached_passwords_are_refused_in_words(password, problem):
    assert passwords.password_problem(password) == problem


@pytest.mark.parametrize(
    "password",
    [
        "twelve chars",  # exactly twelve, lower case and a space: no composition rules
        "lamp orbit velvet crumble",
        "ž" * 64,  # 64 characters are always allowed, whatever they are
        "p" + "q" * 127,
    ],
)
def test_long_unlisted_passwords_of_any_composition_are_accepted(password):
    assert passwords.password_problem(password) is None


def test_every_way_of_setting_a_password_applies_the_rules(session):
    with pytest.raises(ValidationFailed) as created:
        users.create_user(
            session=session, actor=SYSTEM, email="a@example.com", name="A", role="client", password="password1234"
        )
    assert created.value.errors["password"] == passwords.PASSWORD_BREACHED
    user = make_user(session, "agent")
    with pytest.raises(ValidationFailed) as changed:
        users.change_password(
            session=session, actor=user, current="correct horse battery", new="qwertyuiopasdf", confirm="qwertyuiopasdf"
        )
    assert changed.value.errors["new"] == passwords.PASSWORD_BREACHED
    with pytest.raises(ValidationFailed) as operator:
        users.set_password_by_operator(session=session, actor=SYSTEM, email=user.email, new="short", confirm="short")
    assert operator.value.errors["new"] == passwords.PASSWORD_TOO_SHORT
