"""The ticket list: who sees which tickets, filters, search, sorts, keyset pages and the query string."""

from __future__ import annotations

import base64
import itertools
import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, text
from sqlmodel import Session, select

from tests.factories import add_member, file_ticket, make_project
from tickit.models import Comment, Ticket, TicketStatus, TicketType, User
from tickit.services import ticket_list
from tickit.services.actors import UserPublic
from tickit.services.fields import unstorable_reason
from tickit.services.project_setup import allocate_ticket_number
from tickit.services.ticket_list import (
    PAGE_SIZE_MAX,
    SORTS,
    TEXT_MAX,
    TicketCount,
    TicketQuery,
    _encode_cursor,
    count_tickets,
    from_query_params,
    list_tickets,
    to_query_string,
)
from tickit.services.workflow_specs import KEY_PATTERN

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
_people = itertools.count(1)
PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2, "urgent": 3}


@dataclass
class Desk:
    """Projects HH and XY (software feedback); an agent of HH only; clients of both."""

    hh: int
    xy: int
    admin: UserPublic
    agent: UserPublic  # agent of HH
    idle_agent: UserPublic  # agent of no project
    client: UserPublic
    other_client: UserPublic


@pytest.fixture
def desk(session) -> Desk:
    hh, xy = make_project(session, "HH"), make_project(session, "XY")
    admin, agent, idle_agent = person(session, "admin"), person(session, "agent"), person(session, "agent")
    client, other_client = person(session, "client"), person(session, "client")
    add_member(session, hh.id, agent, "agent")
    for member in (client, other_client):
        add_member(session, hh.id, member, "client")
        add_member(session, xy.id, member, "client")
    return Desk(hh.id, xy.id, admin, agent, idle_agent, client, other_client)


def person(session: Session, role: str) -> UserPublic:
    """A user without a password (`factories.make_user` spends an argon2 hash on each)."""
    user = User(email=f"{role}{next(_people)}@example.com", name=f"{role.title()} {next(_people)}", role=role)
    session.add(user)
    session.flush()
    return UserPublic.of(user)


def make_ticket(
    session: Session,
    project_id: int,
    reporter: UserPublic,
    title: str = "Export fails",
    *,
    description: str = "",
    type_key: str = "bug",
    status_key: str = "new",
    priority: str = "normal",
    assignee: UserPublic | None = None,
    created_at: datetime = T0,
    updated_at: datetime | None = None,
    sla_next_due_at: datetime | None = None,
) -> Ticket:
    """A ticket written straight to the table (no activity, no outbox), at the given times."""
    type_id, status_id = session.exec(
        select(TicketType.id, TicketStatus.id)
        .join(TicketStatus, TicketStatus.type_id == TicketType.id)
        .where(TicketType.project_id == project_id, TicketType.key == type_key, TicketStatus.key == status_key)
    ).one()
    ticket = Ticket(
        project_id=project_id,
        type_id=type_id,
        status_id=status_id,
        number=allocate_ticket_number(session=session, project_id=project_id),
        title=title,
        description=description,
        priority=priority,
        reporter_id=reporter.id,
        assignee_id=assignee.id if assignee else None,
        created_at=created_at,
        updated_at=updated_at or created_at,
        sla_next_due_at=sla_next_due_at,
    )
    session.add(ticket)
    session.flush()
    return ticket


def add_comment(session: Session, ticket: Ticket, author: UserPublic, body: str, **kwargs) -> None:
    session.add(Comment(ticket_id=ticket.id, author_id=author.id, body_html=f"<p>{body}</p>", body_text=body, **kwargs))
    session.flush()


def numbers(session: Session, actor: UserPublic, query: TicketQuery | None = None, **filters) -> list[str]:
    """Ticket numbers of the first page, in the list's order."""
    query = replace(query or TicketQuery(page_size=PAGE_SIZE_MAX), **filters)
    return [row.number for row in list_tickets(session=session, actor=actor, query=query).rows]


def found(session: Session, actor: UserPublic, **filters) -> set[str]:
    return set(numbers(session, actor, **filters))


def walk(session: Session, actor: UserPublic, query: TicketQuery) -> tuple[list[str], int]:
    """Every page of `query`, following each cursor through the URL as the UI would; (numbers, pages)."""
    seen: list[str] = []
    for pages in range(1, 1000):
        page = list_tickets(session=session, actor=actor, query=query)
        assert len(page.rows) <= query.page_size
        seen += [row.number for row in page.rows]
        if page.next_cursor is None:
            return seen, pages
        query = from_query_params(parse_qs(to_query_string(replace(query, after=page.next_cursor))))
    raise AssertionError("the cursor never reached the end")


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# --- who sees which tickets --------------------------------------------------------------------


def test_each_role_sees_exactly_the_tickets_it_may(session, desk):
    own = make_ticket(session, desk.hh, desk.client, "Mine in HH")
    own_xy = make_ticket(session, desk.xy, desk.client, "Mine in XY")
    theirs = make_ticket(session, desk.hh, desk.other_client, "Someone else's")
    theirs_xy = make_ticket(session, desk.xy, desk.other_client, "Someone else's in XY")
    number = {t.id: f"{'HH' if t.project_id == desk.hh else 'XY'}-{t.number}" for t in (own, own_xy, theirs, theirs_xy)}

    assert found(session, desk.client) == {number[own.id], number[own_xy.id]}
    assert found(session, desk.agent) == {number[own.id], number[theirs.id]}
    assert found(session, desk.admin) == set(number.values())
    assert found(session, desk.idle_agent) == set()


def test_a_client_with_250_tickets_pages_through_all_of_them_and_never_sees_another_clients(session, desk):
    own = {
        f"HH-{make_ticket(session, desk.hh, desk.client, f'Mine {i}', created_at=T0 + timedelta(minutes=i)).number}"
        for i in range(250)
    }
    make_ticket(session, desk.hh, desk.other_client, "Someone else's")
    seen, pages = walk(session, desk.client, TicketQuery())
    assert (len(seen), set(seen), pages) == (250, own, 5)


def test_filters_never_widen_what_the_actor_sees(session, desk):
    make_ticket(session, desk.xy, desk.client)
    make_ticket(session, desk.hh, desk.other_client)
    assert found(session, desk.agent, project_keys=("XY",)) == set()
    assert found(session, desk.client, project_keys=("HH",)) == set()
    assert found(session, desk.client, text="Export") == {"XY-1"}


def test_rows_carry_what_the_list_shows(session, desk):
    make_ticket(
        session, desk.hh, desk.client, "Crash on save", priority="high", status_key="triaged", assignee=desk.agent
    )
    (row,) = list_tickets(session=session, actor=desk.admin, query=TicketQuery()).rows
    assert (row.number, row.title, row.project_key, row.project_name) == ("HH-1", "Crash on save", "HH", "Project HH")
    assert (row.type_name, row.status_name, row.status_category, row.status_color) == ("Bug", "Triaged", "todo", "blue")
    assert (row.priority, row.reporter_name, row.assignee_name) == ("high", desk.client.name, desk.agent.name)
    assert row.created_at == row.updated_at == T0


def test_a_ticket_filed_through_the_web_form_is_listed(session, desk):
    number = file_ticket(session, desk.client)
    assert numbers(session, desk.client) == numbers(session, desk.agent) == [number]


# --- filters -----------------------------------------------------------------------------------


@pytest.fixture
def spread(session, desk) -> Desk:
    """Tickets HH-1..HH-4 and XY-1..XY-2 that differ in type, status, priority, assignee and day."""
    make_ticket(session, desk.hh, desk.client, created_at=T0)  # HH-1: bug, new, normal, unassigned
    make_ticket(session, desk.hh, desk.client, type_key="question", status_key="answered", created_at=T0 + timedelta(1))
    make_ticket(session, desk.hh, desk.client, priority="urgent", assignee=desk.agent, created_at=T0 + timedelta(2))
    make_ticket(session, desk.hh, desk.client, status_key="fixed", priority="high", assignee=desk.admin)  # HH-4
    make_ticket(session, desk.xy, desk.client, priority="urgent", status_key="in_progress")  # XY-1
    make_ticket(session, desk.xy, desk.client, type_key="feature_request", assignee=desk.agent)  # XY-2
    return desk


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"project_keys": ("XY",)}, {"XY-1", "XY-2"}),
        ({"project_keys": ("HH", "XY")}, {"HH-1", "HH-2", "HH-3", "HH-4", "XY-1", "XY-2"}),
        ({"project_keys": ("NOPE",)}, set()),
        ({"type_keys": ("question", "feature_request")}, {"HH-2", "XY-2"}),
        ({"status_keys": ("fixed", "in_progress")}, {"HH-4", "XY-1"}),
        ({"status_categories": ("done",)}, {"HH-2", "HH-4"}),
        ({"status_categories": ("in_progress",)}, {"XY-1"}),
        ({"status_keys": ("new",), "status_categories": ("done",)}, set()),
        ({"status_categories": ("todo", "in_progress")}, {"HH-1", "HH-3", "XY-1", "XY-2"}),  # "all open"
        ({"assignee": "unassigned"}, {"HH-1", "HH-2", "XY-1"}),
        ({"priorities": ("urgent",)}, {"HH-3", "XY-1"}),
        ({"priorities": ("high", "low")}, {"HH-4"}),
        ({"created_from": T0.date() + timedelta(1)}, {"HH-2", "HH-3"}),
        ({"created_to": T0.date()}, {"HH-1", "HH-4", "XY-1", "XY-2"}),
        ({"created_from": T0.date() + timedelta(1), "created_to": T0.date() + timedelta(1)}, {"HH-2"}),
        (
            {"project_keys": ("HH",), "status_categories": ("todo",), "priorities": ("normal", "urgent")},
            {"HH-1", "HH-3"},
        ),
        ({"priorities": ("urgent",), "assignee": "unassigned", "type_keys": ("bug",)}, {"XY-1"}),
    ],
)
def test_filter(session, spread, filters, expected):
    assert found(session, spread.admin, **filters) == expected


def test_assignee_filter_by_me_and_by_user_id(session, spread):
    assert found(session, spread.agent, assignee="me") == {"HH-3"}  # XY-2 is outside the agent's projects
    assert found(session, spread.admin, assignee="me") == {"HH-4"}
    assert found(session, spread.admin, assignee=spread.agent.id) == {"HH-3", "XY-2"}
    assert found(session, spread.client, assignee="me") == set()


def test_created_between_includes_both_whole_utc_days(session, desk):
    day = date(2026, 3, 10)
    make_ticket(session, desk.hh, desk.client, created_at=datetime(2026, 3, 9, 23, 59, 59, 999999, tzinfo=UTC))
    make_ticket(session, desk.hh, desk.client, created_at=datetime(2026, 3, 10, 0, 0, tzinfo=UTC))
    make_ticket(session, desk.hh, desk.client, created_at=datetime(2026, 3, 11, 23, 59, 59, 999999, tzinfo=UTC))
    make_ticket(session, desk.hh, desk.client, created_at=datetime(2026, 3, 12, 0, 0, tzinfo=UTC))
    assert found(session, desk.admin, created_from=day, created_to=day + timedelta(1)) == {"HH-2", "HH-3"}
    assert found(session, desk.admin, created_from=day + timedelta(1), created_to=day) == set()
    assert found(session, desk.admin, created_to=date.max) == {"HH-1", "HH-2", "HH-3", "HH-4"}


def test_resolved_between_reads_whole_days_of_the_given_zone(session, desk):
    day = date(2026, 3, 10)  # Berlin is UTC+1: the 10th there runs from 9 March 23:00 to 10 March 23:00 UTC
    for resolved in (
        datetime(2026, 3, 9, 22, 59, tzinfo=UTC),  # HH-1: the 9th in Berlin
        datetime(2026, 3, 9, 23, 0, tzinfo=UTC),  # HH-2: the 10th in Berlin, the 9th in UTC
        datetime(2026, 3, 10, 22, 59, tzinfo=UTC),  # HH-3: the 10th in both
        datetime(2026, 3, 10, 23, 0, tzinfo=UTC),  # HH-4: the 11th in Berlin
        None,  # HH-5: never resolved
    ):
        ticket = make_ticket(session, desk.hh, desk.client)
        ticket.resolved_at = resolved
        session.add(ticket)
    session.flush()
    assert found(session, desk.admin, resolved_from=day, resolved_to=day, zone="Europe/Berlin") == {"HH-2", "HH-3"}
    assert found(session, desk.admin, resolved_from=day, resolved_to=day) == {"HH-3", "HH-4"}
    assert found(session, desk.admin, resolved_to=day - timedelta(1), zone="Europe/Berlin") == {"HH-1"}
    # The zone names the days of the created filter too: every ticket here was filed at T0, the 10th.
    assert found(session, desk.admin, created_from=day, created_to=day, zone="Pacific/Kiritimati") == set()


def test_a_zone_that_does_not_exist_is_refused_and_dropped_from_a_url():
    with pytest.raises(ValueError, match="time zone"):
        TicketQuery(zone="Mars/Olympus")
    assert from_query_params({"tz": "../../etc/passwd", "resolved_from": "2026-03-10"}) == TicketQuery(
        resolved_from=date(2026, 3, 10)
    )
    assert to_query_string(TicketQuery(resolved_to=date(2026, 3, 10), zone="Europe/Berlin")) == (
        "resolved_to=2026-03-10&tz=Europe%2FBerlin"
    )


# --- sorting and keyset pages ------------------------------------------------------------------


@pytest.fixture
def crowd(session, desk) -> list[Ticket]:
    """120 tickets with many equal sort values: 4 update times, 5 creation days, numbers shared by HH and XY."""
    rng = random.Random(20261123)
    crowd = []
    for i in range(120):
        crowd.append(
            make_ticket(
                session,
                desk.hh if i % 3 else desk.xy,
                desk.client if i % 2 else desk.other_client,
                f"Ticket {i}",
                priority=rng.choice(list(PRIORITY_RANK)),
                created_at=T0 - timedelta(days=rng.randrange(5)),
                updated_at=T0 + timedelta(minutes=rng.randrange(4)),
                sla_next_due_at=T0 + timedelta(hours=rng.randrange(6)),
            )
        )
    return crowd


def expected_order(desk: Desk, tickets: list[Ticket], sort: str, direction: str) -> list[str]:
    key = {
        "updated": lambda t: t.updated_at,
        "created": lambda t: t.created_at,
        "priority": lambda t: PRIORITY_RANK[t.priority],
        "number": lambda t: t.number,
        "due": lambda t: t.sla_next_due_at,
    }[sort]
    ordered = sorted(tickets, key=lambda t: (key(t), t.id), reverse=direction == "desc")
    return [f"{'HH' if t.project_id == desk.hh else 'XY'}-{t.number}" for t in ordered]


@pytest.mark.parametrize("direction", ["desc", "asc"])
@pytest.mark.parametrize("sort", SORTS)
def test_walking_every_page_returns_each_ticket_once_in_sort_order_with_ties_broken_by_id(
    session, desk, crowd, sort, direction
):
    query = TicketQuery(sort=sort, direction=direction, page_size=7)
    seen, pages = walk(session, desk.admin, query)
    assert seen == expected_order(desk, crowd, sort, direction)
    assert pages == 18  # 17 full pages of 7, then 1 ticket


def test_pages_of_a_filtered_list_for_an_agent(session, desk, crowd):
    query = TicketQuery(sort="priority", priorities=("high", "urgent", "low"), page_size=5)
    mine = [t for t in crowd if t.project_id == desk.hh and t.priority != "normal"]
    assert walk(session, desk.agent, query)[0] == expected_order(desk, mine, "priority", "desc")


def test_the_last_full_page_has_no_next_cursor(session, desk, crowd):
    page = list_tickets(session=session, actor=desk.admin, query=TicketQuery(page_size=120))
    assert (len(page.rows), page.next_cursor) == (120, None)
    assert walk(session, desk.admin, TicketQuery(page_size=40))[1] == 3


def test_default_order_is_most_recently_updated_first(session, desk):
    make_ticket(session, desk.hh, desk.client, updated_at=T0 + timedelta(hours=1))
    make_ticket(session, desk.hh, desk.client, updated_at=T0 + timedelta(hours=3))
    make_ticket(session, desk.hh, desk.client, updated_at=T0 + timedelta(hours=2))
    assert numbers(session, desk.admin) == ["HH-2", "HH-3", "HH-1"]


def test_priority_sort_puts_urgent_before_high_before_normal_before_low(session, desk):
    for priority in ("normal", "urgent", "low", "high"):
        make_ticket(session, desk.hh, desk.client, priority=priority)
    rows = list_tickets(session=session, actor=desk.admin, query=TicketQuery(sort="priority")).rows
    assert [row.priority for row in rows] == ["urgent", "high", "normal", "low"]


def test_rows_are_numbered_across_pages(session, desk, crowd):
    first = list_tickets(session=session, actor=desk.admin, query=TicketQuery(page_size=40))
    second = list_tickets(session=session, actor=desk.admin, query=TicketQuery(page_size=40, after=first.next_cursor))
    assert (first.first_row, second.first_row) == (1, 41)


def test_the_count_is_exact_below_the_cap_and_says_so_past_it(session, desk, monkeypatch):
    for i in range(7):
        make_ticket(session, desk.hh, desk.client if i < 5 else desk.other_client, f"Printer {i}")
    make_ticket(session, desk.xy, desk.client, "Scanner")

    def count(actor, **filters) -> TicketCount:
        return count_tickets(session=session, actor=actor, query=TicketQuery(**filters))

    assert count(desk.admin) == TicketCount(total=8, capped=False)
    assert count(desk.agent) == TicketCount(total=7, capped=False)  # HH only
    assert count(desk.client) == TicketCount(total=6, capped=False)  # their own
    assert count(desk.admin, text="printer") == TicketCount(total=7, capped=False)
    assert count(desk.idle_agent) == TicketCount(total=0, capped=False)
    monkeypatch.setattr(ticket_list, "COUNT_CAP", 5)
    assert count(desk.admin) == TicketCount(total=5, capped=True)
    assert count(desk.admin, project_keys=("XY",)) == TicketCount(total=1, capped=False)
    assert count(desk.admin, text="printer") == TicketCount(total=5, capped=True)


def garbage_cursors(valid: str) -> list[str]:
    def encoded(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return [
        "garbage",
        "!!!",
        "a" * 500,
        valid + "x",
        valid[:-2],
        encoded(b"not json"),
        encoded(b"\xff\xfe"),
        encoded(b'{"sort": "updated"}'),
        encoded(b'["updated","desc","yesterday",5,10]'),
        encoded(b'["updated","desc","2026-03-10T12:00:00",5,10]'),  # no time zone
        encoded(b'["updated","desc","2026-03-10T12:00:00+00:00",true,10]'),
        encoded(b'["updated","desc","2026-03-10T12:00:00+00:00",-1,10]'),
        encoded(b'["updated","desc","2026-03-10T12:00:00+00:00",99999999999999,10]'),
        encoded(b'["updated","desc","2026-03-10T12:00:00+00:00",5]'),  # no position (an older cursor)
        encoded(b'["updated","desc","2026-03-10T12:00:00+00:00",5,0]'),
        encoded(b'["updated","desc","2026-03-10T12:00:00+00:00",5,"10"]'),
        _encode_cursor("created", "desc", T0, 5, 10),  # another sort's cursor
        _encode_cursor("updated", "asc", T0, 5, 10),  # another direction's
        _encode_cursor("priority", "desc", 2, 5, 10),
    ]


def test_a_cursor_that_does_not_fit_the_query_means_the_first_page(session, desk, crowd):
    query = TicketQuery(page_size=10)
    first = list_tickets(session=session, actor=desk.admin, query=query)
    for cursor in garbage_cursors(first.next_cursor):
        assert list_tickets(session=session, actor=desk.admin, query=replace(query, after=cursor)) == first, cursor
        assert from_query_params({"after": cursor}).after is None, cursor


def test_a_priority_cursor_with_an_out_of_range_value_is_dropped():
    assert (
        from_query_params({"sort": "priority", "after": _encode_cursor("priority", "desc", 2**40, 1, 50)}).after is None
    )


# --- search ------------------------------------------------------------------------------------


@pytest.fixture
def texts(session, desk) -> Desk:
    hh1 = make_ticket(session, desk.hh, desk.client, "Export fails on Safari", description="The CSV download spins")
    make_ticket(session, desk.hh, desk.client, "Dark mode", description="Please add a dark theme to the dashboard")
    hh3 = make_ticket(session, desk.hh, desk.client, "Login loop")
    add_comment(session, hh3, desk.client, "Happens after the password reset email")
    add_comment(session, hh3, desk.agent, "Probably the session cookie samesite flag", is_internal=True)
    add_comment(session, hh1, desk.client, "Only with the beta flag on", deleted_at=T0)
    return desk


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("export", {"HH-1"}),  # a title word
        ("EXPORT safari", {"HH-1"}),  # case does not matter; every word must occur
        ("dashboard", {"HH-2"}),  # a description word
        ("password", {"HH-3"}),  # a word of a public comment
        ("export dashboard", set()),
        ("beta", set()),  # only in a deleted comment
        ("   ", {"HH-1", "HH-2", "HH-3"}),  # no text, no search
    ],
)
def test_search_matches_title_description_and_comment_words(session, texts, words, expected):
    assert found(session, texts.client, text=words) == expected
    assert found(session, texts.agent, text=words) == expected


def test_internal_note_text_is_searchable_by_staff_but_not_by_clients(session, texts):
    assert found(session, texts.agent, text="samesite") == {"HH-3"}
    assert found(session, texts.admin, text="samesite cookie") == {"HH-3"}
    assert found(session, texts.client, text="samesite") == set()


@pytest.mark.parametrize(
    ("text", "projects", "listed", "named"),
    [
        ("HH-2", (), {"HH-2"}, "HH-2"),
        ("hh-2", (), {"HH-2"}, "HH-2"),
        ("#2", ("HH",), {"HH-2"}, "HH-2"),
        ("2", ("HH",), {"HH-2"}, "HH-2"),
        ("#2", (), {"HH-2", "XY-2"}, None),  # number 2 of each project: listed, none named
        ("HH-9", (), set(), None),
        ("ZZ-2", (), set(), None),
    ],
)
def test_searching_a_ticket_number_finds_that_ticket(session, desk, text, projects, listed, named):
    for project in (desk.hh, desk.hh, desk.xy, desk.xy):
        make_ticket(session, project, desk.client, "Export fails")
    page = list_tickets(session=session, actor=desk.admin, query=TicketQuery(text=text, project_keys=projects))
    assert {row.number for row in page.rows} == listed
    assert page.named == named


def test_a_ticket_number_finds_only_what_the_actor_may_see(session, desk):
    make_ticket(session, desk.hh, desk.client)
    make_ticket(session, desk.xy, desk.client)
    make_ticket(session, desk.xy, desk.other_client)
    assert found(session, desk.agent, text="XY-1") == set()  # agent of HH only
    assert found(session, desk.agent, text="hh-1") == {"HH-1"}
    assert found(session, desk.other_client, text="XY-1") == set()
    assert found(session, desk.other_client, text="XY-2") == {"XY-2"}


def test_a_number_search_also_finds_the_number_in_text(session, desk):
    make_ticket(session, desk.hh, desk.client, "Export fails")
    make_ticket(session, desk.hh, desk.client, "Error 1 on login")
    assert found(session, desk.admin, text="1") == {"HH-1", "HH-2"}


def test_search_combines_with_filters_and_pages(session, desk):
    for i in range(12):
        make_ticket(session, desk.hh, desk.client, f"Printer jam {i}", priority="urgent" if i % 2 else "low")
    make_ticket(session, desk.hh, desk.client, "Scanner jam", priority="urgent")
    query = TicketQuery(text="printer jam", priorities=("urgent",), sort="number", direction="asc", page_size=4)
    assert walk(session, desk.admin, query) == (["HH-2", "HH-4", "HH-6", "HH-8", "HH-10", "HH-12"], 2)


def test_like_wildcards_in_search_text_are_literal(session, desk):
    make_ticket(session, desk.hh, desk.client, "Disk 100% full")
    make_ticket(session, desk.hh, desk.client, "Disk 100 full")
    make_ticket(session, desk.hh, desk.client, "Rename snake_case keys")
    make_ticket(session, desk.hh, desk.client, "Rename snakeXcase keys")
    make_ticket(session, desk.hh, desk.client, r"Path C:\temp breaks")
    make_ticket(session, desk.hh, desk.client, "Either/or")
    assert found(session, desk.admin, text="%") <= {"HH-1"}
    assert found(session, desk.admin, text="_") <= {"HH-3"}
    assert found(session, desk.admin, text="e_c") <= {"HH-3"}
    if not is_postgresql(session):  # PostgreSQL's parser drops punctuation; LIKE must match it literally
        assert found(session, desk.admin, text="%") == found(session, desk.admin, text="100%") == {"HH-1"}
        assert found(session, desk.admin, text="e_c") == {"HH-3"}
        assert found(session, desk.admin, text=r"C:\temp") == {"HH-5"}
        assert found(session, desk.admin, text="/") == {"HH-6"}


def test_search_on_postgresql_uses_the_full_text_indexes(session, texts):
    if not is_postgresql(session):
        pytest.skip("SQLite searches with LIKE and has no full-text index")
    indexes = set(session.exec(text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%_search'")).scalars())
    assert indexes == {"ix_tickets_search", "ix_comments_search"}
    statements = []
    engine = session.get_bind()

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        list_tickets(session=session, actor=texts.admin, query=TicketQuery(text="password"))
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    # The search's statement: the SLA badges of the page are read after it.
    statement, parameters = next(s for s in reversed(statements) if "search_document" in s[0])
    # On a handful of rows walking the table or the sort index is cheapest; take those plans away to see
    # that the search's expressions are the indexes' (else no plan could use them).
    session.exec(text("SET LOCAL enable_seqscan = off"))
    session.exec(text("SET LOCAL enable_indexscan = off"))
    session.exec(text("SET LOCAL enable_nestloop = off"))
    plan = "\n".join(session.connection().exec_driver_sql("EXPLAIN " + statement, parameters).scalars())
    assert "ix_tickets_search" in plan and "ix_comments_search" in plan, plan


# --- the query string --------------------------------------------------------------------------


def test_query_string_leaves_out_defaults_and_lists_values_once():
    assert to_query_string(TicketQuery()) == ""
    query = TicketQuery(
        text="export fails",
        project_keys=("xy", "HH", "XY"),
        priorities=("urgent", "high"),
        assignee="me",
        created_from=date(2026, 3, 1),
        sort="priority",
        direction="asc",
        page_size=100,
    )
    assert to_query_string(query) == (
        "q=export+fails&project=HH%2CXY&priority=high%2Curgent&assignee=me&from=2026-03-01&sort=priority&dir=asc&size=100"
    )


def test_invalid_query_params_are_dropped():
    query = from_query_params(
        {
            "q": "  printer  ",
            "project": ["hh,x", "XY", "1AB", "TOOLONGKEY123"],
            "type": "bug,Bug,no spaces",
            "status": ["new", ""],
            "category": "done,finished",
            "priority": "urgent,critical",
            "assignee": "someone",
            "from": "2026-02-30",
            "to": "2026-03-05",
            "sort": "title",
            "dir": "sideways",
            "size": "0",
            "after": "garbage",
            "unknown": "ignored",
        }
    )
    assert query == TicketQuery(
        text="printer",
        project_keys=("HH", "XY"),
        type_keys=("bug",),
        status_keys=("new",),
        status_categories=("done",),
        priorities=("urgent",),
        created_to=date(2026, 3, 5),
    )
    assert from_query_params({"size": "100000", "assignee": ["0", "42"], "q": "\x00"}) == TicketQuery(
        page_size=PAGE_SIZE_MAX, assignee=42
    )
    assert from_query_params({"q": "x" * 500}).text == "x" * TEXT_MAX


def test_a_query_built_in_code_with_wrong_values_is_a_programming_error():
    for bad in (
        {"sort": "title"},
        {"page_size": 0},
        {"page_size": PAGE_SIZE_MAX + 1},
        {"priorities": ("critical",)},
        {"project_keys": "HH"},
        {"assignee": "0"},
        {"created_from": T0},
        {"text": "a\x00b"},
    ):
        with pytest.raises(ValueError):
            TicketQuery(**bad)


keys = st.from_regex(KEY_PATTERN, fullmatch=True)


@st.composite
def ticket_queries(draw) -> TicketQuery:
    sort = draw(st.sampled_from(SORTS))
    direction = draw(st.sampled_from(["desc", "asc"]))
    if sort in ("updated", "created", "due"):
        value = draw(
            st.datetimes(timezones=st.just(UTC), min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
        )
    else:
        value = draw(st.integers(-1, 2**31 - 1))
    after = draw(
        st.none() | st.builds(lambda i: _encode_cursor(sort, direction, value, i, 50), st.integers(1, 2**31 - 1))
    )
    return TicketQuery(
        text=draw(st.text(max_size=TEXT_MAX).filter(lambda t: unstorable_reason(t) is None)),
        project_keys=tuple(draw(st.lists(st.from_regex(r"[A-Za-z][A-Za-z0-9]{1,9}", fullmatch=True), max_size=3))),
        type_keys=tuple(draw(st.lists(keys, max_size=3))),
        status_keys=tuple(draw(st.lists(keys, max_size=3))),
        status_categories=tuple(draw(st.lists(st.sampled_from(["todo", "in_progress", "done"])))),
        assignee=draw(st.none() | st.sampled_from(["me", "unassigned"]) | st.integers(1, 2**31 - 1)),
        priorities=tuple(draw(st.lists(st.sampled_from(list(PRIORITY_RANK))))),
        created_from=draw(st.none() | st.dates()),
        created_to=draw(st.none() | st.dates()),
        resolved_from=draw(st.none() | st.dates()),
        resolved_to=draw(st.none() | st.dates()),
        zone=draw(st.sampled_from(["", "UTC", "Europe/Berlin", "America/St_Johns"])),
        sort=sort,
        direction=direction,
        page_size=draw(st.integers(1, PAGE_SIZE_MAX)),
        after=after,
    )


@given(ticket_queries())
def test_query_string_round_trip_is_exact(query):
    assert from_query_params(parse_qs(to_query_string(query), keep_blank_values=True)) == query
    assert from_query_params(dict(parse_qs(to_query_string(query)))) == query


params = st.dictionaries(
    st.sampled_from(["q", "project", "type", "status", "category", "assignee", "priority"])
    | st.sampled_from(["from", "to", "resolved_from", "resolved_to", "tz", "sort", "dir", "size", "after"])
    | st.text(max_size=5),
    st.text() | st.lists(st.text(), max_size=3) | st.integers() | st.none(),
)


@given(params)
def test_any_url_parameters_give_a_query_that_round_trips(raw):
    query = from_query_params(raw)
    assert from_query_params(parse_qs(to_query_string(query))) == query


def test_all_matching_numbers_follow_the_lists_order_across_pages_up_to_the_limit(session):
    project = make_project(session, "MN")
    agent, client = person(session, "agent"), person(session, "client")
    add_member(session, project.id, agent, "agent")
    add_member(session, project.id, client, "client")
    for n in range(5):
        file_ticket(session, client, "MN", title=f"Numbat {n}")
    query = ticket_list.TicketQuery(project_keys=("MN",), sort="number", direction="asc", page_size=2)
    numbers = ticket_list.matching_numbers(session=session, actor=agent, query=query, limit=4)
    assert numbers == ["MN-1", "MN-2", "MN-3", "MN-4"]
