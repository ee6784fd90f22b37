"""A project's SLA set-up as rows: calendars, ordered policies, escalation contacts.

The set-up is read and written whole, as the `sla:` section of a project document
(`templates.sla_section`) describes it: the admin page, `tickit project import` and project
creation from a template all save a spec through `replace_config`, and export reads one back
with `load_spec`. Saving re-times every open ticket of the project (`sla.recompute_project`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, update
from sqlmodel import Session, select

from tickit.models import Project, SlaCalendar, SlaEscalationContact, SlaPolicy, Ticket, User
from tickit.services.business_hours import ROUND_THE_CLOCK, Calendar
from tickit.services.errors import ValidationFailed
from tickit.services.templates.sla_section import REASSIGN_QUEUE, CalendarSpec, PolicySpec, SlaSpec, TargetSpec


@dataclass(frozen=True)
class LoadedPolicy:
    """A policy ready to time tickets: its row and its calendar."""

    policy: SlaPolicy
    calendar: Calendar
    calendar_key: str | None

    def matches(self, type_key: str, priority: str) -> bool:
        types, priorities = self.policy.type_keys, self.policy.priorities
        return (not types or type_key in types) and (not priorities or priority in priorities)

    def target_minutes(self, priority: str, target: str) -> int | None:
        """Business minutes of the `first_response` or `resolution` target at `priority`; None when it has none."""
        entry = self.policy.targets.get(priority)
        return None if entry is None else entry[target]


def load_policies(session: Session, project_id: int) -> list[LoadedPolicy]:
    """The project's policies in order, each with the calendar it times on."""
    rows = session.exec(
        select(SlaPolicy, SlaCalendar)
        .outerjoin(SlaCalendar, SlaCalendar.id == SlaPolicy.calendar_id)
        .where(SlaPolicy.project_id == project_id)
        .order_by(SlaPolicy.position, SlaPolicy.id)
    ).all()
    return [
        LoadedPolicy(policy, _calendar(row) if row is not None else ROUND_THE_CLOCK, row.key if row else None)
        for policy, row in rows
    ]


def calendars(session: Session, project_id: int) -> dict[str, Calendar]:
    """The project's business-hours calendars by key."""
    rows = session.exec(select(SlaCalendar).where(SlaCalendar.project_id == project_id))
    return {row.key: _calendar(row) for row in rows}


def calendar_for(session: Session, project_id: int, key: str | None) -> Calendar | None:
    """The project's calendar `key` (None: round the clock); None when the project has no such calendar."""
    if key is None:
        return ROUND_THE_CLOCK
    row = session.exec(select(SlaCalendar).where(SlaCalendar.project_id == project_id, SlaCalendar.key == key)).first()
    return _calendar(row) if row is not None else None


def _calendar(row: SlaCalendar) -> Calendar:
    return _calendar_spec(row).calendar()


def _calendar_spec(row: SlaCalendar) -> CalendarSpec:
    return CalendarSpec(
        key=row.key,
        timezone=row.timezone,
        week=dict(row.week),
        holidays=tuple(date.fromisoformat(day) for day in row.holidays),
        country=row.country,
        subdivision=row.subdivision,
    )


def load_spec(session: Session, project_id: int) -> SlaSpec | None:
    """The project's set-up as a spec; None when it has neither calendars nor policies."""
    calendars = session.exec(
        select(SlaCalendar).where(SlaCalendar.project_id == project_id).order_by(SlaCalendar.id)
    ).all()
    policies = load_policies(session, project_id)
    contacts = session.exec(
        select(User.email)
        .join(SlaEscalationContact, SlaEscalationContact.user_id == User.id)
        .where(SlaEscalationContact.project_id == project_id)
        .order_by(User.email)
    ).all()
    if not calendars and not policies and not contacts:
        return None
    emails = dict(session.exec(select(User.id, User.email).where(User.id.in_(_reassign_ids(policies)))).all())
    return SlaSpec(
        calendars=tuple(_calendar_spec(row) for row in calendars),
        policies=tuple(_policy_spec(loaded, emails) for loaded in policies),
        escalation_contacts=tuple(contacts),
    )


def _reassign_ids(policies: list[LoadedPolicy]) -> list[int]:
    return [p.policy.reassign_to_id for p in policies if p.policy.reassign_to_id is not None]


def _policy_spec(loaded: LoadedPolicy, emails: dict[int, str]) -> PolicySpec:
    policy = loaded.policy
    reassign = policy.reassign
    if reassign == "agent":
        reassign = emails.get(policy.reassign_to_id, "")
    return PolicySpec(
        name=policy.name,
        targets={p: TargetSpec(t["first_response"], t["resolution"]) for p, t in policy.targets.items()},
        calendar=loaded.calendar_key,
        types=tuple(policy.type_keys),
        priorities=tuple(policy.priorities),
        warn_percent=policy.warn_percent,
        raise_priority=policy.raise_priority,
        reassign=reassign,
    )


def replace_config(session: Session, project: Project, spec: SlaSpec) -> None:
    """Make `spec` the project's whole SLA set-up (no permission check: callers check); the caller commits.

    ValidationFailed (`sla`) when an email names no staff account. Tickets are re-timed by the
    caller (`sla.recompute_project`), which knows the time.
    """
    users = _staff_by_email(session, [*spec.escalation_contacts, *(p.reassign for p in spec.policies)])
    # Policies point at calendars and tickets at policies: unhook, then replace.
    session.exec(update(Ticket).where(Ticket.project_id == project.id).values(sla_policy_id=None))
    session.exec(delete(SlaPolicy).where(SlaPolicy.project_id == project.id))
    session.exec(delete(SlaCalendar).where(SlaCalendar.project_id == project.id))
    session.exec(delete(SlaEscalationContact).where(SlaEscalationContact.project_id == project.id))
    calendar_ids = {}
    for calendar in spec.calendars:
        row = SlaCalendar(
            project_id=project.id,
            key=calendar.key,
            timezone=calendar.timezone,
            week=dict(calendar.week),
            holidays=[day.isoformat() for day in calendar.holidays],
            country=calendar.country,
            subdivision=calendar.subdivision,
        )
        session.add(row)
        session.flush()
        calendar_ids[calendar.key] = row.id
    for position, policy in enumerate(spec.policies):
        agent = users.get(policy.reassign) if policy.reassign not in ("", REASSIGN_QUEUE) else None
        session.add(
            SlaPolicy(
                project_id=project.id,
                position=position,
                name=policy.name,
                calendar_id=calendar_ids[policy.calendar] if policy.calendar else None,
                type_keys=list(policy.types),
                priorities=list(policy.priorities),
                targets={
                    p: {"first_response": t.first_response, "resolution": t.resolution}
                    for p, t in policy.targets.items()
                },
                warn_percent=policy.warn_percent,
                raise_priority=policy.raise_priority,
                reassign="agent" if agent else policy.reassign,
                reassign_to_id=agent.id if agent else None,
            )
        )
    for email in dict.fromkeys(spec.escalation_contacts):
        session.add(SlaEscalationContact(project_id=project.id, user_id=users[email].id))
    session.flush()


def _staff_by_email(session: Session, emails: list[str]) -> dict[str, User]:
    wanted = {e for e in emails if e and e != REASSIGN_QUEUE}
    found = {u.email: u for u in session.exec(select(User).where(User.email.in_(wanted))).all()} if wanted else {}
    for email in sorted(wanted):
        user = found.get(email)
        if user is None or not user.is_active or user.role not in ("agent", "admin"):
            raise ValidationFailed({"sla": f"{email} is not an active agent's or admin's account."})
    return found
