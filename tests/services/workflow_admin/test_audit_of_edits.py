"""Every workflow edit that goes through is in the audit log: who, which type, which change; a refused one is not."""

from __future__ import annotations

import pytest

from tests.services.workflow_admin.editing import detail, edit
from tickit.services import audit
from tickit.services.actors import SYSTEM
from tickit.services.errors import ValidationFailed


def test_a_workflow_edit_is_recorded_with_the_type_and_the_change(session, admin):
    before = detail(session, "bug").version
    edit(session, admin, "add_status", key="blocked", name="Blocked", category="in_progress")
    [entry] = audit.entries(session=session, actor=SYSTEM, action="workflow")
    assert (entry.action, entry.target, entry.actor) == ("workflow.edited", "HH · Bug", f"{admin.name} <{admin.email}>")
    assert entry.before == {"version": before} and entry.after == {"change": "add_status", "version": before + 1}


def test_a_refused_edit_leaves_no_entry(session, admin):
    with pytest.raises(ValidationFailed):
        edit(session, admin, "add_status", key="new", name="Again", category="todo")
    assert audit.entries(session=session, actor=SYSTEM, action="workflow") == []
