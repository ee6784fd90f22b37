"""`tickit mailbox add/list/disable/enable` and `tickit mail receive`: mailboxes, and the mail-transport pipe.

`tickit mail receive --mailbox KEY` is for a Postfix `pipe` transport or procmail, as
`rt-mailgate` is: it reads one message on standard input and exits with a sysexits code the mail
server understands: 0 once the mail is stored (whatever became of it), 75 (EX_TEMPFAIL) when
the database cannot be reached or the mailbox is disabled, so the server keeps the mail and
tries again, 78 (EX_CONFIG) for
a mailbox key that does not exist (also retried, until an admin fixes the transport), and 65
(EX_DATAERR) for input that can never be a mail, which the server bounces.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import DBAPIError

from tickit.db import session_scope
from tickit.services import mail_in, mailboxes
from tickit.services.actors import SYSTEM
from tickit.services.errors import NotFound

EX_OK = 0
EX_DATAERR = 65
EX_TEMPFAIL = 75
EX_CONFIG = 78


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `mailbox` and `mail` to the `tickit` parser."""
    mailbox = subparsers.add_parser("mailbox", help="add and list the mailboxes mail reaches a project at")
    actions = mailbox.add_subparsers(dest="mailbox_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a mailbox; its HTTP secret is printed once, on the last line")
    add.add_argument("--project", required=True, metavar="KEY")
    add.add_argument("--key", required=True, metavar="KEY", help="the mailbox's name in the pipe and the HTTP path")
    add.add_argument("--address", required=True, metavar="ADDRESS", help="the address people write to")
    add.add_argument("--type", metavar="TYPE_KEY", help="the ticket type of new tickets (default: the project's first)")
    add.add_argument(
        "--imap-url", metavar="URL", help="poll this server every minute: imaps://user:password@host:993/INBOX"
    )
    add.add_argument("--imap-move-to", metavar="FOLDER", default="", help="move processed mail to this folder")
    add.set_defaults(handler=add_command)
    for verb, what in (("disable", "stop taking mail (senders' servers keep it)"), ("enable", "take mail again")):
        switch = actions.add_parser(verb, help=f"{what}")
        switch.add_argument("--project", required=True, metavar="KEY")
        switch.add_argument("--key", required=True, metavar="KEY", help="the mailbox's key")
        switch.set_defaults(handler=switch_command, enabled=verb == "enable")
    listing = actions.add_parser("list", help="list a project's mailboxes")
    listing.add_argument("--project", required=True, metavar="KEY")
    listing.set_defaults(handler=list_command)

    mail = subparsers.add_parser("mail", help="take in mail")
    mail_actions = mail.add_subparsers(dest="mail_command", required=True, metavar="ACTION")
    receive = mail_actions.add_parser(
        "receive", help="read one message on standard input (for a Postfix pipe transport or procmail)"
    )
    receive.add_argument("--mailbox", required=True, metavar="KEY")
    receive.set_defaults(handler=receive_command)


def add_command(args: argparse.Namespace) -> int:
    imap = mailboxes.parse_imap_url(args.imap_url, move_to=args.imap_move_to) if args.imap_url else None
    with session_scope() as session:
        created = mailboxes.add_mailbox(
            session=session,
            actor=SYSTEM,
            project_key=args.project,
            key=args.key,
            address=args.address,
            type_key=args.type,
            imap=imap,
        )
    box = created.mailbox
    print(f"Added mailbox {box.key} <{box.address}> to {args.project.upper()}; new tickets are {box.type_name}.")
    print(f"Pipe: tickit mail receive --mailbox {box.key}")
    print(f"HTTP: POST /inbound/email/{box.key} with the message as message/rfc822 and this secret as a Bearer token;")
    print("it is shown only now:")
    print(created.secret)
    return 0


def switch_command(args: argparse.Namespace) -> int:
    with session_scope() as session:
        box = mailboxes.update_mailbox(
            session=session,
            actor=SYSTEM,
            project_key=args.project,
            mailbox_key=args.key,
            changes={"enabled": args.enabled},
        )
    state = "enabled: it takes mail" if box.enabled else "disabled: senders' servers keep its mail until it is enabled"
    print(f"Mailbox {box.key} <{box.address}> is {state}.")
    return 0


def list_command(args: argparse.Namespace) -> int:
    with session_scope() as session:
        boxes = mailboxes.list_mailboxes(session=session, actor=SYSTEM, project_key=args.project)
    if not boxes:
        print(f"{args.project.upper()} has no mailboxes.")
    for box in boxes:
        polled = f"last poll {box.last_poll_at:%Y-%m-%d %H:%M} UTC" if box.last_poll_at else "never polled"
        how = f"IMAP {box.imap}, {polled}" if box.imap else "pipe/HTTP only"
        error = f"\terror: {box.last_error}" if box.last_error else ""
        disabled = "\tdisabled: takes no mail" if not box.enabled else ""
        print(f"{box.key}\t{box.address}\t{box.type_key}\t{how}{disabled}{error}")
    return 0


def receive_command(args: argparse.Namespace) -> int:
    from tickit import tasks  # noqa: F401  the outbox hands the acknowledgement and notifications to the queue

    raw = sys.stdin.buffer.read(mail_in.MAX_RAW_BYTES + 1)
    try:
        result = mail_in.receive(unit_of_work=session_scope, mailbox_key=args.mailbox, raw=raw, channel="pipe")
    except mail_in.Unreadable as exc:
        print(f"tickit: refused: {exc}", file=sys.stderr)
        return EX_DATAERR
    except NotFound as exc:
        print(f"tickit: {exc} The mail server keeps the message and tries again.", file=sys.stderr)
        return EX_CONFIG
    except mailboxes.MailboxDisabled as exc:
        print(f"tickit: {exc} The mail server keeps the message and tries again.", file=sys.stderr)
        return EX_TEMPFAIL
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        print(f"tickit: the database cannot be reached ({reason}); try again later.", file=sys.stderr)
        return EX_TEMPFAIL
    again = " (received before)" if result.duplicate else ""
    print(f"Stored mail {result.id}{again}: {result.outcome}. {result.detail}".strip())
    return EX_OK
