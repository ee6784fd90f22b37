"""Shared ground for the workflow editor's tests: project HH (software feedback) and an admin."""

from __future__ import annotations

import pytest

from tests.factories import make_project, make_user


@pytest.fixture
def admin(session):
    make_project(session, "HH")  # software feedback: Bug, Feature request, Question
    return make_user(session, "admin")
