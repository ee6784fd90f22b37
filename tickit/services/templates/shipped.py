"""The workflow templates shipped as YAML files in `tickit/templates/`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tickit.services.errors import NotFound
from tickit.services.templates.documents import WorkflowDocument, parse_workflow

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True)
class TemplateInfo:
    slug: str
    name: str
    description: str
    type_names: tuple[str, ...]


def _template_paths() -> dict[str, Path]:
    return {path.stem: path for path in sorted(TEMPLATE_DIR.glob("*.yaml"))}


def list_templates() -> list[TemplateInfo]:
    """The templates shipped in `tickit/templates/`, by slug."""
    infos = []
    for slug in _template_paths():
        document = load_template(slug)
        infos.append(
            TemplateInfo(
                slug=slug,
                name=document.name,
                description=document.description,
                type_names=tuple(spec.name for spec in document.types),
            )
        )
    return infos


def load_template(slug: str) -> WorkflowDocument:
    """The parsed template `slug` (a file name without .yaml); NotFound names the ones there are."""
    paths = _template_paths()
    if slug not in paths:
        raise NotFound(f"no template named {slug!r}; available: {', '.join(paths)}")
    path = paths[slug]
    return parse_workflow(path.read_text(encoding="utf-8"), path.name)
