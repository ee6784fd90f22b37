"""The exact fixture: five tickets with hand-computed figures, across a weekend and a holiday.

Project HH (software-feedback template) times questions on an office calendar in Berlin (Mon-Fri
09:00-17:00, Wednesday 18 November 2026 a holiday): first response 4 h, resolution 16 h. All
times below are Berlin wall time (UTC+1 in November). The figures the tests expect are worked out
beside each step; `NOW` is Thursday 26 November, 12:30.

HH-1 (Ann)  filed Fri 13 16:00; Ann replies Mon 16 10:00 (2 h business, 66 h wall: met by Mon 12:00);
            answered Tue 17 10:00 (10 h business: Fri 1 + Mon 8 + Tue 1, 90 h wall; met by Tue 16:00);
            rated good Tue 17 12:00.
HH-2 (Ann)  filed Sat 14 10:00 (the clock starts Mon 09:00); the sweep at Mon 16 13:30 fires the
            first-response breach (due Mon 13:00); Ann replies Tue 17 15:00 (14 h business, 77 h
            wall); still open, its resolution due Tue 17 17:00 passed: breached now.
HH-3 (Bob)  filed Mon 16 09:00; Bob replies 10:00 (1 h, met); waiting on reporter 11:00 to Thu 19 09:00
            (the clock paused for Mon 6 h + Tue 8 h, Wed the holiday); answered Thu 19 12:00 (Mon 8 +
            Tue 8 + Thu 3 = 19 h less 14 h paused = 5 h, 75 h wall; due Fri 20 15:00: met);
            reopened Fri 20 10:00; answered Mon 23 10:00 (Fri 7 + Mon 1 = 8 h, 72 h wall; met);
            rated good Mon 23 11:00, changed to bad at 11:30 (the latest answer counts).
HH-4        a bug filed by the shop's API client Tue 24 14:00 at high priority (no SLA target): open.
HH-5        filed Thu 26 09:00, nobody has answered: first response due 13:00, within the hour: at risk.
Backlog snapshots are taken at Tue 17 00:30 (for Mon 16: HH-1, HH-2, HH-3 open) and Fri 20 00:30
(for Thu 19: HH-2 open).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from tests.factories import add_member, file_ticket, make_api_client, make_project, make_user
from tickit.models import Project, SatisfactionRating, Source, Ticket
from tickit.services import (
    comments,
    reporting_history,
    sla,
    sla_config,
    sla_sweep,
    survey,
    ticket_detail,
    tickets,
    workflow,
)
from tickit.services.templates.sla_section import parse_sla_section

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 12, 30, tzinfo=BERLIN)
CLOCKED = (tickets, workflow, comments, ticket_detail, sla, sla_sweep, survey)

OFFICE = """\
sla:
  calendars:
    office:
      timezone: Europe/Berlin
      week: {mon: "09:00-17:00", tue: "09:00-17:00", wed: "09:00-17:00", thu: "09:00-17:00", fri: "09:00-17:00"}
      holidays: ["2026-11-18"]
  policies:
    - name: Office
      calendar: office
      targets: {normal: {first_response: 4h, resolution: 16h}}
"""


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN)


class Clock:
    """Sets `utcnow` in every service the fixture drives."""

    def __init__(self, monkeypatch):
        self.now = berlin(1, 0)
        for module in CLOCKED:
            monkeypatch.setattr(module, "utcnow", lambda: self.now)

    def at(self, moment: datetime) -> datetime:
        self.now = moment
        return moment


@dataclass(frozen=True)
class World:
    ann_id: int
    bob_id: int


def build(session: Session, monkeypatch) -> World:
    """Play the fixture's story into `session` (flushed, not committed)."""
    clock = Clock(monkeypatch)
    project = make_project(session, "HH")
    reporter = make_user(session, "client", name="Rita")
    ann, bob = make_user(session, "agent", name="Ann"), make_user(session, "agent", name="Bob")
    for person, role in ((reporter, "client"), (ann, "agent"), (bob, "agent")):
        add_member(session, project.id, person, role)
    shop = make_api_client(session, "HH")
    spec = parse_sla_section(OFFICE, "test", ["bug", "feature_request", "question"])
    sla_config.replace_config(session, session.exec(select(Project).where(Project.key == "HH")).one(), spec)
    session.flush()

    def question(at: datetime, title: str, agent=None) -> str:
        clock.at(at)
        number = file_ticket(session, reporter, title=title, type_key="question")
        if agent is not None:
            ticket_detail.assign(session=session, actor=agent, number=number, assignee_id=agent.id)
        session.flush()
        return number

    def reply(at: datetime, agent, number: str) -> None:
        clock.at(at)
        comments.add_comment(session=session, actor=agent, number=number, body_html="<p>On it.</p>")
        session.flush()

    def move(at: datetime, agent, number: str, status: str) -> None:
        clock.at(at)
        workflow.move(session=session, actor=agent, number=number, to_status=status)
        session.flush()

    def rate(at: datetime, number: str, *ratings: str) -> None:
        ticket = session.exec(select(Ticket).where(Ticket.number == int(number.split("-")[1]))).one()
        token = secrets.token_urlsafe(16)
        session.add(
            SatisfactionRating(
                ticket_id=ticket.id,
                resolved_at=ticket.resolved_at,
                token_hash=survey.token_hash(token),
                expires_at=at + timedelta(days=30),
                created_at=at,
            )
        )
        session.flush()
        for n, rating in enumerate(ratings):
            clock.at(at + timedelta(minutes=30 * n))
            survey.rate(session=session, token=token, rating=rating)
            session.flush()

    one = question(berlin(13, 16), "Ibis export", ann)
    two = question(berlin(14, 10), "Ibis import", ann)
    three = question(berlin(16, 9), "Ibis login", bob)
    reply(berlin(16, 10), bob, three)
    reply(berlin(16, 10), ann, one)
    move(berlin(16, 11), bob, three, "waiting_on_reporter")
    clock.at(berlin(16, 13, 30))
    sla_sweep.sweep_batch(session=session, now=clock.now)
    clock.at(berlin(17, 0, 30))
    reporting_history.snapshot_backlog(session=session, now=clock.now)
    move(berlin(17, 10), ann, one, "answered")
    rate(berlin(17, 12), one, "good")
    reply(berlin(17, 15), ann, two)
    move(berlin(19, 9), bob, three, "in_progress")
    move(berlin(19, 12), bob, three, "answered")
    clock.at(berlin(20, 0, 30))
    reporting_history.snapshot_backlog(session=session, now=clock.now)
    reporting_history.snapshot_backlog(session=session, now=clock.now)  # once a day, however often it runs
    move(berlin(20, 10), bob, three, "in_progress")
    move(berlin(23, 10), bob, three, "answered")
    rate(berlin(23, 11), three, "good", "bad")
    clock.at(berlin(24, 14))
    tickets.file_ticket(
        session=session,
        actor=shop.client,
        source=Source.API,
        project_key="HH",
        type_key="bug",
        title="Ibis crash",
        description="",
        reporter_id=None,
        field_values={"severity": "major"},
        priority="high",
    )
    question(berlin(26, 9), "Ibis question")
    clock.at(NOW)
    session.flush()
    return World(ann_id=ann.id, bob_id=bob.id)
