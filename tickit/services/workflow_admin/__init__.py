"""Editing a project's workflow in place: ticket types, their statuses, transitions and fields.

Admin-only. Changes never lose data: a status that holds tickets is removed only by moving them
elsewhere (each move logged), a field is archived rather than deleted, an option that tickets use
cannot be removed, and relabelling keeps every key. Attributes are checked by the specs workflow
documents use (`tickit.services.workflow_specs`), so whatever the editor saves exports to a
document that imports again.
"""

from tickit.services.workflow_admin.details import FieldDetail, StatusDetail, TypeDetail
from tickit.services.workflow_admin.fields import (
    add_field,
    archive_field,
    reorder_fields,
    unarchive_field,
    update_field,
)
from tickit.services.workflow_admin.keys import key_from_name, key_problem
from tickit.services.workflow_admin.statuses import add_status, remove_status, reorder_statuses, update_status
from tickit.services.workflow_admin.transitions import set_transitions
from tickit.services.workflow_admin.types import (
    add_type,
    archive_type,
    list_types,
    type_detail,
    unarchive_type,
    update_type,
)

__all__ = [
    "FieldDetail",
    "StatusDetail",
    "TypeDetail",
    "add_field",
    "add_status",
    "add_type",
    "archive_field",
    "archive_type",
    "key_from_name",
    "key_problem",
    "list_types",
    "remove_status",
    "reorder_fields",
    "reorder_statuses",
    "set_transitions",
    "type_detail",
    "unarchive_field",
    "unarchive_type",
    "update_field",
    "update_status",
    "update_type",
]
