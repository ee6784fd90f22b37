"""Managing a project's mailboxes: add, change, disable, remove, rotate the HTTP secret; who may, and the audit log."""

from __future__ import annotations

import dataclasses
import json
from functools import partial

import pytest
from sqlmodel import Session, select

from tests.factories import add_member, make_project, make_user
from tickit.db import session_scope
from tickit.models import AuditEntry, InboundMessage, Mailbox
from tickit.services import audit, mail_in, mailboxes
from tickit.services.actors import SYSTEM
from tickit.services.errors import NotFound, PermissionDenied, ValidationFailed

PASSWORD = "wombat-imap-password"
IMAP = mailboxes.ImapSettings(
    host="imap.example.com", port=993, tls=True, username="support", password=PASSWORD, folder="INBOX"
)
MAIL = (
    b"From: Quokka Owner <quokka@example.org>\r\nTo: desk@hh.example.com\r\nSubject: Quokka feeder jammed\r\n"
    b"Message-ID: <quokka-1@example.org>\r\n\r\nThe feeder is stuck again.\r\n"
)


@pytest.fixture
def desk(session):
    """HH with one mailbox polled over IMAP; an admin, HH's project admin, and an HH agent."""
    project = make_project(session, "HH")
    admin = make_user(session, "admin")
    lead = make_user(session, "agent", name="Lena Lead")
    add_member(session, project.id, lead, "admin")
    agent = make_user(session, "agent", name="Avi Agent")
    add_member(session, project.id, agent, "agent")
    created = mailboxes.add_mailbox(
        session=session, actor=admin, project_key="HH", key="desk", address="desk@hh.example.com", imap=IMAP
    )
    return {"admin": admin, "lead": lead, "agent": agent, "secret": created.secret}


def update(session, actor, **changes):
    return mailboxes.update_mailbox(session=session, actor=actor, project_key="HH", mailbox_key="desk", changes=changes)


def test_adding_names_each_field_at_fault(session, desk):
    bad_imap = dataclasses.replace(IMAP, host="imaps://x", port=70000, username=" ", password="", folder="")
    with pytest.raises(ValidationFailed) as caught:
        mailboxes.add_mailbox(
            session=session,
            actor=desk["admin"],
            project_key="HH",
            key="Desk!",
            address="desk@hh.example.com",
            type_key="incident",
            imap=bad_imap,
        )
    errors = caught.value.errors
    assert set(errors) == {
        "key",
        "address",
        "type",
        "imap_host",
        "imap_port",
        "imap_username",
        "imap_password",
        "imap_folder",
    }
    assert errors["address"] == "Another mailbox already receives desk@hh.example.com."
    assert "its types are: bug, feature_request, question" in errors["type"]
    assert errors["imap_password"] == "Give the password TickIt logs in with."


def test_a_project_admin_manages_the_projects_mailboxes_and_an_agent_may_not(session, desk):
    lead, agent = desk["lead"], desk["agent"]
    added = mailboxes.add_mailbox(
        session=session, actor=lead, project_key="HH", key="sales", address="sales@hh.example.com", type_key="question"
    )
    assert added.mailbox.type_key == "question"
    update(session, lead, enabled=False)
    mailboxes.remove_mailbox(session=session, actor=lead, project_key="HH", mailbox_key="sales")
    assert [b.key for b in mailboxes.list_mailboxes(session=session, actor=lead, project_key="HH")] == ["desk"]
    for attempt in (
        lambda: mailboxes.list_mailboxes(session=session, actor=agent, project_key="HH"),
        lambda: update(session, agent, enabled=True),
        lambda: mailboxes.rotate_secret(session=session, actor=agent, project_key="HH", mailbox_key="desk"),
        lambda: mailboxes.remove_mailbox(session=session, actor=agent, project_key="HH", mailbox_key="desk"),
        lambda: mailboxes.imap_settings_to_check(session=session, actor=agent, project_key="HH", mailbox_key="desk"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()


def test_another_projects_admin_cannot_reach_this_projects_mailbox(session, desk):
    other = make_project(session, "OT")
    outsider = make_user(session, "agent")
    add_member(session, other.id, outsider, "admin")
    with pytest.raises(PermissionDenied):
        update(session, outsider, enabled=False)
    with pytest.raises(NotFound):
        mailboxes.update_mailbox(
            session=session, actor=outsider, project_key="OT", mailbox_key="desk", changes={"enabled": False}
        )


def test_an_edit_without_a_password_keeps_the_stored_one_and_a_new_one_replaces_it(session, desk):
    edited = dataclasses.replace(IMAP, host="mail.example.com", password="", move_to="Done")
    box = update(session, desk["lead"], imap=edited, address="Help@HH.example.com")
    assert (box.address, box.imap_host, box.imap_move_to) == ("help@hh.example.com", "mail.example.com", "Done")
    row = session.exec(select(Mailbox).where(Mailbox.key == "desk")).one()
    assert row.imap_password == PASSWORD
    update(session, desk["lead"], imap=dataclasses.replace(edited, password="platypus-2"))
    assert row.imap_password == "platypus-2"


def test_turning_imap_on_afresh_needs_a_password_and_off_forgets_it(session, desk):
    update(session, desk["admin"], imap=None)
    row = session.exec(select(Mailbox).where(Mailbox.key == "desk")).one()
    assert (row.imap_host, row.imap_password) == ("", "")
    with pytest.raises(ValidationFailed) as caught:
        update(session, desk["admin"], imap=dataclasses.replace(IMAP, password=""))
    assert set(caught.value.errors) == {"imap_password"}


def test_move_to_may_not_be_the_folder_read(session, desk):
    with pytest.raises(ValidationFailed) as caught:
        update(session, desk["admin"], imap=dataclasses.replace(IMAP, move_to="INBOX"))
    assert set(caught.value.errors) == {"imap_move_to"}


def test_nothing_returned_carries_the_password_or_the_http_secret(session, desk):
    listed = mailboxes.list_mailboxes(session=session, actor=desk["admin"], project_key="HH")
    edited = update(session, desk["admin"], imap=dataclasses.replace(IMAP, password="platypus-2"))
    shown = repr([listed, edited])
    assert PASSWORD not in shown and "platypus-2" not in shown and desk["secret"] not in shown
    assert "password" not in {field.name for field in dataclasses.fields(mailboxes.MailboxPublic)}


def test_each_change_is_audited_without_a_secret(session, desk):
    admin = desk["admin"]
    update(session, admin, imap=dataclasses.replace(IMAP, password="platypus-2"), type_key="question")
    update(session, admin, enabled=False)
    update(session, admin, enabled=True)
    rotated = mailboxes.rotate_secret(session=session, actor=admin, project_key="HH", mailbox_key="desk")
    mailboxes.remove_mailbox(session=session, actor=admin, project_key="HH", mailbox_key="desk")
    entries = [
        e for e in session.exec(select(AuditEntry).order_by(AuditEntry.id)).all() if e.action.startswith("mailbox.")
    ]
    assert [e.action for e in entries] == [
        audit.MAILBOX_ADDED,
        audit.MAILBOX_CHANGED,
        audit.MAILBOX_DISABLED,
        audit.MAILBOX_ENABLED,
        audit.MAILBOX_SECRET_ROTATED,
        audit.MAILBOX_REMOVED,
    ]
    changed = entries[1]
    assert changed.before == {"type": "bug", "imap_password": "(kept)"}
    assert changed.after == {"type": "question", "imap_password": "(changed)"}
    assert all(e.target == "HH · desk@hh.example.com" and e.actor_id == admin.id for e in entries)
    logged = json.dumps([[e.before, e.after] for e in entries])
    for secret in (PASSWORD, "platypus-2", desk["secret"], rotated.secret):
        assert secret not in logged


def test_an_edit_that_changes_nothing_writes_no_entry(session, desk):
    update(session, desk["admin"], address="desk@hh.example.com", imap=dataclasses.replace(IMAP, password=""))
    actions = session.exec(select(AuditEntry.action)).all()
    assert audit.MAILBOX_CHANGED not in actions


def test_a_rotated_secret_replaces_the_old_one_at_once(session, desk):
    rotated = mailboxes.rotate_secret(session=session, actor=desk["lead"], project_key="HH", mailbox_key="desk")
    assert mailboxes.check_secret(session, "desk", rotated.secret).key == "desk"
    with pytest.raises(Exception, match="wrong secret"):
        mailboxes.check_secret(session, "desk", desk["secret"])


def test_a_mailbox_that_received_mail_is_kept_and_says_why(engine, session, desk, settings_env):
    session.commit()
    mail_in.receive(unit_of_work=partial(session_scope, engine), mailbox_key="desk", raw=MAIL, channel="pipe")
    with Session(engine) as fresh:
        [box] = mailboxes.list_mailboxes(session=fresh, actor=desk["admin"], project_key="HH")
        assert (box.received, box.removable) == (1, False)
        assert "has received one mail" in box.not_removable_because
        with pytest.raises(ValidationFailed) as caught:
            mailboxes.remove_mailbox(session=fresh, actor=desk["admin"], project_key="HH", mailbox_key="desk")
        assert "Disable it instead" in caught.value.errors["mailbox"]


def test_a_disabled_mailbox_takes_no_mail_so_the_sender_retries(engine, session, desk, settings_env):
    update(session, desk["admin"], enabled=False)
    session.commit()
    with pytest.raises(mailboxes.MailboxDisabled, match="disabled"):
        mail_in.receive(unit_of_work=partial(session_scope, engine), mailbox_key="desk", raw=MAIL, channel="http")
    with Session(engine) as fresh:
        assert fresh.exec(select(InboundMessage)).all() == []


def test_the_command_line_adds_through_the_same_rules(session, desk):
    with pytest.raises(ValidationFailed) as caught:
        mailboxes.add_mailbox(
            session=session,
            actor=SYSTEM,
            project_key="HH",
            key="more",
            address="more@hh.example.com",
            imap=mailboxes.parse_imap_url("imaps://support:pw@imap.example.com/INBOX", move_to="INBOX"),
        )
    assert set(caught.value.errors) == {"imap_move_to"}
