"""The project document's `assignment:` section and the types' `skills`: strict, line-numbered, round-tripped."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tickit.models import TicketTypeField
from tickit.services.actors import SYSTEM
from tickit.services.project_setup import create_project
from tickit.services.templates import TemplateError, dump_workflow, export_project, parse_workflow

ROUTED = """\
name: Routed
description: Tickets that find their agent.
assignment:
  strategy: least-load
  require_skills: true
types:
  - key: request
    name: Request
    statuses:
      - {key: new, name: New, category: todo, initial: true}
      - {key: done, name: Done, category: done}
    transitions:
      new: [done]
    fields:
      - {key: topic, label: Topic, type: select, required: true, options: [billing, printers, other]}
    skills: [de]
    field_skills:
      topic: {billing: [billing], printers: [hardware, onsite]}
"""


def test_the_section_and_the_type_skills_are_read():
    document = parse_workflow(ROUTED, "routed.yaml")
    assert (document.assignment.strategy, document.assignment.require_skills) == ("least-load", True)
    assert document.types[0].skills == ["de"]
    assert document.types[0].field_skills == {"topic": {"billing": ["billing"], "printers": ["hardware", "onsite"]}}


def test_the_document_round_trips_exactly_and_names_no_agents():
    assert dump_workflow(parse_workflow(ROUTED, "routed.yaml")) == ROUTED


def test_a_document_without_the_section_assigns_nothing_and_writes_none():
    text = ROUTED.replace("assignment:\n  strategy: least-load\n  require_skills: true\n", "")
    document = parse_workflow(text, "plain.yaml")
    assert document.assignment is None
    assert "assignment" not in dump_workflow(document)


@pytest.mark.parametrize(
    ("old", "new", "line", "path", "problem"),
    [
        ("strategy: least-load", "strategy: fastest", 4, "assignment.strategy", "must be one of off, round-robin"),
        ("require_skills: true", "require_skills: maybe", 5, "assignment.require_skills", ""),
        ("  strategy: least-load\n", "", 3, "assignment.strategy", "is required"),
        ("skills: [de]", "skills: [de, 'two words']", 16, "types[0].skills[1]", "is not a skill tag"),
        ("topic: {billing", "subject: {billing", 18, "types[0].field_skills.subject", "is not a select field"),
        ("printers: [hardware", "fax: [hardware", 18, "types[0].field_skills.topic.fax", "is not an option of topic"),
    ],
)
def test_mistakes_are_refused_naming_line_and_key_path(old, new, line, path, problem):
    assert old in ROUTED
    with pytest.raises(TemplateError) as caught:
        parse_workflow(ROUTED.replace(old, new, 1), "routed.yaml")
    assert (caught.value.line, caught.value.path) == (line, path), str(caught.value)
    assert problem in caught.value.problem


def test_import_then_export_keeps_the_rule_and_the_skills(session):
    create_project(session=session, actor=SYSTEM, key="RT", name="Routed", workflow=parse_workflow(ROUTED, "r.yaml"))
    session.flush()
    assert export_project(session=session, project_key="RT") == ROUTED


def test_export_leaves_out_the_skills_of_a_field_archived_since(session):
    create_project(session=session, actor=SYSTEM, key="RT", name="Routed", workflow=parse_workflow(ROUTED, "r.yaml"))
    topic = session.exec(select(TicketTypeField).where(TicketTypeField.key == "topic")).one()
    topic.archived = True
    session.add(topic)
    session.flush()
    exported = export_project(session=session, project_key="RT")
    assert "field_skills" not in exported and "skills: [de]" in exported
    parse_workflow(exported, "again.yaml")  # imports cleanly
