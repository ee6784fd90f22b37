"""Labels and colours are defined once, for every value, and the board's JSX restates none of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tickit import labels
from tickit.models import FieldType, Priority, Role, Source, StatusCategory
from tickit.services.workflow_specs import COLORS

KANBAN_JSX = Path(labels.__file__).parent / "components" / "kanban.jsx"


def test_every_category_priority_and_field_type_has_a_label_and_every_category_and_priority_a_colour():
    assert set(labels.CATEGORY_LABELS) == set(labels.CATEGORY_COLORS) == {c.value for c in StatusCategory}
    assert set(labels.PRIORITY_LABELS) == set(labels.PRIORITY_COLORS) == {p.value for p in Priority}
    assert set(labels.FIELD_TYPE_LABELS) == {t.value for t in FieldType}


def test_every_source_and_role_reads_as_a_label_not_its_stored_value():
    assert set(labels.SOURCE_LABELS) == {s.value for s in Source}
    assert set(labels.ROLE_LABELS) == {r.value for r in Role}
    assert labels.SOURCE_LABELS["api"] == "API"
    assert labels.ROLE_LABELS["admin"] == "Admin"


def test_the_board_gets_each_priority_as_its_label_and_colour():
    assert labels.PRIORITY_BADGES["urgent"] == {"label": "Urgent", "color": "red"}
    assert list(labels.PRIORITY_BADGES) == ["low", "normal", "high", "urgent"]


def test_the_board_jsx_restates_no_priority_label_or_colour():
    jsx = KANBAN_JSX.read_text()

    for priority in Priority:
        assert not re.search(rf"\b{priority.value}\s*:", jsx)
        assert f'"{labels.PRIORITY_LABELS[priority]}"' not in jsx


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 bytes"),
        (1023, "1023 bytes"),
        (1024, "1 KiB"),
        (1536, "1.5 KiB"),
        (25 * 1024**2, "25 MiB"),
        (int(2.25 * 1024**3), "2.2 GiB"),
    ],
)
def test_a_file_size_reads_in_the_largest_unit_it_fills(size, shown):
    assert labels.file_size(size) == shown


@pytest.mark.parametrize(
    ("color", "category", "shown"),
    [
        ("violet", "in_progress", "violet"),  # its own colour, whatever the category
        ("green", "done", "green"),  # Fixed, Resolved: coloured green by the workflow
        ("gray", "todo", "gray"),  # no colour of its own: the category's
        ("gray", "in_progress", "blue"),
        ("gray", "done", "gray"),  # Won't fix, Cancelled: done but not a success, never green
        ("", "in_progress", "blue"),
    ],
)
def test_a_status_has_one_colour_its_own_else_its_categorys_and_uncoloured_done_is_grey(color, category, shown):
    assert labels.status_color(color, category) == shown


def test_priorities_read_the_same_everywhere():
    assert (labels.priority_label("urgent"), labels.priority_color("urgent")) == ("Urgent", "red")
    assert (labels.priority_label("someday"), labels.priority_color("someday")) == ("Someday", "gray")


def test_every_status_colour_has_a_mail_colour():
    assert set(COLORS) == set(labels.MAIL_HEX)
    assert labels.mail_hex("unknown") == labels.MAIL_HEX["gray"]
