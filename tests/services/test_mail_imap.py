"""Polling a mailbox over IMAP, against a real Dovecot started for each test (tests/imap_server.py)."""

from __future__ import annotations

import ssl
from functools import partial
from pathlib import Path

import pytest
from imapclient import IMAPClient
from sqlmodel import Session, select

from tests.factories import make_project
from tests.imap_server import DovecotServer, available
from tickit.db import session_scope
from tickit.models import InboundMessage, Mailbox, Ticket
from tickit.services import mail_imap, mailboxes
from tickit.services.actors import SYSTEM

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mail"
PASSWORD = "correct horse imap"

pytestmark = pytest.mark.skipif(not available(), reason="Dovecot is not installed (scripts/test installs it)")


@pytest.fixture
def imap():
    server = DovecotServer({"support": PASSWORD})
    server.start()
    yield server
    server.stop()


def add_mailbox(engine, imap, *, password: str = PASSWORD, move_to: str = "") -> None:
    settings = mailboxes.ImapSettings(
        host=imap.host, port=imap.port, tls=True, username="support", password=password, folder="INBOX", move_to=move_to
    )
    with Session(engine) as session:
        make_project(session, "HH")
        mailboxes.add_mailbox(
            session=session,
            actor=SYSTEM,
            project_key="HH",
            key="support",
            address="support@help.example.com",
            imap=settings,
        )
        session.commit()


def deliver(imap, *names: str) -> IMAPClient:
    client = IMAPClient(imap.host, port=imap.port, ssl=True, ssl_context=imap.ssl_context)
    client.login("support", PASSWORD)
    for name in names:
        client.append("INBOX", (FIXTURES / name).read_bytes())
    return client


def poll(engine, imap) -> mail_imap.PollReport:
    return mail_imap.poll(
        unit_of_work=partial(session_scope, engine), mailbox_key="support", ssl_context=imap.ssl_context
    )


def mailbox(engine) -> Mailbox:
    with Session(engine) as session:
        return session.exec(select(Mailbox)).one()


def test_new_mail_becomes_a_ticket_and_is_left_unread(engine, settings_env, imap):
    add_mailbox(engine, imap)
    client = deliver(imap, "new_with_files.eml")

    report = poll(engine, imap)

    assert (report.taken, report.error) == (1, "")
    with Session(engine) as session:
        [ticket] = session.exec(select(Ticket)).all()
        assert ticket.title == "Printer on fire" and ticket.source == "email"
        assert session.exec(select(InboundMessage.channel)).one() == "imap"
    client.select_folder("INBOX")
    [(uid, flags)] = client.get_flags(client.search(["ALL"])).items()
    assert b"\\Seen" not in flags
    box = mailbox(engine)
    assert (box.imap_last_uid, box.last_error) == (uid, "") and box.last_poll_at is not None


def test_a_second_poll_takes_only_new_mail_and_the_same_mail_fetched_twice_makes_nothing_twice(
    engine, settings_env, imap
):
    add_mailbox(engine, imap)
    deliver(imap, "new_with_files.eml")
    poll(engine, imap)

    assert poll(engine, imap).taken == 0
    # The same message again under a new UID (a client copied it back, a server redelivered it).
    deliver(imap, "new_with_files.eml", "no_message_id.eml")
    assert poll(engine, imap).taken == 2

    with Session(engine) as session:
        assert sorted(t.title for t in session.exec(select(Ticket)).all()) == ["No id on this one", "Printer on fire"]
        assert len(session.exec(select(InboundMessage)).all()) == 2


def test_processed_mail_moves_to_the_chosen_folder(engine, settings_env, imap):
    add_mailbox(engine, imap, move_to="Processed")
    client = deliver(imap, "no_message_id.eml")

    assert poll(engine, imap).taken == 1

    client.select_folder("INBOX")
    assert client.search(["ALL"]) == []
    client.select_folder("Processed")
    assert len(client.search(["ALL"])) == 1


def test_a_wrong_password_is_reported_plainly_on_the_mailbox(engine, settings_env, imap):
    add_mailbox(engine, imap, password="not the password")

    report = poll(engine, imap)

    assert report.taken == 0
    assert report.error.startswith(f"The IMAP server {imap.host} refused the user name or password of support")
    assert mailbox(engine).last_error == report.error


def test_a_server_that_is_not_there_is_reported_plainly(engine, settings_env, imap):
    add_mailbox(engine, imap)
    context = imap.ssl_context
    imap.stop()

    report = mail_imap.poll(unit_of_work=partial(session_scope, engine), mailbox_key="support", ssl_context=context)

    assert report.error.startswith(f"Cannot reach the IMAP server {imap.host}:{imap.port}")


def check(engine, imap, **options) -> mail_imap.ConnectionCheck:
    return mail_imap.check_connection(
        unit_of_work=partial(session_scope, engine),
        actor=SYSTEM,
        project_key="HH",
        mailbox_key="support",
        ssl_context=options["ssl_context"] if "ssl_context" in options else imap.ssl_context,
    )


def test_check_connection_logs_in_and_counts_the_folder_without_touching_the_poll_record(engine, imap):
    add_mailbox(engine, imap, move_to="Processed")
    deliver(imap, "html_script.eml").logout()
    result = check(engine, imap)
    assert result == mail_imap.ConnectionCheck(True, f"Logged in to {imap.host} as support; INBOX holds 1 message.")
    with Session(engine) as session:
        mailbox = session.exec(select(Mailbox)).one()
        assert (mailbox.last_poll_at, mailbox.imap_last_uid) == (None, 0)


def test_check_connection_says_plainly_what_is_wrong(engine, imap):
    add_mailbox(engine, imap, password="not the password", move_to="Archive")
    assert "refused the user name or password of support" in check(engine, imap).message
    assert "certificate is not trusted" in check(engine, imap, ssl_context=ssl.create_default_context()).message
    with Session(engine) as session:
        mailboxes.update_mailbox(
            session=session,
            actor=SYSTEM,
            project_key="HH",
            mailbox_key="support",
            changes={
                "imap": mailboxes.ImapSettings(imap.host, imap.port, True, "support", PASSWORD, "INBOX", "Archive")
            },
        )
        session.commit()
    result = check(engine, imap)
    assert not result.ok and "no folder 'Archive' to move processed mail to" in result.message
    trusting = imap.ssl_context
    imap.stop()
    unreachable = check(engine, imap, ssl_context=trusting).message
    assert unreachable.startswith(f"Cannot reach the IMAP server {imap.host}:{imap.port}: ")


def test_a_disabled_mailbox_is_not_polled(engine, imap):
    add_mailbox(engine, imap)
    deliver(imap, "html_script.eml").logout()
    with Session(engine) as session:
        mailboxes.update_mailbox(
            session=session, actor=SYSTEM, project_key="HH", mailbox_key="support", changes={"enabled": False}
        )
        session.commit()

    reports = mail_imap.poll_all(unit_of_work=partial(session_scope, engine), ssl_context=imap.ssl_context)

    assert reports == []
    assert mailbox(engine).last_poll_at is None
