"""Reading a workflow document: YAML parsed strictly, each complaint pointing at its line and key path.

Statuses, fields and every single value are checked by the specs the workflow editor uses
(`workflow_specs`); this module adds what only a whole document can get wrong (a key used twice,
no initial status, a move to a status that is not there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from tickit.models import Project
from tickit.services.errors import ServiceError
from tickit.services.lifecycle_settings import LifecycleSettings
from tickit.services.templates import intake_section, views_section
from tickit.services.templates.assignment import AssignmentSpec, read_assignment, read_type_skills
from tickit.services.templates.lifecycle_section import read_lifecycle
from tickit.services.templates.sla_section import SlaSpec, read_sla
from tickit.services.workflow_specs import (
    DEFAULT_TYPE_COLOR,
    DEFAULT_TYPE_ICON,
    TYPE_NAME_MAX,
    FieldSpec,
    StatusSpec,
    TypeSpec,
    check_color,
    check_key,
    check_role,
    column_length,
    text_rule,
)

_check_project_name = text_rule(column_length(Project, "name"))
_check_project_description = text_rule(column_length(Project, "description"), blank_ok=True)
_check_type_name = text_rule(TYPE_NAME_MAX)

KeyPath = tuple[str | int, ...]


class TemplateError(ServiceError):
    """A workflow document is malformed; the message names the source, the line and the key path."""

    def __init__(self, source: str, line: int, path: str, problem: str):
        self.source = source
        self.line = line
        self.path = path
        self.problem = problem
        where = f"{path}: " if path else ""
        super().__init__(f"{source} line {line}: {where}{problem}")


@dataclass(frozen=True)
class WorkflowDocument:
    name: str
    description: str
    types: list[TypeSpec]
    lifecycle: LifecycleSettings | None = None  # the `lifecycle:` section, when the document has one
    assignment: AssignmentSpec | None = None
    sla: SlaSpec | None = None  # the `sla:` section; None when the document has none
    intake: dict[str, Any] | None = None  # `intake_section`: the project's intake settings, as changes
    views: list[tuple[str, str]] = field(default_factory=list)  # `views_section`: shared views (name, query)


def _format_path(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Reader:
    """Validates constructed YAML data, pointing every complaint at the node it came from."""

    def __init__(self, source: str, root: yaml.Node):
        self.source = source
        self.root = root

    def locate(self, path: KeyPath) -> tuple[int, yaml.Node]:
        """The line of the deepest node along `path` that exists, and that node."""
        node, line = self.root, self.root.start_mark.line + 1
        for part in path:
            if isinstance(node, yaml.MappingNode):
                found = next(
                    ((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)),
                    None,
                )
                if found is None:
                    break
                line, node = found[0].start_mark.line + 1, found[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return line, node

    def fail(self, path: KeyPath, problem: str) -> TemplateError:
        return TemplateError(self.source, self.locate(path)[0], _format_path(path), problem)

    def mapping(self, value: Any, path: KeyPath, required: tuple[str, ...], optional: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a mapping with {', '.join(required)}")
        allowed = required + optional
        for key in value:
            if key not in allowed:
                raise self.fail(path + (str(key),), f"unknown key; expected one of {', '.join(allowed)}")
        for key in required:
            if key not in value:
                raise self.fail(path + (key,), "is required")
        return value

    def sequence(self, value: Any, path: KeyPath, *, one: str, many: str, at_least_one: bool) -> list:
        if not isinstance(value, list):
            raise self.fail(path, f"must be a list of {many}")
        if at_least_one and not value:
            raise self.fail(path, f"must list at least one {one}")
        return value

    def value(self, check: Any, value: Any, path: KeyPath) -> Any:
        """`value` as one of the workflow rules (`check_key`, `check_color`, ...) accepts it."""
        try:
            return check(value)
        except PydanticCustomError as exc:
            raise self._refusal(path, exc.type, exc.message(), exc.context or {}) from None

    def spec(self, model: type[BaseModel], value: Any, path: KeyPath) -> Any:
        """`value` as a `model` spec; the first problem found is the one reported."""
        fields = model.model_fields
        required = tuple(name for name, info in fields.items() if info.is_required())
        self.mapping(value, path, required, tuple(name for name in fields if name not in required))
        try:
            return model.model_validate(value)
        except ValidationError as exc:
            error = exc.errors()[0]
            context = error.get("ctx") or {}
            raise self._refusal(path + tuple(error["loc"]), error["type"], error["msg"], context) from None

    def _refusal(self, path: KeyPath, kind: str, message: str, context: dict[str, Any]) -> TemplateError:
        path = path + tuple(context.get("at", ()))
        if kind.endswith("text_type"):
            # Unquoted, `yes`, `1.0` or `2024-01-01` are not text to YAML.
            node = self.locate(path)[1]
            written = node.value if isinstance(node, yaml.ScalarNode) else context["type"]
            message = f"must be text; YAML reads {written} as a {context['type']}, so quote it"
        return self.fail(path, message)


def parse_workflow(text: str, source: str) -> WorkflowDocument:
    """Parse and strictly check a workflow document; raise TemplateError naming line and key path."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise TemplateError(source, 1, "", "the document is empty; expected name, description and types")
        _refuse_repeated_keys(source, root, ())
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(source, exc) from None
    except yaml.YAMLError as exc:
        raise TemplateError(source, 1, "", f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    return _read_document(_Reader(source, root), data)


def _syntax_error(source: str, exc: yaml.MarkedYAMLError) -> TemplateError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    problem = f"not valid YAML: {exc.problem or exc.context}"
    # PyYAML notices an unclosed bracket or quote lines later; say where it was opened.
    if exc.problem and exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
        problem += f" ({exc.context} started on line {exc.context_mark.line + 1})"
    return TemplateError(source, line, "", problem)


def _refuse_repeated_keys(source: str, node: yaml.Node, path: KeyPath) -> None:
    # PyYAML keeps the last of two equal keys without a word; in a workflow that hides a mistake.
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if name in seen:
                line, where = key_node.start_mark.line + 1, _format_path(path + (name,))
                raise TemplateError(source, line, where, "appears twice in this mapping")
            if name is not None:
                seen.add(name)
            _refuse_repeated_keys(source, value_node, path + (name,) if name is not None else path)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _refuse_repeated_keys(source, item, path + (index,))


def _read_document(reader: _Reader, data: Any) -> WorkflowDocument:
    doc = reader.mapping(
        data,
        (),
        ("name", "types"),
        ("description", "lifecycle", "assignment", "sla", intake_section.SECTION, views_section.SECTION),
    )
    name = reader.value(_check_project_name, doc["name"], ("name",))
    description = doc.get("description")
    description = "" if description is None else reader.value(_check_project_description, description, ("description",))
    items = reader.sequence(doc["types"], ("types",), one="ticket type", many="ticket types", at_least_one=True)
    types: list[TypeSpec] = []
    first_use: dict[str, int] = {}
    for index, item in enumerate(items):
        spec = _read_type(reader, item, ("types", index))
        if spec.key in first_use:
            raise reader.fail(
                ("types", index, "key"), f"{spec.key!r} is already the key of types[{first_use[spec.key]}]"
            )
        first_use[spec.key] = index
        types.append(spec)
    lifecycle = read_lifecycle(reader, doc["lifecycle"], ("lifecycle",)) if "lifecycle" in doc else None
    assignment = read_assignment(reader, doc["assignment"], ("assignment",)) if "assignment" in doc else None
    sla = None
    if "sla" in doc:
        sla = read_sla(reader, doc["sla"] or {}, ("sla",), list(first_use))
    intake = doc.get(intake_section.SECTION)
    if intake is not None:
        intake = intake_section.read_intake(reader, intake, (intake_section.SECTION,))
    views = doc.get(views_section.SECTION)
    views = views_section.read_views(reader, views, (views_section.SECTION,)) if views is not None else []
    return WorkflowDocument(
        name=name,
        description=description,
        types=types,
        lifecycle=lifecycle,
        assignment=assignment,
        sla=sla,
        intake=intake,
        views=views,
    )


def _read_type(reader: _Reader, value: Any, path: KeyPath) -> TypeSpec:
    item = reader.mapping(
        value,
        path,
        ("key", "name", "statuses"),
        (
            "color",
            "icon",
            "transitions",
            "fields",
            "staff_reply_status",
            "requester_reply_status",
            "skills",
            "field_skills",
        ),
    )
    key = reader.value(check_key, item["key"], path + ("key",))
    name = reader.value(_check_type_name, item["name"], path + ("name",))
    color = reader.value(check_color, item["color"], path + ("color",)) if "color" in item else DEFAULT_TYPE_COLOR
    icon = reader.value(check_key, item["icon"], path + ("icon",)) if "icon" in item else DEFAULT_TYPE_ICON

    statuses = _read_statuses(reader, item["statuses"], path + ("statuses",))
    transitions, roles = _read_transitions(
        reader, item.get("transitions", {}), path + ("transitions",), [s.key for s in statuses]
    )
    fields = _read_fields(reader, item.get("fields", []), path + ("fields",))
    reply_rules = _read_reply_rules(reader, item, path, statuses)
    skills, field_skills = read_type_skills(reader, item, path, fields)
    return TypeSpec(
        key=key,
        name=name,
        color=color,
        icon=icon,
        statuses=statuses,
        transitions=transitions,
        transition_roles=roles,
        fields=fields,
        **reply_rules,
        skills=skills,
        field_skills=field_skills,
    )


def _read_reply_rules(reader: _Reader, item: dict, path: KeyPath, statuses: list[StatusSpec]) -> dict[str, str]:
    """The type's `staff_reply_status` and `requester_reply_status`, each a key of one of its statuses."""
    known = [status.key for status in statuses]
    rules: dict[str, str] = {}
    for name in ("staff_reply_status", "requester_reply_status"):
        if name not in item:
            continue
        key = reader.value(check_key, item[name], path + (name,))
        if key not in known:
            raise reader.fail(
                path + (name,), f"{key!r} is not a status of this type (its statuses: {', '.join(known)})"
            )
        rules[name] = key
    return rules


def _read_statuses(reader: _Reader, value: Any, path: KeyPath) -> list[StatusSpec]:
    items = reader.sequence(value, path, one="status", many="statuses", at_least_one=True)
    statuses: list[StatusSpec] = []
    first_use: dict[str, int] = {}
    initial_at: int | None = None
    for index, raw in enumerate(items):
        at = path + (index,)
        status = reader.spec(StatusSpec, raw, at)
        if status.key in first_use:
            raise reader.fail(at + ("key",), f"{status.key!r} is already the key of statuses[{first_use[status.key]}]")
        first_use[status.key] = index
        if status.initial:
            if initial_at is not None:
                raise reader.fail(
                    at + ("initial",), f"only one status may be initial; statuses[{initial_at}] already is"
                )
            initial_at = index
        statuses.append(status)
    if initial_at is None:
        raise reader.fail(path, "exactly one status must have initial: true; none has")
    return statuses


def _read_transitions(
    reader: _Reader, value: Any, path: KeyPath, status_keys: list[str]
) -> tuple[dict[str, list[str]], dict[str, dict[str, str]]]:
    if not isinstance(value, dict):
        raise reader.fail(path, "must be a mapping from a status key to the list of status keys it may move to")
    known = ", ".join(status_keys)
    transitions: dict[str, list[str]] = {}
    roles: dict[str, dict[str, str]] = {}
    for source_key, targets in value.items():
        at = path + (str(source_key),)
        if source_key not in status_keys:
            raise reader.fail(at, f"is not a status of this type (its statuses: {known})")
        reader.sequence(targets, at, one="status key", many="status keys", at_least_one=False)
        transitions[source_key] = []
        for index, target in enumerate(targets):
            target_at = at + (index,)
            if isinstance(target, dict):
                entry = reader.mapping(target, target_at, ("to", "role"), ())
                role = reader.value(check_role, entry["role"], target_at + ("role",))
                target = entry["to"]
            else:
                role = None
            if target not in status_keys:
                raise reader.fail(target_at, f"{target!r} is not a status of this type (its statuses: {known})")
            if target == source_key:
                raise reader.fail(target_at, "a status cannot move to itself")
            if target in transitions[source_key]:
                raise reader.fail(target_at, f"{target!r} is listed twice")
            transitions[source_key].append(target)
            if role is not None:
                roles.setdefault(source_key, {})[target] = role
    return transitions, roles


def _read_fields(reader: _Reader, value: Any, path: KeyPath) -> list[FieldSpec]:
    items = reader.sequence(value, path, one="field", many="fields", at_least_one=False)
    fields: list[FieldSpec] = []
    first_use: dict[str, int] = {}
    for index, raw in enumerate(items):
        at = path + (index,)
        spec = reader.spec(FieldSpec, raw, at)
        if spec.key in first_use:
            raise reader.fail(at + ("key",), f"{spec.key!r} is already the key of fields[{first_use[spec.key]}]")
        first_use[spec.key] = index
        fields.append(spec)
    return fields
