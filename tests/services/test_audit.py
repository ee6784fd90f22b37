"""The audit log records who did what to accounts, memberships and API clients, from where and when."""

from datetime import timedelta

import pytest

from tests.factories import PASSWORD, make_project, make_user
from tickit.models import utcnow
from tickit.services import (
    api_clients,
    assignment_admin,
    audit,
    auth,
    intake_policy,
    invitations,
    lifecycle,
    mailboxes,
    password_reset,
    projects,
    sla_admin,
    user_sessions,
    users,
)
from tickit.services.actors import SYSTEM
from tickit.services.errors import PermissionDenied, ValidationFailed


def _log(session, **filters):
    return audit.entries(session=session, actor=SYSTEM, **filters)


def test_sign_ins_and_failures_are_recorded_with_the_address(engine, session):
    user = make_user(session, "agent", email="ada@example.com", name="Ada")
    session.commit()
    auth.sign_in_with_password(engine=engine, email="ada@example.com", password=PASSWORD, ip="10.1.2.3")
    with pytest.raises(auth.SignInFailed):
        auth.sign_in_with_password(engine=engine, email="ada@example.com", password="not it at all", ip="10.9.9.9")
    with pytest.raises(auth.SignInFailed):
        auth.sign_in_with_password(engine=engine, email="ghost@example.com", password="whatever it is", ip="10.9.9.9")
    failed, failed_known, signed_in = _log(session, action="sign_in")[:3]
    assert (signed_in.action, signed_in.actor, signed_in.address) == ("sign_in", f"Ada <{user.email}>", "10.1.2.3")
    assert (failed_known.action, failed_known.target, failed_known.actor) == (
        "sign_in.failed",
        "ada@example.com",
        audit.ANONYMOUS,
    )
    assert failed.target == "ghost@example.com" and failed.address == "10.9.9.9"
    assert all(PASSWORD not in str(e) and "not it at all" not in str(e) for e in _log(session))


def test_account_changes_are_recorded_with_before_and_after(session):
    admin = make_user(session, "admin", name="Root")
    with audit.from_address("192.0.2.7"):
        created = users.create_user(
            session=session, actor=admin, email="new@example.com", name="New", role="client", password=PASSWORD
        )
        users.change_role(session=session, actor=admin, user_id=created.user.id, role="agent")
        users.set_active(session=session, actor=admin, user_id=created.user.id, active=False)
    deactivated, role_changed, user_created = _log(session, action="user")[:3]
    assert (user_created.action, user_created.target, user_created.after) == (
        "user.created",
        "new@example.com",
        {"name": "New", "role": "client"},
    )
    assert (role_changed.before, role_changed.after) == ({"role": "client"}, {"role": "agent"})
    assert (deactivated.action, deactivated.actor, deactivated.address) == (
        "user.deactivated",
        f"Root <{admin.email}>",
        "192.0.2.7",
    )


def test_invitations_resets_sessions_api_clients_and_memberships_are_recorded(session):
    admin = make_user(session, "admin")
    agent = make_user(session, "agent", email="agnes@example.com")
    project = make_project(session, "AU")
    invitations.invite(session=session, actor=admin, email="inv@example.com", role="client", project_ids=[project.id])
    password_reset.send_reset_link(session=session, actor=admin, user_id=agent.id)
    here = auth.start_session(session=session, user_id=agent.id)
    auth.start_session(session=session, user_id=agent.id)
    user_sessions.end_other_sessions(session=session, actor=agent, keep_token=here)
    client = api_clients.create_api_client(session=session, actor=admin, project_key="AU", name="Shop")
    api_clients.revoke_api_client(session=session, actor=admin, project_key="AU", client_id=client.client.id)
    projects.add_member(session=session, actor=admin, project_key="AU", email="agnes@example.com", project_role="agent")
    projects.remove_member(session=session, actor=admin, project_key="AU", user_id=agent.id)
    actions = [entry.action for entry in _log(session)]
    for action in (
        "user.invited",
        "password.reset_link_sent",
        "session.revoked",
        "api_client.created",
        "api_client.revoked",
        "project.member_added",
        "project.member_removed",
    ):
        assert action in actions
    [created] = _log(session, action="api_client.created")
    assert created.target == "AU · Shop" and client.token not in str(created)


def test_the_log_filters_by_period_action_and_words(session, monkeypatch):
    admin = make_user(session, "admin")
    users.create_user(session=session, actor=admin, email="old@example.com", name="Old", role="client")
    later = utcnow() + timedelta(days=10)
    monkeypatch.setattr(audit, "utcnow", lambda: later)
    assert _log(session, since=audit.parse_since("7d")) == []
    assert len(_log(session, since=audit.parse_since("2w"), text="OLD@")) == 1
    assert _log(session, action="api_client") == []


@pytest.mark.parametrize("text", ["7", "d7", "7y", "", "999999d"])
def test_a_period_is_a_number_and_a_unit(text):
    with pytest.raises(ValidationFailed) as caught:
        audit.parse_since(text)
    assert "since" in caught.value.errors


def test_only_admins_read_the_log(session):
    with pytest.raises(PermissionDenied):
        audit.entries(session=session, actor=make_user(session, "agent"))


SLA_TEXT = """sla:
  policies:
    - name: Quick
      targets:
        urgent: {first_response: 1h, resolution: 4h}
"""


def test_project_settings_edits_are_recorded_with_what_changed(session):
    admin = make_user(session, "admin", name="Root")
    agent = make_user(session, "agent", email="agnes@example.com")
    project = make_project(session, "PS")
    projects.add_member(session=session, actor=admin, project_key="PS", email=agent.email, project_role="agent")
    with audit.from_address("192.0.2.9"):
        assignment_admin.set_rule(session=session, actor=admin, project_key="PS", changes={"strategy": "round-robin"})
        assignment_admin.set_agent(
            session=session, actor=admin, project_key="PS", user_id=agent.id, changes={"capacity": 5}
        )
        lifecycle.update_settings(
            session=session,
            actor=admin,
            project_key="PS",
            settings=lifecycle.LifecycleSettings(auto_close_days=3),
        )
        intake_policy.update_intake(session=session, actor=admin, project_key="PS", changes={"tickets_per_hour": 9})
        sla_admin.save(session=session, actor=admin, project_key="PS", text=SLA_TEXT, now=utcnow())
        mailboxes.add_mailbox(
            session=session, actor=admin, project_key="PS", key="ps-help", address="help@ps.example.com"
        )
    [agent_edit, rule_edit] = _log(session, action="assignment")
    assert (rule_edit.target, rule_edit.before, rule_edit.after) == (
        "PS",
        {"strategy": "off"},
        {"strategy": "round-robin"},
    )
    assert (agent_edit.target, agent_edit.before, agent_edit.after) == (
        "PS · agnes@example.com",
        {"capacity": None},
        {"capacity": 5},
    )
    [lifecycle_edit] = _log(session, action="lifecycle")
    assert (lifecycle_edit.before, lifecycle_edit.after) == ({"auto_close_days": 7}, {"auto_close_days": 3})
    intake_edit = _log(session, action="intake")[0]
    assert (intake_edit.before, intake_edit.after) == ({"tickets_per_hour": 0}, {"tickets_per_hour": 9})
    [sla_edit] = _log(session, action="sla")
    assert "urgent 2" not in sla_edit.after["sla"] and "name: Quick" in sla_edit.after["sla"]
    assert "name: Quick" not in sla_edit.before["sla"]
    [mailbox] = _log(session, action="mailbox")
    assert (mailbox.target, mailbox.after["key"], mailbox.address) == (
        "PS · help@ps.example.com",
        "ps-help",
        "192.0.2.9",
    )
    assert project.key == "PS"


def test_saving_settings_unchanged_records_nothing(session):
    admin = make_user(session, "admin")
    make_project(session, "PN")
    before = len(_log(session))
    assignment_admin.set_rule(session=session, actor=admin, project_key="PN", changes={"strategy": "off"})
    lifecycle.update_settings(session=session, actor=admin, project_key="PN", settings=lifecycle.LifecycleSettings())
    assert len(_log(session)) == before
