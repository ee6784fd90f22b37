"""Sixty-four tickets filed at one instant through two API worker processes, over four equal agents."""

from __future__ import annotations

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlmodel import Session, select

from tests.api.test_intake_race import API, api_origin  # noqa: F401  (the two-worker server fixture)
from tests.factories import add_member, make_api_client, make_project
from tickit.models import ActivityEntry, MemberRole, Ticket, User
from tickit.services import assignment_admin
from tickit.services.actors import SYSTEM, UserPublic

TICKETS = 64
AGENTS = 4
CAPACITY = TICKETS // AGENTS
BODY = {"type": "bug", "title": "Payment page times out", "fields": {"severity": "blocker"}}


@pytest.fixture
def token(engine) -> str:
    with Session(engine) as session:
        project = make_project(session, "HH")
        for n in range(AGENTS):
            user = User(email=f"agent{n}@example.com", name=f"Agent {n}", role="agent")
            session.add(user)
            session.flush()
            add_member(session, project.id, UserPublic.of(user), MemberRole.AGENT)
            assignment_admin.set_agent(
                session=session, actor=SYSTEM, project_key="HH", user_id=user.id, changes={"capacity": CAPACITY}
            )
        assignment_admin.set_rule(session=session, actor=SYSTEM, project_key="HH", changes={"strategy": "least-load"})
        created = make_api_client(session)
        session.commit()
    return created.token


def file_together(origin: str, token: str) -> list[httpx.Response]:
    """File TICKETS different tickets, each on its own connection, released at one instant."""
    barrier = threading.Barrier(TICKETS)

    def one(n: int) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"k-{n}", "Content-Type": "application/json"}
        with httpx.Client(base_url=origin, timeout=120) as client:
            client.get(f"{API}/ticket-types", headers=headers)  # connected and warmed before the start
            barrier.wait()
            return client.post(f"{API}/tickets", content=json.dumps(BODY), headers=headers)

    with ThreadPoolExecutor(TICKETS) as pool:
        return list(pool.map(one, range(TICKETS)))


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_simultaneous_filings_spread_evenly_and_never_overfill_an_agent(engine, token, api_origin):  # noqa: F811
    responses = file_together(api_origin, token)

    assert sorted(r.status_code for r in responses) == [201] * TICKETS, [r.text for r in responses]
    answered = Counter(r.json()["assignee"]["email"] for r in responses)
    with Session(engine) as session:
        stored = Counter(session.exec(select(Ticket.assignee_id)).all())
        assigned_entries = session.exec(select(ActivityEntry.ticket_id).where(ActivityEntry.action == "assigned")).all()
    assert len(stored) == AGENTS and None not in stored
    assert max(stored.values()) - min(stored.values()) <= 1
    assert max(stored.values()) <= CAPACITY
    assert sorted(answered.values()) == sorted(stored.values())
    assert len(assigned_entries) == len(set(assigned_entries)) == TICKETS
