"""`tickit user create|list|role|deactivate|activate|reset-password|set-password`."""

from __future__ import annotations

import getpass

from tickit.db import session_scope
from tickit.services import password_reset, users
from tickit.services.actors import SYSTEM
from tickit.services.errors import ValidationFailed


def register(subparsers) -> None:
    user = subparsers.add_parser("user", help="user accounts")
    actions = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="create an account")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, help="client, agent or admin")
    create.add_argument(
        "--password", help="at least 12 characters, not a leaked one; generated and printed when left out"
    )
    create.set_defaults(handler=_create)

    listing = actions.add_parser("list", help="list accounts")
    listing.set_defaults(handler=_list)

    role = actions.add_parser("role", help="change an account's role")
    role.add_argument("email")
    role.add_argument("role", help="client, agent or admin")
    role.set_defaults(handler=_role)

    for name, active in (("deactivate", False), ("activate", True)):
        parser = actions.add_parser(name, help=f"{name} an account")
        parser.add_argument("email")
        parser.set_defaults(handler=_set_active, active=active)

    reset = actions.add_parser("reset-password", help="print a one-hour reset link to hand over (nothing is mailed)")
    reset.add_argument("email")
    reset.set_defaults(handler=_reset_password)

    set_password = actions.add_parser(
        "set-password", help="set an account's password, typed at a prompt (never on the command line)"
    )
    set_password.add_argument("email")
    set_password.set_defaults(handler=_set_password)


def _user_id(session, email: str) -> int:
    user = users.find_by_email(session, email)
    if user is None:
        raise ValidationFailed({"email": f"No user with email {email.strip().lower()}."})
    return user.id


def _create(args) -> int:
    # Registers the queue that takes the welcome mail once the account is committed.
    from tickit import tasks  # noqa: F401

    with session_scope() as session:
        created = users.create_user(
            session=session, actor=SYSTEM, email=args.email, name=args.name, role=args.role, password=args.password
        )
    print(f"Created {created.user.role} {created.user.name} <{created.user.email}>")
    if created.generated_password:
        print(f"Password: {created.generated_password}")
    return 0


def _list(_args) -> int:
    with session_scope() as session:
        accounts = users.list_users(session=session, actor=SYSTEM)
    for account in accounts:
        state = "" if account.is_active else "  (deactivated)"
        print(f"{account.role:<7} {account.email:<40} {account.name}{state}")
    return 0


def _role(args) -> int:
    with session_scope() as session:
        account = users.change_role(
            session=session, actor=SYSTEM, user_id=_user_id(session, args.email), role=args.role
        )
    print(f"{account.email} is now {account.role}")
    return 0


def _set_active(args) -> int:
    with session_scope() as session:
        account = users.set_active(
            session=session, actor=SYSTEM, user_id=_user_id(session, args.email), active=args.active
        )
    print(f"{account.email} is {'active' if account.is_active else 'deactivated; their sessions have ended'}")
    return 0


def _reset_password(args) -> int:
    with session_scope() as session:
        link = password_reset.reset_link(session=session, actor=SYSTEM, email=args.email)
    print("Hand this link to its owner; it works once, for one hour:")
    print(link)
    return 0


def _set_password(args) -> int:
    # Read at a prompt: a password on the command line stays in the shell's history and in `ps`.
    new = getpass.getpass("New password: ")
    confirm = getpass.getpass("New password again: ")
    with session_scope() as session:
        account = users.set_password_by_operator(
            session=session, actor=SYSTEM, email=args.email, new=new, confirm=confirm
        )
    print(f"Password of {account.email} changed; every session of that account has ended.")
    return 0
