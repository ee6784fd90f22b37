"""Writing a workflow document: a project's live workflow, in exactly the shape templates are written in."""

from __future__ import annotations

from typing import Any

import yaml
from sqlmodel import Session, select

from tickit.models import SavedView, TicketStatus, TicketTransition, TicketType, TicketTypeField
from tickit.services import intake_policy, sla_config
from tickit.services.access import get_project
from tickit.services.lifecycle_settings import settings_of
from tickit.services.templates import intake_section, views_section
from tickit.services.templates.assignment import (
    assignment_data,
    exported_assignment,
    exported_type_skills,
    type_skills_data,
)
from tickit.services.templates.documents import WorkflowDocument
from tickit.services.templates.lifecycle_section import lifecycle_data
from tickit.services.templates.sla_section import SlaSpec, sla_data
from tickit.services.workflow_specs import (
    DEFAULT_STATUS_COLOR,
    DEFAULT_TYPE_COLOR,
    DEFAULT_TYPE_ICON,
    SELECT_TYPES,
    FieldSpec,
    StatusSpec,
    TypeSpec,
)


def export_project(*, session: Session, project_key: str) -> str:
    """The project's live workflow (archived types and fields left out) as a workflow document."""
    project = get_project(session, project_key)
    types = session.exec(
        select(TicketType)
        .where(TicketType.project_id == project.id, TicketType.archived == False)  # noqa: E712
        .order_by(TicketType.sort_order, TicketType.id)
    ).all()
    document = WorkflowDocument(
        name=project.name,
        description=project.description,
        types=[_type_spec(session, ticket_type) for ticket_type in types],
        lifecycle=settings_of(project),
        assignment=exported_assignment(session, project.id),
        sla=sla_config.load_spec(session, project.id),
        intake=intake_section.intake_data(intake_policy.policy_of(session, project.id)),
        views=_shared_views(session, project.id),
    )
    return dump_workflow(document)


def _shared_views(session: Session, project_id: int) -> list[tuple[str, str]]:
    rows = session.exec(
        select(SavedView.name, SavedView.query)
        .where(SavedView.project_id == project_id)
        .order_by(SavedView.position, SavedView.id)
    ).all()
    return [(name, query) for name, query in rows]


def _type_spec(session: Session, ticket_type: TicketType) -> TypeSpec:
    statuses = session.exec(
        select(TicketStatus)
        .where(TicketStatus.type_id == ticket_type.id)
        .order_by(TicketStatus.sort_order, TicketStatus.id)
    ).all()
    position = {status.id: index for index, status in enumerate(statuses)}
    key_of = {status.id: status.key for status in statuses}
    rows = session.exec(select(TicketTransition).where(TicketTransition.type_id == ticket_type.id)).all()
    # Board order for both sides, so the same workflow always exports to the same text.
    rows = sorted(rows, key=lambda row: (position[row.from_status_id], position[row.to_status_id]))
    transitions: dict[str, list[str]] = {}
    roles: dict[str, dict[str, str]] = {}
    for row in rows:
        source, target = key_of[row.from_status_id], key_of[row.to_status_id]
        transitions.setdefault(source, []).append(target)
        if row.required_role:
            roles.setdefault(source, {})[target] = row.required_role
    fields = session.exec(
        select(TicketTypeField)
        .where(TicketTypeField.type_id == ticket_type.id, TicketTypeField.archived == False)  # noqa: E712
        .order_by(TicketTypeField.sort_order, TicketTypeField.id)
    ).all()
    return TypeSpec(
        key=ticket_type.key,
        name=ticket_type.name,
        color=ticket_type.color,
        icon=ticket_type.icon,
        statuses=[
            StatusSpec(
                key=status.key,
                name=status.name,
                category=status.category,
                initial=status.is_initial,
                pauses_sla=status.pauses_sla,
                color=status.color,
                public_label=status.public_label,
                closed=status.closes,
            )
            for status in statuses
        ],
        transitions=transitions,
        transition_roles=roles,
        staff_reply_status=ticket_type.staff_reply_status,
        requester_reply_status=ticket_type.requester_reply_status,
        fields=[
            FieldSpec(
                key=row.key,
                label=row.label,
                type=row.field_type,
                required=row.required,
                options=[{"key": option["key"], "label": option["label"]} for option in row.options],
                decimal_places=row.decimal_places,
                visible_to_requester=row.visible_to_requester,
            )
            for row in fields
        ],
        **exported_type_skills(session, ticket_type.id),
    )


class _Flow(dict):
    """A mapping written on one line, as statuses, fields and options are."""


class _FlowList(list):
    """A list written on one line, as transition targets are."""


class _Dumper(yaml.SafeDumper):
    # Indent block lists under their key ("types:\n  - key: bug"), as hand-written YAML does.
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(_Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(str, _represent_text)


def dump_workflow(document: WorkflowDocument) -> str:
    """The document as YAML in the template shape; defaults are left out so it reads like the files."""
    data = {
        "name": document.name,
        "description": document.description,
        **assignment_data(document.assignment),
        "types": [_type_data(spec) for spec in document.types],
    }
    if document.lifecycle is not None and (lifecycle := lifecycle_data(document.lifecycle)):
        data["lifecycle"] = lifecycle
    if document.sla is not None:
        data["sla"] = sla_data(document.sla, _Flow, _FlowList)
    if document.intake:
        data[intake_section.SECTION] = document.intake
    if views := views_section.views_data(document.views):
        data[views_section.SECTION] = [_Flow(view) for view in views]
    # A very wide line limit: a status or field stays on its one line however long it is.
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 16)


def _type_data(spec: TypeSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"key": spec.key, "name": spec.name}
    if spec.color != DEFAULT_TYPE_COLOR:
        data["color"] = spec.color
    if spec.icon != DEFAULT_TYPE_ICON:
        data["icon"] = spec.icon
    data["statuses"] = [_status_data(status) for status in spec.statuses]
    data["transitions"] = {
        source: _FlowList(
            _Flow(to=target, role=spec.transition_roles[source][target])
            if target in spec.transition_roles.get(source, {})
            else target
            for target in targets
        )
        for source, targets in spec.transitions.items()
    }
    if spec.staff_reply_status:
        data["staff_reply_status"] = spec.staff_reply_status
    if spec.requester_reply_status:
        data["requester_reply_status"] = spec.requester_reply_status
    data["fields"] = [_field_data(field_spec) for field_spec in spec.fields]
    data.update(type_skills_data(spec, one_line_map=_Flow, one_line_list=_FlowList))
    return data


def _status_data(status: StatusSpec) -> _Flow:
    data = _Flow(key=status.key, name=status.name, category=status.category)
    if status.initial:
        data["initial"] = True
    if status.pauses_sla:
        data["pauses_sla"] = True
    if status.color != DEFAULT_STATUS_COLOR:
        data["color"] = status.color
    if status.public_label:
        data["public_label"] = status.public_label
    if status.closed:
        data["closed"] = True
    return data


def _field_data(field_spec: FieldSpec) -> _Flow:
    data = _Flow(key=field_spec.key, label=field_spec.label, type=field_spec.type)
    if field_spec.required:
        data["required"] = True
    if field_spec.type in SELECT_TYPES:
        data["options"] = [
            option["key"] if option["key"] == option["label"] else _Flow(key=option["key"], label=option["label"])
            for option in field_spec.options
        ]
    if field_spec.decimal_places is not None:
        data["decimal_places"] = field_spec.decimal_places
    if not field_spec.visible_to_requester:
        data["visible_to_requester"] = False
    return data


def dump_sla_section(spec: SlaSpec | None) -> str:
    """A document holding only the `sla:` section, as the project's SLA page edits it."""
    data = {"sla": sla_data(spec or SlaSpec(), _Flow, _FlowList)}
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 16)
