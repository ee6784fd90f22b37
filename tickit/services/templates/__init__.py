"""Workflow documents: the YAML shape of a project's ticket types, parsed strictly, shipped as
templates under `tickit/templates/`, and written back out by export in exactly the same shape."""

from tickit.services.templates.documents import TemplateError, WorkflowDocument, parse_workflow
from tickit.services.templates.export import dump_workflow, export_project
from tickit.services.templates.shipped import TEMPLATE_DIR, TemplateInfo, list_templates, load_template

__all__ = [
    "TEMPLATE_DIR",
    "TemplateError",
    "TemplateInfo",
    "WorkflowDocument",
    "dump_workflow",
    "export_project",
    "list_templates",
    "load_template",
    "parse_workflow",
]
