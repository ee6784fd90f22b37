"""Setting up automatic assignment: a project's rule, its agents' availability, capacity and skills,
and the skills its ticket types need. The choice itself lives in `assignment`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticCustomError
from sqlmodel import Session, select

from tickit.models import (
    WORKING_ROLES,
    AgentAvailability,
    AssignmentRule,
    AssignmentStrategy,
    FieldType,
    ProjectMember,
    TicketType,
    TicketTypeField,
    TicketTypeSkills,
    User,
    utcnow,
)
from tickit.services import assignment, audit
from tickit.services.access import project_to_configure
from tickit.services.actors import Actor, UserPublic, require_staff
from tickit.services.errors import NotFound, ValidationFailed

STRATEGIES = tuple(s.value for s in AssignmentStrategy)
CAPACITY_MAX = 10_000
_SELECT_TYPES = (FieldType.SELECT.value, FieldType.MULTI_SELECT.value)


@dataclass(frozen=True)
class AgentStanding:
    """An agent in a project's pool, as the assignment page lists them."""

    user_id: int
    name: str
    email: str
    available: bool
    capacity: int | None
    skills: tuple[str, ...]
    open: int
    calendar_key: str | None  # their working hours (one of the project's SLA calendars); None round the clock
    working: bool  # inside those hours now


@dataclass(frozen=True)
class OptionSkills:
    key: str
    label: str
    skills: tuple[str, ...]


@dataclass(frozen=True)
class FieldSkills:
    """A select field of a type, with the skills each of its options asks for."""

    key: str
    label: str
    options: tuple[OptionSkills, ...]


@dataclass(frozen=True)
class TypeSkillsView:
    key: str
    name: str
    skills: tuple[str, ...]
    fields: tuple[FieldSkills, ...]


@dataclass(frozen=True)
class AssignmentSettings:
    project_key: str
    project_name: str
    strategy: str
    require_skills: bool
    agents: tuple[AgentStanding, ...]
    types: tuple[TypeSkillsView, ...]
    calendars: tuple[str, ...]  # the keys of the project's SLA calendars: the working hours an agent may have


@dataclass(frozen=True)
class MyAvailability:
    """The signed-in agent's availability over the projects they work: `available_in` of `projects`."""

    projects: int
    available_in: int

    @property
    def available(self) -> bool:
        return self.available_in == self.projects


def assignment_settings(*, session: Session, actor: Actor, project_key: str) -> AssignmentSettings:
    """The project's rule, its agents' standing and its types' skills (admins and its project admins)."""
    project = project_to_configure(session, actor, project_key)
    rule = session.get(AssignmentRule, project.id) or AssignmentRule(project_id=project.id)
    agents = tuple(
        AgentStanding(
            user_id=c.user_id,
            name=c.name,
            email=c.email,
            available=c.available,
            capacity=c.capacity,
            skills=tuple(sorted(c.skills)),
            open=c.open,
            calendar_key=c.calendar_key,
            working=c.working,
        )
        for c in sorted(assignment.candidates(session, project.id, utcnow()), key=lambda c: (c.name.lower(), c.user_id))
    )
    return AssignmentSettings(
        project_key=project.key,
        project_name=project.name,
        strategy=rule.strategy,
        require_skills=rule.require_skills,
        agents=agents,
        types=tuple(_type_views(session, project.id)),
        calendars=tuple(assignment.calendar_keys(session, project.id)),
    )


def set_rule(*, session: Session, actor: Actor, project_key: str, changes: Mapping[str, Any]) -> AssignmentSettings:
    """Change the project's `strategy` (off, round-robin, least-load) and/or `require_skills`."""
    project = project_to_configure(session, actor, project_key)
    _refuse_unknown(changes, ("strategy", "require_skills"))
    rule = _rule_for_update(session, project.id)
    before = {"strategy": rule.strategy, "require_skills": rule.require_skills}
    if "strategy" in changes:
        if changes["strategy"] not in STRATEGIES:
            raise ValidationFailed({"strategy": f"Choose one of {', '.join(STRATEGIES)}."})
        rule.strategy = changes["strategy"]
    if "require_skills" in changes:
        rule.require_skills = _flag(changes["require_skills"], "require_skills")
    session.add(rule)
    session.flush()
    after = {"strategy": rule.strategy, "require_skills": rule.require_skills}
    audit.record_change(
        session, actor=actor, action=audit.ASSIGNMENT_EDITED, target=project.key, before=before, after=after
    )
    return assignment_settings(session=session, actor=actor, project_key=project.key)


def set_agent(
    *, session: Session, actor: Actor, project_key: str, user_id: int, changes: Mapping[str, Any]
) -> AgentStanding:
    """Change an agent's `available`, `capacity` (None: no limit), `skills` and/or `calendar` (the key
    of one of the project's SLA calendars, their working hours; None: round the clock) in the project
    (admins and its project admins)."""
    project = project_to_configure(session, actor, project_key)
    _refuse_unknown(changes, ("available", "capacity", "skills", "calendar"))
    standing = _standing(session, project.id, user_id)
    before = _standing_settings(standing)
    errors: dict[str, str] = {}
    if "available" in changes:
        standing.available = _flag(changes["available"], "available")
    if "capacity" in changes:
        try:
            standing.capacity = check_capacity(changes["capacity"])
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if "skills" in changes:
        try:
            standing.skills = assignment.normalise_skills(changes["skills"])
        except PydanticCustomError as exc:
            errors["skills"] = _sentence(exc)
    if "calendar" in changes:
        key = changes["calendar"]
        if key is not None and (not isinstance(key, str) or key not in assignment.calendar_keys(session, project.id)):
            known = ", ".join(assignment.calendar_keys(session, project.id)) or "none yet; add one on the SLA page"
            errors["calendar"] = f"Choose one of the project's calendars ({known}), or none for round the clock."
        else:
            standing.calendar_key = key
    if errors:
        raise ValidationFailed(errors)
    session.add(standing)
    session.flush()
    agent = session.get(User, user_id)
    audit.record_change(
        session,
        actor=actor,
        action=audit.ASSIGNMENT_EDITED,
        target=f"{project.key} · {agent.email if agent else user_id}",
        before=before,
        after=_standing_settings(standing),
    )
    return next(
        a
        for a in assignment_settings(session=session, actor=actor, project_key=project.key).agents
        if a.user_id == user_id
    )


def check_capacity(value: Any) -> int | None:
    """A capacity as stored: a whole number from 1 to CAPACITY_MAX, or None (empty) for no limit."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationFailed({"capacity": "Give a number of tickets, or leave it empty for no limit."})
    try:
        number = int(value.strip()) if isinstance(value, str) else value
    except ValueError:
        number = None
    if not isinstance(number, int) or not 1 <= number <= CAPACITY_MAX:
        limit = f"Give a whole number of open tickets from 1 to {CAPACITY_MAX:,}, or leave it empty for no limit."
        raise ValidationFailed({"capacity": limit})
    return number


def set_type_skills(
    *, session: Session, actor: Actor, project_key: str, type_key: str, changes: Mapping[str, Any]
) -> TypeSkillsView:
    """Change the skills a type always needs (`skills`) and those its select options ask for (`field_skills`)."""
    project = project_to_configure(session, actor, project_key)
    _refuse_unknown(changes, ("skills", "field_skills"))
    ticket_type = session.exec(
        select(TicketType).where(TicketType.project_id == project.id, TicketType.key == type_key)
    ).first()
    if ticket_type is None:
        raise NotFound(f"{project.key} has no ticket type {type_key!r}.")
    row = session.get(TicketTypeSkills, ticket_type.id) or TicketTypeSkills(type_id=ticket_type.id)
    before = {"skills": list(row.skills), "field_skills": dict(row.field_skills)}
    errors: dict[str, str] = {}
    if "skills" in changes:
        try:
            row.skills = assignment.normalise_skills(changes["skills"])
        except PydanticCustomError as exc:
            errors["skills"] = _sentence(exc)
    if "field_skills" in changes:
        try:
            row.field_skills = check_field_skills(changes["field_skills"], select_options(session, ticket_type.id))
        except PydanticCustomError as exc:
            at = ".".join(str(part) for part in (exc.context or {}).get("at", ()))
            errors[f"field_skills.{at}" if at else "field_skills"] = _sentence(exc)
    if errors:
        raise ValidationFailed(errors)
    session.add(row)
    session.flush()
    audit.record_change(
        session,
        actor=actor,
        action=audit.ASSIGNMENT_EDITED,
        target=f"{project.key} · {ticket_type.name}",
        before=before,
        after={"skills": row.skills, "field_skills": row.field_skills},
    )
    return next(v for v in _type_views(session, project.id) if v.key == type_key)


def check_field_skills(value: Any, select_options: Mapping[str, tuple[str, ...]]) -> dict[str, dict[str, list[str]]]:
    """`{field key: {option key: [skills]}}` for the type's select fields, options without skills left out.

    Raises PydanticCustomError with `at` pointing at the field or option at fault.
    """
    if not isinstance(value, dict):
        raise PydanticCustomError("field_skills_type", "must map a select field's key to {option: [skills]}")
    cleaned: dict[str, dict[str, list[str]]] = {}
    for field_key, by_option in value.items():
        if field_key not in select_options:
            known = ", ".join(select_options) or "none"
            raise PydanticCustomError(
                "field_skills_field",
                "is not a select field of this type (its select fields: {known})",
                {"at": (field_key,), "known": known},
            )
        if not isinstance(by_option, dict):
            raise PydanticCustomError(
                "field_skills_options", "must map an option key to a list of skills", {"at": (field_key,)}
            )
        for option, skills in by_option.items():
            if option not in select_options[field_key]:
                raise PydanticCustomError(
                    "field_skills_option",
                    "is not an option of {field} (its options: {known})",
                    {"at": (field_key, option), "field": field_key, "known": ", ".join(select_options[field_key])},
                )
            try:
                tags = assignment.normalise_skills(skills)
            except PydanticCustomError as exc:
                context = dict(exc.context or {})
                context["at"] = (field_key, option, *context.get("at", ()))
                raise PydanticCustomError(exc.type, exc.message_template, context) from None
            if tags:
                cleaned.setdefault(field_key, {})[option] = tags
    return cleaned


def my_availability(*, session: Session, actor: UserPublic) -> MyAvailability:
    """In how many of the projects they work the signed-in agent is available."""
    require_staff(actor)
    rows = session.exec(
        select(ProjectMember.project_id, AgentAvailability.available)
        .outerjoin(
            AgentAvailability,
            (AgentAvailability.project_id == ProjectMember.project_id) & (AgentAvailability.user_id == actor.id),
        )
        .where(ProjectMember.user_id == actor.id, ProjectMember.role.in_(WORKING_ROLES))
    ).all()
    return MyAvailability(projects=len(rows), available_in=sum(1 for _, available in rows if available is not False))


def set_my_availability(*, session: Session, actor: UserPublic, available: bool) -> MyAvailability:
    """Mark the signed-in agent available or away in every project they work, in one go."""
    require_staff(actor)
    available = _flag(available, "available")
    project_ids = session.exec(
        select(ProjectMember.project_id).where(ProjectMember.user_id == actor.id, ProjectMember.role.in_(WORKING_ROLES))
    ).all()
    for project_id in project_ids:
        standing = session.get(AgentAvailability, (project_id, actor.id)) or AgentAvailability(
            project_id=project_id, user_id=actor.id
        )
        standing.available = available
        session.add(standing)
    session.flush()
    return my_availability(session=session, actor=actor)


def _rule_for_update(session: Session, project_id: int) -> AssignmentRule:
    rule = session.exec(select(AssignmentRule).where(AssignmentRule.project_id == project_id).with_for_update()).first()
    return rule or AssignmentRule(project_id=project_id)


def _standing_settings(standing: AgentAvailability) -> dict[str, Any]:
    return {
        "available": standing.available,
        "capacity": standing.capacity,
        "skills": list(standing.skills),
        "calendar": standing.calendar_key,
    }


def _standing(session: Session, project_id: int, user_id: int) -> AgentAvailability:
    member = session.exec(
        select(ProjectMember).where(
            ProjectMember.project_id == project_id,
            ProjectMember.user_id == user_id,
            ProjectMember.role.in_(WORKING_ROLES),
        )
    ).first()
    if member is None:
        raise ValidationFailed({"user": "Only the project's agents have availability, capacity and skills."})
    return session.get(AgentAvailability, (project_id, user_id)) or AgentAvailability(
        project_id=project_id, user_id=user_id
    )


def select_options(session: Session, type_id: int) -> dict[str, tuple[str, ...]]:
    """The option keys of each live select field of the type."""
    rows = session.exec(
        select(TicketTypeField.key, TicketTypeField.options)
        .where(
            TicketTypeField.type_id == type_id,
            TicketTypeField.archived == False,  # noqa: E712
            TicketTypeField.field_type.in_(_SELECT_TYPES),
        )
        .order_by(TicketTypeField.sort_order, TicketTypeField.id)
    ).all()
    return {key: tuple(option["key"] for option in options) for key, options in rows}


def _type_views(session: Session, project_id: int) -> list[TypeSkillsView]:
    types = session.exec(
        select(TicketType)
        .where(TicketType.project_id == project_id, TicketType.archived == False)  # noqa: E712
        .order_by(TicketType.sort_order, TicketType.id)
    ).all()
    views = []
    for ticket_type in types:
        row = session.get(TicketTypeSkills, ticket_type.id) or TicketTypeSkills(type_id=ticket_type.id)
        select_fields = session.exec(
            select(TicketTypeField)
            .where(
                TicketTypeField.type_id == ticket_type.id,
                TicketTypeField.archived == False,  # noqa: E712
                TicketTypeField.field_type.in_(_SELECT_TYPES),
            )
            .order_by(TicketTypeField.sort_order, TicketTypeField.id)
        ).all()
        views.append(
            TypeSkillsView(
                key=ticket_type.key,
                name=ticket_type.name,
                skills=tuple(row.skills),
                fields=tuple(
                    FieldSkills(
                        key=f.key,
                        label=f.label,
                        options=tuple(
                            OptionSkills(o["key"], o["label"], tuple(row.field_skills.get(f.key, {}).get(o["key"], [])))
                            for o in f.options
                        ),
                    )
                    for f in select_fields
                ),
            )
        )
    return views


def _refuse_unknown(changes: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationFailed({key: f"Cannot change {key}; only {', '.join(allowed)}." for key in unknown})


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed({name: "Choose on or off."})
    return value


def _sentence(exc: PydanticCustomError) -> str:
    message = exc.message()
    return message[0].upper() + message[1:] + "."
