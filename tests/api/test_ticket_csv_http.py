"""`GET /lists/tickets.csv`: the signed-in user's ticket list under the URL's filters, as a CSV download."""

from __future__ import annotations

from sqlmodel import Session

from tests.api.test_attachments_http import data_dir, http, signed_in  # noqa: F401 - fixtures
from tests.factories import add_member, file_ticket, make_project, make_user
from tickit import routes
from tickit.services import workflow


def test_the_csv_follows_the_lists_query_string_and_needs_a_sign_in(engine, http):  # noqa: F811
    with Session(engine, expire_on_commit=False) as session:
        hh = make_project(session, "HH")
        client, agent = make_user(session, "client"), make_user(session, "agent")
        add_member(session, hh.id, client, "client")
        add_member(session, hh.id, agent, "agent")
        file_ticket(session, client, title="Quokka smiles too much")
        file_ticket(session, client, title="Quokka stopped smiling")
        workflow.move(session=session, actor=agent, number="HH-2", to_status="triaged")
        agent_cookie = signed_in(session, agent.id)
        session.commit()

    assert http.get(routes.TICKETS_CSV).status_code == 401
    answer = http.get(routes.tickets_csv("status=triaged"), headers=agent_cookie)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"].startswith('attachment; filename="tickets-')
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith("HH-2,Quokka stopped smiling,")
