"""Creating and administering accounts."""

import json

import pytest
from sqlmodel import select

from tests.factories import PASSWORD, make_user
from tickit.models import OutboxMessage, User, UserSession
from tickit.services import auth, users
from tickit.services.actors import SYSTEM
from tickit.services.errors import PermissionDenied, ValidationFailed


def test_create_user_generates_a_password_that_signs_in(engine, session):
    created = users.create_user(session=session, actor=SYSTEM, email="Ada@Example.com ", name="Ada", role="agent")
    assert created.user.email == "ada@example.com"
    assert created.generated_password and len(created.generated_password) >= 20
    session.commit()
    signed_in = auth.sign_in_with_password(
        engine=engine, email="ada@example.com", password=created.generated_password, ip="1.2.3.4"
    )
    assert signed_in.id == created.user.id


def test_password_is_stored_as_argon2_hash_only(session):
    users.create_user(
        session=session, actor=SYSTEM, email="a@example.com", name="A", role="client", password="a-long-password"
    )
    stored = session.exec(select(User)).one()
    assert stored.password_hash.startswith("$argon2id$")
    assert "a-long-password" not in stored.password_hash


def test_create_user_stages_a_welcome_mail_in_the_same_transaction(session):
    created = users.create_user(session=session, actor=SYSTEM, email="new@example.com", name="New", role="client")
    message = session.exec(select(OutboxMessage)).one()
    assert (message.event, message.channel, message.recipient_user_id) == ("welcome", "mail", created.user.id)
    # The password is shown once to whoever created the account; it is never stored or mailed.
    assert created.generated_password not in json.dumps(message.payload)


def test_duplicate_email_is_refused_naming_the_email(session):
    make_user(session, email="taken@example.com")
    with pytest.raises(ValidationFailed) as caught:
        users.create_user(session=session, actor=SYSTEM, email="TAKEN@example.com", name="Other", role="client")
    assert "already exists" in caught.value.errors["email"]


@pytest.mark.parametrize(
    ("email", "name", "role", "password", "field"),
    [
        ("not-an-email", "X", "client", None, "email"),
        ("x@example.com", "  ", "client", None, "name"),
        ("x@example.com", "X", "superuser", None, "role"),
        ("x@example.com", "X", "client", "short", "password"),
    ],
)
def test_bad_input_is_refused_per_field_and_creates_nothing(session, email, name, role, password, field):
    with pytest.raises(ValidationFailed) as caught:
        users.create_user(session=session, actor=SYSTEM, email=email, name=name, role=role, password=password)
    assert field in caught.value.errors
    assert session.exec(select(User)).all() == []


def test_only_admins_create_accounts(session):
    agent = make_user(session, "agent")
    with pytest.raises(PermissionDenied):
        users.create_user(session=session, actor=agent, email="x@example.com", name="X", role="client")


def test_deactivating_a_user_ends_their_sessions(session):
    admin = make_user(session, "admin")
    client = make_user(session, "client")
    token = auth.start_session(session=session, user_id=client.id)
    assert auth.resolve_session(session=session, token=token).id == client.id
    users.set_active(session=session, actor=admin, user_id=client.id, active=False)
    assert auth.resolve_session(session=session, token=token) is None
    assert session.exec(select(UserSession).where(UserSession.user_id == client.id)).all() == []


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(session):
    admin = make_user(session, "admin")
    with pytest.raises(ValidationFailed):
        users.change_role(session=session, actor=SYSTEM, user_id=admin.id, role="agent")
    with pytest.raises(ValidationFailed):
        users.set_active(session=session, actor=SYSTEM, user_id=admin.id, active=False)


def test_admin_cannot_deactivate_themselves(session):
    admin = make_user(session, "admin")
    make_user(session, "admin")
    with pytest.raises(ValidationFailed):
        users.set_active(session=session, actor=admin, user_id=admin.id, active=False)


def test_change_role(session):
    admin = make_user(session, "admin")
    client = make_user(session, "client")
    assert users.change_role(session=session, actor=admin, user_id=client.id, role="agent").role == "agent"


def test_first_admin_is_created_only_on_an_empty_database(session):
    first = users.ensure_first_admin(session=session, email="boss@example.com")
    assert first.user.role == "admin" and first.generated_password
    assert users.ensure_first_admin(session=session, email="boss@example.com") is None


def test_nobody_signed_in_is_never_taken_for_the_system(session):
    # A web event from a browser without a session resolves to no actor; it must not pass as the CLI.
    with pytest.raises(PermissionDenied):
        users.create_user(session=session, actor=None, email="x@example.com", name="X", role="admin")
    with pytest.raises(PermissionDenied):
        users.list_users(session=session, actor=None)


def test_change_password_needs_the_current_one_and_then_signs_in_with_the_new(engine, session):
    user = make_user(session, email="ada@example.com")
    with pytest.raises(ValidationFailed) as caught:
        users.change_password(
            session=session, actor=user, current="wrong", new="a-new-password", confirm="a-new-password"
        )
    assert set(caught.value.errors) == {"current"}
    users.change_password(session=session, actor=user, current=PASSWORD, new="a-new-password", confirm="a-new-password")
    session.commit()
    assert (
        auth.sign_in_with_password(engine=engine, email="ada@example.com", password="a-new-password", ip="x").id
        == user.id
    )


@pytest.mark.parametrize(
    ("new", "confirm", "field"), [("short", "short", "new"), ("a-new-password", "a-different-one", "confirm")]
)
def test_change_password_refuses_a_short_or_mismatched_new_password(session, new, confirm, field):
    user = make_user(session)
    with pytest.raises(ValidationFailed) as caught:
        users.change_password(session=session, actor=user, current=PASSWORD, new=new, confirm=confirm)
    assert set(caught.value.errors) == {field}


def test_a_google_only_user_sets_a_first_password_without_a_current_one(engine, session, settings_env):
    settings_env(TICKIT_SELF_SIGNUP_DOMAINS="example.com")
    user = auth.sign_in_with_google(session=session, subject="g", email="g@example.com", email_verified=True, name="G")
    users.change_password(session=session, actor=user, current="", new="first-password", confirm="first-password")
    session.commit()
    assert auth.sign_in_with_password(engine=engine, email="g@example.com", password="first-password", ip="x")


def test_rename_refuses_an_empty_name(session):
    user = make_user(session)
    assert users.rename(session=session, actor=user, name="  Ada L.  ").name == "Ada L."
    with pytest.raises(ValidationFailed):
        users.rename(session=session, actor=user, name=" ")


def test_notification_choices_change_only_the_signed_in_users_own(session):
    user, other = make_user(session, "agent"), make_user(session, "agent")
    everything = users.NotificationChoices(by_mail=True, by_push=True)
    assert users.notification_choices(session=session, actor=user) == everything

    assert users.set_notification_choices(session=session, actor=user, by_push=False) == users.NotificationChoices(
        by_mail=True, by_push=False
    )
    users.set_notification_choices(session=session, actor=user, by_mail=False)

    assert users.notification_choices(session=session, actor=user) == users.NotificationChoices(False, False)
    assert users.notification_choices(session=session, actor=other) == everything


def test_notification_choices_must_be_on_or_off(session):
    user = make_user(session, "agent")
    with pytest.raises(ValidationFailed) as failure:
        users.set_notification_choices(session=session, actor=user, by_mail="yes")
    assert failure.value.errors == {"by_mail": "Choose on or off."}
