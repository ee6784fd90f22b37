"""The project document's `assignment:` section and its types' `skills` and `field_skills`.

```yaml
assignment: {strategy: least-load, require_skills: true}
types:
  - key: service_request
    skills: [it]                                   # every ticket of the type needs these
    field_skills: {request_kind: {hardware: [hardware], software: [licences]}}
```
Agents and their availability are people, not workflow: the document names none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from tickit.models import AssignmentRule, AssignmentStrategy, TicketTypeSkills
from tickit.services.assignment import normalise_skills
from tickit.services.assignment_admin import STRATEGIES, check_field_skills, select_options
from tickit.services.workflow_specs import SELECT_TYPES, FieldSpec, TypeSpec, check_flag

if TYPE_CHECKING:
    from tickit.services.templates.documents import KeyPath, _Reader


@dataclass(frozen=True)
class AssignmentSpec:
    strategy: str = AssignmentStrategy.OFF.value
    require_skills: bool = False


def read_assignment(reader: _Reader, value: Any, path: KeyPath) -> AssignmentSpec:
    """The `assignment:` section, strictly: a known strategy and an on/off `require_skills`."""
    section = reader.mapping(value, path, ("strategy",), ("require_skills",))
    if section["strategy"] not in STRATEGIES:
        raise reader.fail(path + ("strategy",), f"must be one of {', '.join(STRATEGIES)}")
    require = section.get("require_skills", False)
    require = reader.value(check_flag, require, path + ("require_skills",))
    return AssignmentSpec(strategy=section["strategy"], require_skills=require)


def read_type_skills(
    reader: _Reader, item: dict, path: KeyPath, fields: list[FieldSpec]
) -> tuple[list[str], dict[str, dict[str, list[str]]]]:
    """A type's `skills` and `field_skills` (keyed by its own select fields and their options)."""
    skills = reader.value(normalise_skills, item["skills"], path + ("skills",)) if "skills" in item else []
    options = {f.key: tuple(o["key"] for o in f.options) for f in fields if f.type in SELECT_TYPES}
    field_skills = (
        reader.value(lambda v: check_field_skills(v, options), item["field_skills"], path + ("field_skills",))
        if "field_skills" in item
        else {}
    )
    return skills, field_skills


def assignment_data(spec: AssignmentSpec | None) -> dict[str, Any]:
    """The section as the document writes it; nothing for a project that assigns nothing."""
    if spec is None or spec == AssignmentSpec():
        return {}
    data: dict[str, Any] = {"strategy": spec.strategy}
    if spec.require_skills:
        data["require_skills"] = True
    return {"assignment": data}


def type_skills_data(spec: TypeSpec, *, one_line_map: type[dict], one_line_list: type[list]) -> dict[str, Any]:
    """A type's `skills` and `field_skills` as the document writes them (left out when empty).

    The writer's one-line mapping and list types come in from it, as statuses are written: a
    field's options with their skills on one line each.
    """
    data: dict[str, Any] = {}
    if spec.skills:
        data["skills"] = one_line_list(spec.skills)
    if spec.field_skills:
        data["field_skills"] = {
            key: one_line_map({option: one_line_list(skills) for option, skills in by_option.items()})
            for key, by_option in spec.field_skills.items()
        }
    return data


def exported_assignment(session: Session, project_id: int) -> AssignmentSpec | None:
    """The project's rule as a spec (None when it has none)."""
    rule = session.get(AssignmentRule, project_id)
    return None if rule is None else AssignmentSpec(strategy=rule.strategy, require_skills=rule.require_skills)


def exported_type_skills(session: Session, type_id: int) -> dict[str, Any]:
    """A type's skills as TypeSpec arguments, leaving out options and fields removed since they were mapped."""
    row = session.get(TicketTypeSkills, type_id)
    if row is None:
        return {}
    live = select_options(session, type_id)
    field_skills = {
        key: {option: skills for option, skills in by_option.items() if option in live[key]}
        for key, by_option in row.field_skills.items()
        if key in live
    }
    return {"skills": list(row.skills), "field_skills": {key: value for key, value in field_skills.items() if value}}


def create_assignment_rows(session: Session, project_id: int, spec: AssignmentSpec | None) -> None:
    """Store an imported project's rule."""
    if spec is not None and spec != AssignmentSpec():
        session.add(AssignmentRule(project_id=project_id, strategy=spec.strategy, require_skills=spec.require_skills))


def create_type_skills_rows(session: Session, type_id: int, spec: TypeSpec) -> None:
    """Store an imported type's skills."""
    if spec.skills or spec.field_skills:
        session.add(TicketTypeSkills(type_id=type_id, skills=list(spec.skills), field_skills=dict(spec.field_skills)))
