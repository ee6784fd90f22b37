"""The SLA clock, warnings and escalation, on SQLite and PostgreSQL with a controllable clock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, func, select

from tests.factories import add_member, file_ticket, make_api_client, make_project, make_user
from tickit.models import ActivityEntry, OutboxMessage, Project, SlaEvent, Ticket
from tickit.services import (
    comments,
    sla,
    sla_config,
    sla_sweep,
    ticket_detail,
    ticket_documents,
    tickets,
    workflow,
)
from tickit.services.actors import SYSTEM
from tickit.services.templates import TemplateError, export_project, parse_workflow
from tickit.services.templates.sla_section import parse_sla_section

FILED = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)  # a Monday
_CLOCKED = (tickets, workflow, comments, ticket_detail, ticket_documents, sla, sla_sweep)


class Clock:
    def __init__(self, monkeypatch, now: datetime):
        self.now = now
        for module in _CLOCKED:
            monkeypatch.setattr(module, "utcnow", lambda: self.now)

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, FILED)


def _world(session: Session) -> SimpleNamespace:
    """HH from the software-feedback template (its default policy: normal 24h / 120h round the clock)."""
    project = make_project(session, "HH")
    reporter, agent, lead = make_user(session, "client"), make_user(session, "agent"), make_user(session, "agent")
    add_member(session, project.id, reporter, "client")
    add_member(session, project.id, agent, "agent")
    add_member(session, project.id, lead, "agent")
    return SimpleNamespace(project=project, reporter=reporter, agent=agent, lead=lead)


def _ticket(session: Session, number: str) -> Ticket:
    n = int(number.split("-")[1])
    return session.exec(select(Ticket).where(Ticket.number == n)).one()


def _use(session: Session, yaml_text: str) -> None:
    project = session.exec(select(Project).where(Project.key == "HH")).one()
    spec = parse_sla_section(yaml_text, "test", ["bug", "feature", "question"])
    sla_config.replace_config(session, project, spec)
    session.flush()


def _move(session, actor, number, *statuses):
    for status in statuses:
        workflow.move(session=session, actor=actor, number=number, to_status=status)
    session.flush()


def test_a_new_ticket_is_due_by_its_priority_targets(session, clock):
    w = _world(session)
    number = file_ticket(session, w.reporter)
    ticket = _ticket(session, number)
    assert ticket.first_response_due_at == FILED + timedelta(hours=24)
    assert ticket.resolution_due_at == FILED + timedelta(hours=120)
    assert ticket.sla_next_check_at == FILED + timedelta(hours=24 * 0.8)


@pytest.mark.parametrize(
    "priority, first, resolution", [("urgent", 2, 8), ("high", 8, 48), ("normal", 24, 120), ("low", 72, 336)]
)
def test_changing_priority_retimes_from_the_filing(session, clock, priority, first, resolution):
    w = _world(session)
    number = file_ticket(session, w.reporter)
    clock.advance(hours=1)
    ticket_detail.set_priority(session=session, actor=w.agent, number=number, priority=priority)
    ticket = _ticket(session, number)
    assert (ticket.first_response_due_at, ticket.resolution_due_at) == (
        FILED + timedelta(hours=first),
        FILED + timedelta(hours=resolution),
    )


OFFICE = """
sla:
  calendars:
    office:
      timezone: Europe/Berlin
      week: {mon: "09:00-17:00", tue: "09:00-17:00", wed: "09:00-17:00", thu: "09:00-17:00", fri: "09:00-17:00"}
      holidays: ["2026-11-17"]
  policies:
    - name: Office
      calendar: office
      targets: {normal: {first_response: 4h, resolution: 16h}}
"""


def test_an_office_calendar_skips_nights_weekends_and_holidays(session, clock):
    w = _world(session)
    _use(session, OFFICE)
    berlin = ZoneInfo("Europe/Berlin")
    clock.now = datetime(2026, 11, 13, 16, 0, tzinfo=berlin)  # Friday 16:00
    number = file_ticket(session, w.reporter)
    ticket = _ticket(session, number)
    assert ticket.first_response_due_at == datetime(2026, 11, 16, 12, 0, tzinfo=berlin)  # Monday noon
    # 16 h: Fri 1 h, Mon 8 h, Tuesday the holiday skipped, Wed 7 h.
    assert ticket.resolution_due_at == datetime(2026, 11, 18, 16, 0, tzinfo=berlin)


def test_a_pausing_status_stops_the_resolution_clock_and_leaving_it_adds_the_paused_time(session, clock):
    w = _world(session)
    number = file_ticket(session, w.reporter)
    clock.advance(hours=1)
    _move(session, w.agent, number, "waiting_on_reporter")
    paused = _ticket(session, number)
    assert paused.resolution_due_at is None and paused.sla_paused_at == clock.now
    status = sla.status_of(paused, "Standard", clock.now)
    assert status.paused and not status.resolution_breached
    clock.advance(hours=4)
    _move(session, w.agent, number, "triaged")
    resumed = _ticket(session, number)
    assert resumed.sla_paused_at is None
    assert resumed.resolution_due_at == FILED + timedelta(hours=124)
    # The first-response clock never pauses.
    assert resumed.first_response_due_at == FILED + timedelta(hours=24)


def test_a_priority_change_keeps_the_paused_time(session, clock):
    w = _world(session)
    number = file_ticket(session, w.reporter)
    clock.advance(hours=1)
    _move(session, w.agent, number, "waiting_on_reporter")
    clock.advance(hours=3)
    _move(session, w.agent, number, "triaged")
    clock.advance(hours=1)
    ticket_detail.set_priority(session=session, actor=w.agent, number=number, priority="high")
    assert _ticket(session, number).resolution_due_at == FILED + timedelta(hours=48 + 3)


def test_reopening_starts_a_new_resolution_cycle(session, clock):
    w = _world(session)
    number = file_ticket(session, w.reporter)
    clock.advance(hours=2)
    _move(session, w.agent, number, "triaged", "in_progress", "fixed")
    resolved = _ticket(session, number)
    assert resolved.resolution_warn_at is None and resolved.sla_next_due_at == resolved.first_response_due_at
    clock.advance(hours=10)
    reopened_at = clock.now
    _move(session, w.agent, number, "triaged")
    ticket = _ticket(session, number)
    assert ticket.sla_cycle == 1
    assert ticket.resolution_due_at == reopened_at + timedelta(hours=120)


def test_an_internal_note_is_not_a_first_response(session, clock):
    w = _world(session)
    number = file_ticket(session, w.reporter)
    clock.advance(minutes=30)
    comments.add_comment(session=session, actor=w.agent, number=number, body_html="<p>Looking</p>", internal=True)
    session.flush()
    assert _ticket(session, number).first_response_warn_at is not None
    _move(session, w.agent, number, "triaged")  # nor is a status change
    assert _ticket(session, number).first_response_warn_at is not None
    comments.add_comment(session=session, actor=w.agent, number=number, body_html="<p>On it</p>")
    session.flush()
    ticket = _ticket(session, number)
    assert ticket.first_responded_at == clock.now and ticket.first_response_warn_at is None
    assert ticket.sla_next_check_at == ticket.resolution_warn_at


def _sweep(session: Session, now: datetime) -> list[sla_sweep.Fired]:
    _, fired = sla_sweep.sweep_batch(session=session, now=now)
    session.flush()
    return fired


def _events(session: Session, kind: str) -> int:
    return session.exec(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.event == kind)).one()


def test_warning_and_breach_each_fire_once(session, clock):
    w = _world(session)
    number = file_ticket(session, w.reporter)
    assert _sweep(session, FILED + timedelta(hours=19)) == []
    warned = _sweep(session, FILED + timedelta(hours=19, minutes=13))
    assert [(f.target, f.kind) for f in warned] == [("first_response", "warning")]
    assert _sweep(session, FILED + timedelta(hours=20)) == []
    breached = _sweep(session, FILED + timedelta(hours=24, minutes=1))
    assert [(f.number, f.target, f.kind) for f in breached] == [(number, "first_response", "breach")]
    assert _sweep(session, FILED + timedelta(hours=25)) == []
    assert (_events(session, "sla_warning"), _events(session, "sla_breach")) == (1, 1)
    ticket = _ticket(session, number)
    assert sla.status_of(ticket, "Standard", FILED + timedelta(hours=25)).first_response_breached
    assert ticket.sla_next_check_at == ticket.resolution_warn_at


ESCALATING = """
sla:
  policies:
    - name: Escalating
      targets: {normal: {first_response: 1h, resolution: 4h}, high: {first_response: 30m, resolution: 2h}}
      on_breach: {raise_priority: true, reassign: queue}
"""


def test_a_breach_raises_the_priority_and_hands_the_ticket_back_to_the_queue(session, clock):
    w = _world(session)
    _use(session, ESCALATING)
    number = file_ticket(session, w.reporter)
    ticket_detail.assign(session=session, actor=w.agent, number=number, assignee_id=w.agent.id)
    session.flush()
    fired = _sweep(session, FILED + timedelta(hours=1, minutes=1))
    assert [f.actions for f in fired] == [("priority raised to high", "back to the queue")]
    ticket = _ticket(session, number)
    assert (ticket.priority, ticket.assignee_id) == ("high", None)
    # Re-timed under the raised priority's targets.
    assert ticket.resolution_due_at == FILED + timedelta(hours=2)
    entry = session.exec(select(ActivityEntry).where(ActivityEntry.action == "sla_breached")).one()
    assert entry.actor_user_id is None
    assert ticket_detail.describe(entry) == (
        "noted: SLA first response target breached; priority raised to high; back to the queue"
    )


def test_the_api_ticket_json_carries_the_sla(session, clock):
    w = _world(session)
    client = make_api_client(session)
    number = file_ticket(session, w.reporter)
    client_view = SimpleNamespace(id=client.client.id, project_id=client.client.project_id, may_read_all=True)
    document = ticket_documents.read_ticket(session=session, client=client_view, number=number)
    assert document["sla"] == {
        "policy": "Standard",
        "first_response_due_at": "2026-11-10T08:00:00.000Z",
        "resolution_due_at": "2026-11-14T08:00:00.000Z",
        "first_response_breached": False,
        "resolution_breached": False,
        "paused": False,
    }


def test_the_sla_section_round_trips_through_export_and_import(session, clock):
    _world(session)
    _use(session, OFFICE + "      when: {types: [bug], priorities: [normal]}\n      warn_at: 50%\n")
    text = export_project(session=session, project_key="HH")
    assert "office: {timezone: Europe/Berlin" in text
    document = parse_workflow(text, "hh.yaml")
    assert document.sla == sla_config.load_spec(session, _ticket_project_id(session))
    assert document.sla.policies[0].warn_percent == 50


def _ticket_project_id(session: Session) -> int:
    return session.exec(select(Project.id).where(Project.key == "HH")).one()


@pytest.mark.parametrize(
    "section, message",
    [
        (
            "  policies:\n    - {name: A, calendar: nope, targets: {normal: {first_response: 1h, resolution: 2h}}}\n",
            "line 3",
        ),
        (
            "  calendars:\n    c: {timezone: Mars/Base, week: {mon: '09:00-17:00'}}\n",
            "line 3: sla.calendars.c.timezone",
        ),
        ("  policies:\n    - {name: A, targets: {normal: {first_response: 1d, resolution: 2h}}}\n", "first_response"),
    ],
)
def test_a_bad_sla_section_is_refused_with_its_line(section, message):
    with pytest.raises(TemplateError, match=message):
        parse_sla_section("sla:\n" + section, "sla.yaml", ["bug"])


def test_two_sweeps_racing_fire_each_breach_once(engine, clock):
    if engine.dialect.name != "postgresql":
        pytest.skip("the race is settled by PostgreSQL's row locks and the ledger's unique key")
    with Session(engine, expire_on_commit=False) as session:
        w = _world(session)
        numbers = [file_ticket(session, w.reporter, title=f"T{i}") for i in range(20)]
        session.commit()
    now = FILED + timedelta(hours=24, minutes=1)
    barrier = threading.Barrier(2)
    results: list[list[sla_sweep.Fired]] = []

    def sweep_once():
        with Session(engine, expire_on_commit=False) as own:
            barrier.wait(timeout=30)
            _, fired = sla_sweep.sweep_batch(session=own, now=now, limit=7)
            own.commit()
            results.append(fired)

    for _ in range(3):  # three rounds of two racing consumers, seven tickets each at most
        threads = [threading.Thread(target=sweep_once) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    with Session(engine) as session:
        breaches = session.exec(select(func.count()).select_from(SlaEvent).where(SlaEvent.kind == "breach")).one()
        told = _events(session, "sla_breach")
    fired = [f for batch in results for f in batch]
    assert sorted(f.number for f in fired if f.kind == "breach") == sorted(numbers)
    assert breaches == told == len(numbers)


def test_a_sweep_that_finds_a_fired_event_again_stays_quiet(session, clock):
    """As a retried task, or a consumer that read the ticket before another's commit, would find it."""
    w = _world(session)
    number = file_ticket(session, w.reporter)
    breach_time = FILED + timedelta(hours=24, minutes=1)
    assert len(_sweep(session, breach_time)) == 1
    ticket = _ticket(session, number)
    ticket.sla_next_check_at = FILED  # as if the first pass's schedule were lost
    session.add(ticket)
    session.flush()
    assert _sweep(session, breach_time) == []
    assert _events(session, "sla_breach") == 1
    assert _ticket(session, number).sla_next_check_at == ticket.resolution_warn_at


def test_explain_names_policy_targets_and_history(session, clock):
    w = _world(session)
    number = file_ticket(session, w.reporter)
    clock.advance(hours=1)
    _move(session, w.agent, number, "waiting_on_reporter")
    clock.advance(hours=2)
    _move(session, w.agent, number, "triaged")
    found = sla.explain(session=session, actor=SYSTEM, number=number)
    assert (found.policy, found.calendar, found.resolution_target) == ("Standard", "round the clock", "120h")
    assert found.timing.paused == timedelta(hours=2)
    assert any("clock resumed after 2h00m" in line for line in found.timing.history)
