"""A client's ticket through its life: public labels only, closed and reopened by the client, and rated."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import REPO_ROOT, at_path, sign_in

TITLE = "Lifecycle: my parcel never arrived"


def _run(app_server, body: str) -> dict:
    script = (
        "import json\n"
        "from datetime import timedelta\n"
        "from sqlmodel import select\n"
        "from tickit.db import session_scope\n"
        "from tickit.models import OutboxMessage, utcnow\n"
        "from tests.factories import file_ticket\n"
        "from tickit.services import survey, users, workflow\n"
        "from tickit.services.actors import UserPublic\n"
        "out = {}\n"
        "with session_scope() as s:\n"
        + "".join(f"    {line}\n" for line in body.splitlines())
        + "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        cwd=REPO_ROOT,
        env=app_server.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        pytest.fail(f"Seeding script failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_client_sees_public_labels_closes_reopens_and_rates_their_ticket(new_page, app_server, new_account):
    app_server.tickit("project", "create", "--key=CL", "--name=Care Line", "--template=customer-support")
    client = new_account("client", project="CL", name="Cleo Client")
    agent = new_account("agent", project="CL", name="Aggie Agent")
    seeded = _run(
        app_server,
        f"client = UserPublic.of(users.find_by_email(s, {client.email!r}))\n"
        f"agent = UserPublic.of(users.find_by_email(s, {agent.email!r}))\n"
        f"out['number'] = file_ticket(s, client, 'CL', {TITLE!r}, type_key='question')\n"
        "workflow.move(session=s, actor=agent, number=out['number'], to_status='waiting_on_customer')\n",
    )
    number = seeded["number"]

    # The client reads the public label in the list and on the page, never the team's status name.
    page = new_page()
    sign_in(page, client)
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Waiting for you")
    page.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(at_path(f"/portal/tickets/{number}"))
    details = page.get_by_role("complementary", name="Ticket details")
    expect(details).to_contain_text("Waiting for you")
    assert "Waiting on customer" not in page.content()

    # "This is solved" closes it; "Reopen" brings it back within the window.
    details.get_by_role("button", name="This is solved").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Close it").click()
    expect(details).to_contain_text("Closed")
    details.get_by_role("button", name="Reopen").click()
    expect(details).to_contain_text("In progress")
    expect(details.get_by_role("button", name="This is solved")).to_be_visible()

    # Solved by the team, surveyed: opening the mail's link records nothing, sending the form does.
    survey_link = _run(
        app_server,
        f"workflow.move(session=s, actor=UserPublic.of(users.find_by_email(s, {agent.email!r})),\n"
        f"    number={number!r}, to_status='solved')\n"
        "survey.send_due(session=s, now=utcnow() + timedelta(hours=2))\n"
        "mail = s.exec(select(OutboxMessage).where(OutboxMessage.event == survey.SURVEY_EVENT)).all()[-1]\n"
        "out['good'] = mail.payload['good_url']\n",
    )["good"]
    survey_path = survey_link.split("://", 1)[1].split("/", 1)[1]
    page.goto(f"/{survey_path}")
    expect(page.get_by_role("heading", name="How did we do?")).to_be_visible()
    expect(page.get_by_role("radio", name="Good")).to_be_checked()
    page.goto(f"/portal/tickets/{number}")
    expect(page.get_by_role("list", name="Activity")).not_to_contain_text("rated")

    page.goto(f"/{survey_path}")
    page.get_by_label("Anything to add?").fill("Quick and friendly")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    page.goto(f"/portal/tickets/{number}")
    expect(page.get_by_role("list", name="Activity")).to_contain_text("rated the help good")
