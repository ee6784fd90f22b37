"""`tickit vapid`: the Web Push key pair."""

from __future__ import annotations

import argparse

from tickit.services import vapid


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("vapid", help="the Web Push (VAPID) key pair")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    generate = actions.add_parser("generate", help="create the key pair in the data directory and print its public key")
    generate.add_argument(
        "--replace", action="store_true", help="replace an existing pair (every browser must subscribe again)"
    )
    generate.set_defaults(handler=_generate)
    show = actions.add_parser("public-key", help="print the public key browsers subscribe with")
    show.set_defaults(handler=_public_key)


def _generate(args: argparse.Namespace) -> int:
    path = vapid.generate(replace=args.replace)
    print(f"Wrote {path}")
    print(vapid.public_key())
    return 0


def _public_key(args: argparse.Namespace) -> int:
    print(vapid.public_key())
    return 0
