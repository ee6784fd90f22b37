"""The `sla:` section of a project document: calendars, ordered policies and escalation contacts.

Read strictly, with each complaint pointing at its line and key path as the rest of the document
reader does; written back in the same shape, so export then import round-trips:

    sla:
      calendars:
        office: {timezone: Europe/Berlin, week: {mon: "09:00-17:00", ...}, holidays: ["2026-12-24"], country: DE}
      policies:
        - name: Standard
          calendar: office            # omitted: round the clock
          when: {types: [bug], priorities: [urgent, high]}   # omitted: every ticket
          targets: {urgent: {first_response: 1h, resolution: 8h}}
          warn_at: 80%                # omitted: 80%
          on_breach: {raise_priority: true, reassign: queue}  # or reassign: agent@example.com
      escalation_contacts: [lead@example.com]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from tickit.models import Priority
from tickit.services.business_hours import (
    WEEKDAYS,
    Calendar,
    CalendarError,
    format_duration,
    format_windows,
    parse_duration,
    parse_windows,
)
from tickit.services.workflow_specs import check_key

PRIORITIES = tuple(p.value for p in Priority)
POLICY_NAME_MAX = 100
DEFAULT_WARN_PERCENT = 80
REASSIGN_QUEUE = "queue"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PERCENT = re.compile(r"^([1-9][0-9]?)%$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_SUBDIVISION = re.compile(r"^[A-Z0-9]{1,10}$")

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class CalendarSpec:
    key: str
    timezone: str
    week: dict[str, str]  # weekday -> windows as written ("09:00-12:00,13:00-17:00"); closed days left out
    holidays: tuple[date, ...] = ()
    country: str | None = None
    subdivision: str | None = None

    def calendar(self) -> Calendar:
        """The calendar to compute with (CalendarError if the zone or country is unknown)."""
        return Calendar(
            timezone=self.timezone,
            week=tuple(parse_windows(self.week.get(day, "")) for day in WEEKDAYS),
            holidays=frozenset(self.holidays),
            country=self.country,
            subdivision=self.subdivision,
        )


@dataclass(frozen=True)
class TargetSpec:
    first_response: int  # business minutes
    resolution: int


@dataclass(frozen=True)
class PolicySpec:
    name: str
    targets: dict[str, TargetSpec]
    calendar: str | None = None  # a calendar key; None: round the clock
    types: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    warn_percent: int = DEFAULT_WARN_PERCENT
    raise_priority: bool = False
    reassign: str = ""  # "", "queue", or an agent's email


@dataclass(frozen=True)
class SlaSpec:
    calendars: tuple[CalendarSpec, ...] = ()
    policies: tuple[PolicySpec, ...] = ()
    escalation_contacts: tuple[str, ...] = field(default=())


def read_sla(reader: Any, value: Any, path: KeyPath, type_keys: list[str] | None) -> SlaSpec:
    """The `sla` mapping as a spec; `reader` is the document reader (its `fail` locates the line).

    `type_keys`, when given, are the types a policy's `when.types` may name.
    """
    section = reader.mapping(value, path, (), ("calendars", "policies", "escalation_contacts"))
    calendars_raw = section.get("calendars") or {}
    if not isinstance(calendars_raw, dict):
        raise reader.fail(path + ("calendars",), "must be a mapping from a calendar key to its calendar")
    calendars = tuple(
        _read_calendar(reader, key, raw, path + ("calendars", str(key))) for key, raw in calendars_raw.items()
    )
    known_calendars = [c.key for c in calendars]
    items = reader.sequence(
        section.get("policies") or [], path + ("policies",), one="policy", many="policies", at_least_one=False
    )
    policies = []
    names: dict[str, int] = {}
    for index, raw in enumerate(items):
        policy = _read_policy(reader, raw, path + ("policies", index), known_calendars, type_keys)
        if policy.name in names:
            raise reader.fail(
                path + ("policies", index, "name"),
                f"{policy.name!r} is already the name of policies[{names[policy.name]}]",
            )
        names[policy.name] = index
        policies.append(policy)
    contacts_raw = reader.sequence(
        section.get("escalation_contacts") or [],
        path + ("escalation_contacts",),
        one="email",
        many="emails",
        at_least_one=False,
    )
    contacts = tuple(_read_email(reader, raw, path + ("escalation_contacts", i)) for i, raw in enumerate(contacts_raw))
    return SlaSpec(calendars=calendars, policies=tuple(policies), escalation_contacts=contacts)


def _read_calendar(reader: Any, key: Any, value: Any, path: KeyPath) -> CalendarSpec:
    key = reader.value(check_key, key, path)
    item = reader.mapping(value, path, ("timezone", "week"), ("holidays", "country", "subdivision"))
    week_raw = item["week"]
    if not isinstance(week_raw, dict):
        raise reader.fail(path + ("week",), f'must map weekdays ({", ".join(WEEKDAYS)}) to windows like "09:00-17:00"')
    week: dict[str, str] = {}
    for day, windows in week_raw.items():
        if day not in WEEKDAYS:
            raise reader.fail(path + ("week", str(day)), f"is not a weekday; use {', '.join(WEEKDAYS)}")
        if not isinstance(windows, str):
            raise reader.fail(path + ("week", day), 'must be text like "09:00-17:00"; quote it')
        try:
            parsed = parse_windows(windows)
        except CalendarError as exc:
            raise reader.fail(path + ("week", day), str(exc)) from None
        if parsed:
            week[day] = format_windows(parsed)
    holidays_raw = reader.sequence(
        item.get("holidays") or [], path + ("holidays",), one="date", many="dates", at_least_one=False
    )
    holidays = []
    for index, raw in enumerate(holidays_raw):
        try:
            day = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        except ValueError:
            raise reader.fail(path + ("holidays", index), f"{raw!r} is not a date like 2026-12-24") from None
        holidays.append(day)
    country = item.get("country")
    if country is not None and (not isinstance(country, str) or not _COUNTRY.match(country)):
        raise reader.fail(path + ("country",), "must be a two-letter country code like DE")
    subdivision = item.get("subdivision")
    if subdivision is not None:
        if country is None:
            raise reader.fail(path + ("subdivision",), "needs a country")
        if not isinstance(subdivision, str) or not _SUBDIVISION.match(subdivision):
            raise reader.fail(path + ("subdivision",), "must be a subdivision code like BY")
    timezone = item["timezone"]
    if not isinstance(timezone, str):
        raise reader.fail(path + ("timezone",), "must be an IANA time zone like Europe/Berlin")
    spec = CalendarSpec(
        key=key,
        timezone=timezone,
        week=week,
        holidays=tuple(sorted(set(holidays))),
        country=country,
        subdivision=subdivision,
    )
    try:
        spec.calendar()
    except CalendarError as exc:
        at = (
            "timezone"
            if "zone" in str(exc)
            else ("country" if "country" in str(exc) or "subdivision" in str(exc) else "week")
        )
        raise reader.fail(path + (at,), str(exc)) from None
    return spec


def _read_policy(
    reader: Any, value: Any, path: KeyPath, calendars: list[str], type_keys: list[str] | None
) -> PolicySpec:
    item = reader.mapping(value, path, ("name", "targets"), ("calendar", "when", "warn_at", "on_breach"))
    name = item["name"]
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > POLICY_NAME_MAX:
        raise reader.fail(path + ("name",), f"must be text of 1 to {POLICY_NAME_MAX} characters")
    calendar = item.get("calendar")
    if calendar is not None and calendar not in calendars:
        listed = ", ".join(calendars) or "none is defined"
        raise reader.fail(
            path + ("calendar",),
            f"{calendar!r} is not a calendar of this section ({listed}); omit it for round the clock",
        )
    when = reader.mapping(item.get("when") or {}, path + ("when",), (), ("types", "priorities"))
    types = reader.sequence(
        when.get("types") or [], path + ("when", "types"), one="type key", many="type keys", at_least_one=False
    )
    for index, key in enumerate(types):
        if type_keys is not None and key not in type_keys:
            raise reader.fail(
                path + ("when", "types", index),
                f"{key!r} is not a ticket type of this project ({', '.join(type_keys)})",
            )
    priorities = reader.sequence(
        when.get("priorities") or [],
        path + ("when", "priorities"),
        one="priority",
        many="priorities",
        at_least_one=False,
    )
    for index, priority in enumerate(priorities):
        if priority not in PRIORITIES:
            raise reader.fail(path + ("when", "priorities", index), f"must be one of {', '.join(PRIORITIES)}")
    targets_raw = item["targets"]
    if not isinstance(targets_raw, dict) or not targets_raw:
        raise reader.fail(path + ("targets",), "must map priorities to {first_response: 1h, resolution: 8h}")
    targets = {}
    for priority, raw in targets_raw.items():
        at = path + ("targets", str(priority))
        if priority not in PRIORITIES:
            raise reader.fail(at, f"is not a priority; use {', '.join(PRIORITIES)}")
        target = reader.mapping(raw, at, ("first_response", "resolution"), ())
        minutes = {}
        for name_ in ("first_response", "resolution"):
            try:
                minutes[name_] = parse_duration(str(target[name_]))
            except ValueError as exc:
                raise reader.fail(at + (name_,), str(exc)) from None
        targets[priority] = TargetSpec(**minutes)
    warn_percent = DEFAULT_WARN_PERCENT
    if "warn_at" in item:
        match = _PERCENT.match(str(item["warn_at"]))
        if not match:
            raise reader.fail(path + ("warn_at",), "must be a share of the target like 80%")
        warn_percent = int(match[1])
    breach = reader.mapping(item.get("on_breach") or {}, path + ("on_breach",), (), ("raise_priority", "reassign"))
    raise_priority = breach.get("raise_priority", False)
    if not isinstance(raise_priority, bool):
        raise reader.fail(path + ("on_breach", "raise_priority"), "must be true or false")
    reassign = breach.get("reassign") or ""
    if reassign and reassign != REASSIGN_QUEUE:
        reassign = _read_email(reader, reassign, path + ("on_breach", "reassign"), also="or queue")
    return PolicySpec(
        name=name.strip(),
        targets=targets,
        calendar=calendar,
        types=tuple(types),
        priorities=tuple(priorities),
        warn_percent=warn_percent,
        raise_priority=raise_priority,
        reassign=reassign,
    )


def _read_email(reader: Any, value: Any, path: KeyPath, also: str = "") -> str:
    if not isinstance(value, str) or not _EMAIL.match(value.strip()):
        raise reader.fail(path, f"must be a user's email{' ' + also if also else ''}")
    return value.strip().lower()


def parse_sla_section(text: str, source: str, type_keys: list[str]) -> SlaSpec:
    """A document holding only `sla:` (as the admin page edits it), read as strictly as a whole document."""
    # The document reader's machinery, imported here: the two modules read one format.
    from tickit.services.templates.documents import TemplateError, _Reader, _refuse_repeated_keys, _syntax_error

    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return SlaSpec()
        _refuse_repeated_keys(source, root, ())
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(source, exc) from None
    except yaml.YAMLError as exc:
        raise TemplateError(source, 1, "", f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    reader = _Reader(source, root)
    document = reader.mapping(data, (), ("sla",), ())
    return read_sla(reader, document["sla"] or {}, ("sla",), type_keys)


def sla_data(spec: SlaSpec, flow: type[dict], flow_list: type[list]) -> dict[str, Any]:
    """The spec as the `sla` mapping export writes; `flow`/`flow_list` mark what goes on one line."""
    data: dict[str, Any] = {}
    if spec.calendars:
        data["calendars"] = {c.key: _calendar_data(c, flow, flow_list) for c in spec.calendars}
    data["policies"] = [_policy_data(p, flow, flow_list) for p in spec.policies]
    if spec.escalation_contacts:
        data["escalation_contacts"] = flow_list(spec.escalation_contacts)
    return data


def _calendar_data(spec: CalendarSpec, flow: type[dict], flow_list: type[list]) -> dict:
    data = flow(timezone=spec.timezone, week=flow({day: spec.week[day] for day in WEEKDAYS if day in spec.week}))
    if spec.holidays:
        data["holidays"] = flow_list(day.isoformat() for day in spec.holidays)
    if spec.country:
        data["country"] = spec.country
    if spec.subdivision:
        data["subdivision"] = spec.subdivision
    return data


def _policy_data(spec: PolicySpec, flow: type[dict], flow_list: type[list]) -> dict[str, Any]:
    data: dict[str, Any] = {"name": spec.name}
    if spec.calendar:
        data["calendar"] = spec.calendar
    when = flow()
    if spec.types:
        when["types"] = flow_list(spec.types)
    if spec.priorities:
        when["priorities"] = flow_list(spec.priorities)
    if when:
        data["when"] = when
    # One priority a line: a policy's targets are what an admin reads and edits most.
    data["targets"] = dict(
        {
            priority: flow(
                first_response=format_duration(target.first_response), resolution=format_duration(target.resolution)
            )
            # Most urgent first, whatever order the database's JSON keeps the keys in.
            for priority, target in sorted(spec.targets.items(), key=lambda item: -PRIORITIES.index(item[0]))
        }
    )
    if spec.warn_percent != DEFAULT_WARN_PERCENT:
        data["warn_at"] = f"{spec.warn_percent}%"
    breach = flow()
    if spec.raise_priority:
        breach["raise_priority"] = True
    if spec.reassign:
        breach["reassign"] = spec.reassign
    if breach:
        data["on_breach"] = breach
    return data
