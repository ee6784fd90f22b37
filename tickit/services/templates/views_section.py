"""The `views:` section of a project's YAML: the saved views shared with the project's agents.

```yaml
views:
  - {name: Unassigned, query: 'category=in_progress,todo&assignee=unassigned'}
  - {name: SLA breached, query: 'category=in_progress,todo&sla=breached'}
```
`query` is the ticket list's query string, as its address shows it (filters and sort). Views in
the order they stand in the sidebar; an export writes the project's shared views (personal views
are their owners' own and stay out).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from tickit.models.views import VIEW_NAME_MAX, VIEW_QUERY_MAX

SECTION = "views"


def read_views(reader: Any, value: Any, path: tuple) -> list[tuple[str, str]]:
    """The section's views as (name, canonical query string); TemplateError (line-numbered) when malformed."""
    # Imported here: the list imports project setup, which reads templates (this module) as it loads.
    from tickit.services import ticket_list

    items = reader.sequence(value, path, one="view", many="views", at_least_one=False)
    views = []
    for index, item in enumerate(items):
        at = path + (index,)
        view = reader.mapping(item, at, ("name", "query"), ())
        name, query = view["name"], view["query"]
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > VIEW_NAME_MAX:
            raise reader.fail(at + ("name",), f"must be text of 1 to {VIEW_NAME_MAX} characters")
        if not isinstance(query, str) or len(query) > VIEW_QUERY_MAX:
            raise reader.fail(at + ("query",), "must be the ticket list's query string, quoted")
        canonical = ticket_list.to_query_string(ticket_list.from_query_params(parse_qs(query)))
        if query.strip() and not canonical:
            raise reader.fail(at + ("query",), "names no filter the ticket list knows")
        views.append((name.strip(), canonical))
    return views


def views_data(views: list[tuple[str, str]]) -> list[dict[str, str]] | None:
    """The section as an export writes it; None when the project shares no view."""
    # Commas as typed, not %2C: the query reads as the list's address shows it (parse_qs takes both).
    return [{"name": name, "query": query.replace("%2C", ",")} for name, query in views] or None
