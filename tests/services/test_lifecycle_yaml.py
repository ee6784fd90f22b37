"""The lifecycle parts of a project document: status labels and flags, reply rules, and the `lifecycle:` section."""

import pytest

from tickit.services import lifecycle
from tickit.services.actors import SYSTEM
from tickit.services.project_setup import create_project
from tickit.services.templates import TemplateError, export_project, parse_workflow

DOCUMENT = """\
name: Desk
description: ''
types:
  - key: question
    name: Question
    statuses:
      - {key: new, name: New, category: todo, initial: true}
      - {key: waiting, name: Waiting on customer, category: in_progress, public_label: Waiting for you}
      - {key: solved, name: Solved, category: done}
      - {key: closed, name: Closed, category: done, closed: true}
    transitions:
      new: [waiting, solved]
      waiting: [new, solved]
      solved: [new, closed]
    staff_reply_status: waiting
    requester_reply_status: new
    fields: []
lifecycle:
  reopen_window_days: 30
  auto_close_days: 0
  survey: false
"""


def test_a_document_with_lifecycle_settings_imports_and_exports_to_the_same_text(session):
    create_project(session=session, actor=SYSTEM, key="DK", name="Desk", workflow=parse_workflow(DOCUMENT, "desk.yaml"))
    settings = lifecycle.get_settings(session=session, actor=SYSTEM, project_key="DK")
    assert (settings.reopen_window_days, settings.auto_close_days, settings.survey_enabled) == (30, 0, False)
    assert export_project(session=session, project_key="DK") == DOCUMENT


@pytest.mark.parametrize(
    ("before", "after", "line", "problem"),
    [
        ("auto_close_days: 0", "auto_close_days: -1", 20, "lifecycle.auto_close_days: must be a whole number"),
        ("  survey: false", "  surveys: false", 21, "lifecycle.surveys: unknown key"),
        ("staff_reply_status: waiting", "staff_reply_status: gone", 15, "'gone' is not a status of this type"),
        ("category: in_progress, public_label", "category: in_progress, closed: true, public_label", 8, "only a done"),
    ],
)
def test_lifecycle_mistakes_are_reported_at_their_line(before, after, line, problem):
    with pytest.raises(TemplateError) as refused:
        parse_workflow(DOCUMENT.replace(before, after), "desk.yaml")
    assert refused.value.line == line and problem in str(refused.value)
