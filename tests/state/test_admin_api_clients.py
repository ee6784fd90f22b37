"""What the admin's list of a project's API clients shows, and what it never shows."""

from __future__ import annotations

from tests.factories import make_api_client, make_project, make_user
from tickit.services import api_clients
from tickit.services.actors import SYSTEM
from tickit.state.admin_api_clients import client_listing


def test_the_list_shows_a_tokens_prefix_but_never_the_token(session):
    admin = make_user(session, "admin")
    make_project(session, "HH", name="Help Hub")
    created = make_api_client(session, "HH", name="Shop")

    name, [line] = client_listing(session, admin, "HH")

    assert name == "Help Hub"
    assert line.token_prefix.endswith("…") and created.token.startswith(line.token_prefix.removesuffix("…"))
    assert created.token not in str(line)


def test_a_revoked_client_shows_the_day_it_was_revoked(session):
    admin = make_user(session, "admin")
    make_project(session, "HH")
    created = make_api_client(session, "HH")
    api_clients.revoke_api_client(session=session, actor=SYSTEM, project_key="HH", client_id=created.client.id)

    _, [line] = client_listing(session, admin, "HH")

    assert line.revoked and line.revoked_on
