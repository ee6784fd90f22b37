"""The `intake:` section of a project's YAML: read strictly, applied on import, written back by export."""

from __future__ import annotations

import pytest

from tests.services.test_templates import TINY
from tickit.services import intake_policy, project_setup
from tickit.services.actors import SYSTEM
from tickit.services.templates import TemplateError, export_project, parse_workflow

WITH_INTAKE = (
    TINY
    + """\
intake:
  acknowledgement: false
  tickets_per_hour: 0
  comments_per_ten_minutes: 12
  clients_set_priority: true
"""
)


def test_an_imported_intake_section_sets_the_projects_rules_and_export_writes_it_back(session):
    project_setup.create_project(
        session=session, actor=SYSTEM, key="TY", name="Tiny", workflow=parse_workflow(WITH_INTAKE, "tiny.yaml")
    )

    assert intake_policy.read_intake(session=session, actor=SYSTEM, project_key="TY") == intake_policy.IntakePolicy(
        acknowledge=False, tickets_per_hour=0, comments_per_window=12, clients_set_priority=True
    )
    assert export_project(session=session, project_key="TY") == WITH_INTAKE


def test_a_project_at_the_defaults_exports_no_intake_section(session):
    project_setup.create_project(
        session=session, actor=SYSTEM, key="TY", name="Tiny", workflow=parse_workflow(TINY, "tiny.yaml")
    )
    assert "intake" not in export_project(session=session, project_key="TY")


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("intake:\n  tickets_per_hour: -1\n", "tiny.yaml line 14: intake.tickets_per_hour: must be a whole number"),
        ("intake:\n  acknowledgement: 'yes'\n", "tiny.yaml line 14: intake.acknowledgement: must be true or false"),
        ("intake:\n  survey: true\n", "tiny.yaml line 14: intake.survey: unknown key"),
    ],
)
def test_a_malformed_intake_section_is_refused_at_its_line(section, message):
    with pytest.raises(TemplateError) as refused:
        parse_workflow(TINY + section, "tiny.yaml")
    assert str(refused.value).startswith(message)
