"""Saved views of the staff ticket list, and the sidebar's views with their counts.

- A view is a name over the list's query string (filters and sort; never a page cursor). It is
  personal (its owner's alone) or shared with a project (every agent of the project sees it, and
  any of them may reorder or remove it; the template of a project ships three). A shared view
  lists its project's tickets only, whatever its query says of projects.
- Every agent's sidebar starts with the built-ins "My open tickets" (assigned to them, not done)
  and "All tickets"; then their own views, then the shared views of the projects they work, each
  in its own order.
- The list opens on "My open tickets": /tickets with no query at all shows it to whoever works a
  project (`opening_query`). An admin who works none opens on every ticket, as before. Any address
  with a query keeps its meaning; every ticket is `/tickets?view=all` (`routes.ticket_list`).
- Counts are the list's own count, capped: past COUNT_CAP a view shows "999+". Each is one count
  query that stops reading at the cap, so a sidebar of ten views costs ten small queries a tick.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import parse_qs

from sqlalchemy import func
from sqlmodel import Session, or_, select

from tickit import routes
from tickit.models import WORKING_ROLES, MemberRole, Project, ProjectMember, SavedView
from tickit.models.views import VIEW_NAME_MAX
from tickit.services import ticket_list
from tickit.services.access import can_work, get_project
from tickit.services.actors import UserPublic, require_staff
from tickit.services.errors import NotFound, PermissionDenied, ValidationFailed
from tickit.services.fields import unstorable_reason
from tickit.services.projects import project_ids_for

NAME_MAX = VIEW_NAME_MAX
COUNT_CAP = 999
VIEWS_MAX = 50  # per owner: a sidebar, not an archive
MY_OPEN = ticket_list.TicketQuery(assignee=ticket_list.ASSIGNEE_ME, status_categories=("in_progress", "todo"))
MY_OPEN_NAME = "My open tickets"
ALL = ticket_list.TicketQuery()
ALL_NAME = "All tickets"


@dataclass(frozen=True)
class ViewLine:
    """One view as the sidebar shows it."""

    id: int  # 0 for the built-in "My open tickets"
    name: str
    url: str
    count: str  # "12", "999+"
    shared_with: str  # the project key of a shared view, "" for a personal one or the built-in


def query_of(query_string: str) -> ticket_list.TicketQuery:
    """The list's query a view's query string holds (the cursor dropped)."""
    return replace(ticket_list.from_query_params(parse_qs(query_string)), after=None)


def sidebar(*, session: Session, actor: UserPublic) -> list[ViewLine]:
    """The actor's views with their counts: "My open tickets", their own, then their projects' shared ones."""
    require_staff(actor)
    project_ids = project_ids_for(session, actor, MemberRole.AGENT)
    rows = session.exec(
        select(SavedView, Project.key)
        .outerjoin(Project, Project.id == SavedView.project_id)
        .where(or_(SavedView.owner_id == actor.id, SavedView.project_id.in_(project_ids)))
        .order_by(SavedView.project_id.is_not(None), Project.name, SavedView.position, SavedView.id)
    ).all()
    lines = [
        _line(session, actor, 0, MY_OPEN_NAME, ticket_list.to_query_string(MY_OPEN), ""),
        _line(session, actor, 0, ALL_NAME, "", ""),
    ]
    lines += [_line(session, actor, view.id, view.name, view.query, key or "") for view, key in rows]
    return lines


def _line(session: Session, actor: UserPublic, view_id: int, name: str, query_string: str, key: str) -> ViewLine:
    query = query_of(query_string)
    if key:  # a shared view lists its own project's tickets
        query = replace(query, project_keys=(key,))
    counted = ticket_list.count_tickets(session=session, actor=actor, query=query)
    count = f"{COUNT_CAP}+" if counted.total > COUNT_CAP else str(counted.total)
    url = routes.ticket_list(ticket_list.to_query_string(query))
    return ViewLine(id=view_id, name=name, url=url, count=count, shared_with=key)


def opening_query(*, session: Session, actor: UserPublic) -> ticket_list.TicketQuery:
    """What the list shows at /tickets with no query: "My open tickets" to whoever works a project, else all."""
    require_staff(actor)
    # Memberships, not `project_ids_for`: that counts every project as an admin's, and an admin who
    # is no project's agent has no tickets of their own to open on.
    works_one = session.exec(
        select(ProjectMember.project_id)
        .where(ProjectMember.user_id == actor.id, ProjectMember.role.in_(WORKING_ROLES))
        .limit(1)
    ).first()
    return MY_OPEN if works_one is not None else ALL


def built_in_name(query: ticket_list.TicketQuery) -> str:
    """ALL_NAME or MY_OPEN_NAME when the query's filters are that built-in view's (in any sort), else ""."""
    filters = replace(query, sort="updated", direction="desc", page_size=ticket_list.PAGE_SIZE, after=None)
    return {MY_OPEN: MY_OPEN_NAME, ALL: ALL_NAME}.get(filters, "")


def save_view(*, session: Session, actor: UserPublic, name: str, query_string: str, project_key: str = "") -> ViewLine:
    """Save the list's query as a view: the actor's own, or shared with `project_key` (which they must work)."""
    require_staff(actor)
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": "Give the view a name."})
    if len(name) > NAME_MAX or unstorable_reason(name):
        raise ValidationFailed({"name": f"Keep the name under {NAME_MAX + 1} characters of plain text."})
    query = ticket_list.to_query_string(query_of(query_string))
    if project_key:
        project = get_project(session, project_key)
        if not can_work(session, actor, project.id):
            raise PermissionDenied("Only the project's agents may share a view with it.")
        owner, owner_id = {"project_id": project.id}, project.id
    else:
        owner, owner_id = {"owner_id": actor.id}, actor.id
    column = SavedView.project_id if project_key else SavedView.owner_id
    held = session.exec(select(func.count(), func.max(SavedView.position)).where(column == owner_id)).one()
    if held[0] >= VIEWS_MAX:
        raise ValidationFailed({"name": f"There are {VIEWS_MAX} views already; remove one first."})
    view = SavedView(name=name, query=query, position=(held[1] or 0) + 1, **owner)
    session.add(view)
    session.flush()
    return _line(session, actor, view.id, view.name, view.query, project_key.upper() if project_key else "")


def delete_view(*, session: Session, actor: UserPublic, view_id: int) -> None:
    """Remove a view: the owner's own, or a shared one by an agent of its project."""
    session.delete(_editable(session, actor, view_id))
    session.flush()


def move_view(*, session: Session, actor: UserPublic, view_id: int, step: int) -> None:
    """Move a view up (step -1) or down (+1) among its owner's views."""
    view = _editable(session, actor, view_id)
    column = SavedView.project_id if view.project_id is not None else SavedView.owner_id
    siblings = list(
        session.exec(
            select(SavedView)
            .where(column == (view.project_id if view.project_id is not None else view.owner_id))
            .order_by(SavedView.position, SavedView.id)
        ).all()
    )
    index = next(i for i, sibling in enumerate(siblings) if sibling.id == view.id)
    other = index + (1 if step > 0 else -1)
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position
        session.add(sibling)
    session.flush()


def _editable(session: Session, actor: UserPublic, view_id: int) -> SavedView:
    require_staff(actor)
    view = session.get(SavedView, view_id)
    mine = view is not None and view.owner_id == actor.id
    shared = view is not None and view.project_id is not None and can_work(session, actor, view.project_id)
    if not (mine or shared):
        raise NotFound("No such view.")
    return view
