"""Canned replies and macros: who keeps which, and rendering their placeholders safely.

- A reply is personal (its owner's, an agent of the project) or shared with the project's agents.
  An agent manages their own; admins and the project's admins (`access.may_configure`) manage
  shared ones, and each change of a shared one is in the audit log.
- Placeholders (`{{ requester.first_name }}`, `{{ ticket.number }}`, `{{ agent.name }}`, see
  `PLACEHOLDERS`) render in Jinja2's SandboxedEnvironment over plain dicts of those values only,
  never model objects; the sandbox refuses attributes such as `__class__`, so a template cannot
  reach Python internals. A template is checked when saved: an unknown placeholder or a syntax
  error is a ValidationFailed naming it.
- A reply with any change (status, priority, assignee, tags to add or remove, internal note) is a
  macro; `services/macros.py` applies it. Its tags are checked by the tag rules (`tags.normalise`)
  when it is saved, so applying it never meets a name that is not a tag.
As everywhere in the services, the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import or_
from sqlmodel import Session, select

from tickit import routes
from tickit.models import (
    CannedReply,
    MemberRole,
    Priority,
    Project,
    ProjectMember,
    Ticket,
    TicketStatus,
    TicketType,
    User,
    utcnow,
)
from tickit.services import audit, tags
from tickit.services.access import can_work, format_ticket_number, get_project, may_configure, ticket_for
from tickit.services.actors import UserPublic, require_staff
from tickit.services.errors import NotFound, PermissionDenied, ValidationFailed
from tickit.services.projects import worked_projects
from tickit.services.sanitize import clean_html, plain_text

TITLE_MAX = 120
BODY_MAX = 20_000  # characters of HTML as submitted

# Every value a template may name, with an example for the editor's help and the save-time check.
PLACEHOLDERS: dict[str, dict[str, str]] = {
    "requester": {"name": "Ada Lovelace", "first_name": "Ada", "email": "ada@example.com"},
    "ticket": {"number": "HH-42", "title": "Printer on fire", "status": "Open", "priority": "normal", "url": ""},
    "agent": {"name": "Grace Hopper", "first_name": "Grace", "email": "grace@example.com"},
    "project": {"name": "Helpdesk", "key": "HH"},
}


class _PlaceholderEnvironment(SandboxedEnvironment):
    """The sandbox, narrowed to the values' keys: no attribute of any object (`ticket.items` is refused too)."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False


_environment = _PlaceholderEnvironment(autoescape=True, undefined=StrictUndefined)


@dataclass(frozen=True)
class ReplyOption:
    """A reply or macro as the editor's `/` menu and the manage page list it."""

    id: int
    title: str
    shared: bool
    body_html: str  # the template source
    set_status: str
    set_priority: str
    set_assignee_id: int | None
    internal_note_html: str
    editable: bool  # the actor may change or delete it
    set_status_name: str = ""  # the status the macro moves to, by name
    add_tags: tuple[str, ...] = ()  # tags the macro puts on
    remove_tags: tuple[str, ...] = ()  # tags the macro takes off

    @property
    def is_macro(self) -> bool:
        return bool(
            self.set_status
            or self.set_priority
            or self.set_assignee_id
            or self.internal_note_html
            or self.add_tags
            or self.remove_tags
        )

    @property
    def hint(self) -> str:
        """What choosing it does besides the reply, in words for the `/` menu."""
        changes = [f"status → {self.set_status_name or self.set_status}"] if self.set_status else []
        changes += [f"priority → {self.set_priority}"] if self.set_priority else []
        changes += ["assigns"] if self.set_assignee_id else []
        tagging = [f"+{name}" for name in self.add_tags] + [f"−{name}" for name in self.remove_tags]
        changes += [f"tags {' '.join(tagging)}"] if tagging else []
        changes += ["adds an internal note"] if self.internal_note_html else []
        scope = "Shared" if self.shared else "Your"
        return f"{scope} macro: {', '.join(changes)}" if changes else f"{scope} reply"


@dataclass(frozen=True)
class ReplyDraft:
    """What the manage form submits; empty strings leave a macro's part alone."""

    title: str
    body_html: str
    shared: bool = False
    set_status: str = ""
    set_priority: str = ""
    set_assignee_id: int | None = None
    internal_note_html: str = ""
    add_tags: tuple[str, ...] = ()  # tag names as typed; saved normalised
    remove_tags: tuple[str, ...] = ()


def replies_for(*, session: Session, actor: UserPublic, project_key: str) -> list[ReplyOption]:
    """The project's shared replies and the actor's own, by title (PermissionDenied for non-agents)."""
    project = get_project(session, project_key)
    if not can_work(session, actor, project.id):
        raise PermissionDenied("Only the project's agents use its canned replies.")
    rows = session.exec(
        select(CannedReply)
        .where(
            CannedReply.project_id == project.id,
            or_(CannedReply.owner_id.is_(None), CannedReply.owner_id == actor.id),
        )
        .order_by(CannedReply.title, CannedReply.id)
    ).all()
    names = _status_names(session, project.id)
    manages_shared = may_configure(session, actor, project.id)
    return [_option(row, actor, manages_shared, names) for row in rows]


@dataclass(frozen=True)
class RepliesPage:
    """What the manage page shows for one project: the replies, and the choices a macro's form offers."""

    project_key: str
    project_name: str
    projects: tuple[tuple[str, str], ...]  # (key, name) of the projects the actor works
    replies: tuple[ReplyOption, ...]
    statuses: tuple[tuple[str, str], ...]  # (key, name) of every status of the project's types
    agents: tuple[tuple[int, str], ...]  # (id, name) of the project's active agents
    may_share: bool  # admins share replies with the project


def replies_page(*, session: Session, actor: UserPublic, project_key: str = "") -> RepliesPage:
    """The replies of `project_key` (else the first project the actor works) with the form's choices."""
    require_staff(actor)
    projects = worked_projects(session, actor)
    if not projects:
        raise NotFound("You work no project yet, so there are no canned replies to keep.")
    wanted = project_key.strip().upper()
    project_id, key, name = next((p for p in projects if p[1] == wanted), projects[0])
    statuses = _status_names(session, project_id)
    agents = session.exec(
        select(User.id, User.name)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project_id, ProjectMember.role == MemberRole.AGENT, User.is_active)
        .order_by(User.name, User.id)
    ).all()
    return RepliesPage(
        project_key=key,
        project_name=name,
        projects=tuple((k, n) for _, k, n in projects),
        replies=tuple(replies_for(session=session, actor=actor, project_key=key)),
        statuses=tuple(statuses.items()),
        agents=tuple((user_id, user_name) for user_id, user_name in agents),
        may_share=may_configure(session, actor, project_id),
    )


def save_reply(
    *, session: Session, actor: UserPublic, project_key: str, draft: ReplyDraft, reply_id: int | None = None
) -> ReplyOption:
    """Create (no `reply_id`) or replace a reply; ValidationFailed per field, PermissionDenied as the module says."""
    project = get_project(session, project_key)
    if not can_work(session, actor, project.id):
        raise PermissionDenied("Only the project's agents keep canned replies.")
    if draft.shared and not may_configure(session, actor, project.id):
        raise PermissionDenied("Only admins and the project's admins share canned replies with the project.")
    cleaned = _cleaned(session, project, draft)
    if reply_id is None:
        row = CannedReply(project_id=project.id, title=cleaned["title"])
    else:
        row = _own_row(session, actor, project, reply_id)
        if (row.owner_id is None) != draft.shared:
            raise ValidationFailed({"shared": "A reply stays personal or shared; make a new one to change that."})
    before = _summary(row) if reply_id is not None else {}
    row.owner_id = None if draft.shared else actor.id
    for key, value in cleaned.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    if draft.shared:
        change = "updated" if reply_id is not None else "created"
        audit.record(
            session,
            actor=actor,
            action=audit.CANNED_REPLY_EDITED,
            target=f"{project.key} · {row.title}",
            before=before,
            after={"change": change, **_summary(row)},
        )
    return _option(row, actor, may_configure(session, actor, project.id))


def delete_reply(*, session: Session, actor: UserPublic, project_key: str, reply_id: int) -> None:
    """Delete one of the actor's replies (or, for an admin, a shared one)."""
    project = get_project(session, project_key)
    row = _own_row(session, actor, project, reply_id)
    if row.owner_id is None:
        audit.record(
            session,
            actor=actor,
            action=audit.CANNED_REPLY_EDITED,
            target=f"{project.key} · {row.title}",
            before=_summary(row),
            after={"change": "deleted"},
        )
    session.delete(row)
    session.flush()


def render_for_ticket(*, session: Session, actor: UserPublic, number: str, reply_id: int) -> str:
    """The reply's body with its placeholders filled for ticket `number`, as sanitised HTML."""
    ticket = ticket_for(session, actor, number)
    row = usable_reply(session, actor, ticket, reply_id)
    return render(row.body_html, placeholder_values(session, ticket, actor))


def usable_reply(session: Session, actor: UserPublic, ticket: Ticket, reply_id: int) -> CannedReply:
    """The reply if the actor may use it on this ticket (shared in its project, or their own), else NotFound."""
    if not can_work(session, actor, ticket.project_id):
        raise PermissionDenied("Only the project's agents use its canned replies.")
    row = session.get(CannedReply, reply_id)
    if row is None or row.project_id != ticket.project_id or row.owner_id not in (None, actor.id):
        raise NotFound("No such canned reply.")
    return row


def placeholder_values(session: Session, ticket: Ticket, agent: UserPublic) -> dict[str, dict[str, str]]:
    """The values a template may read for this ticket and agent: plain strings in plain dicts."""
    project = session.get(Project, ticket.project_id)
    requester = session.get(User, ticket.reporter_id) if ticket.reporter_id is not None else None
    status = session.get(TicketStatus, ticket.status_id)
    number = format_ticket_number(project.key, ticket.number)
    return {
        "requester": _person(requester.name, requester.email) if requester else _person("", ""),
        "ticket": {
            "number": number,
            "title": ticket.title,
            "status": status.name,
            "priority": ticket.priority,
            "url": routes.ticket_page(number),
        },
        "agent": _person(agent.name, agent.email),
        "project": {"name": project.name, "key": project.key},
    }


def render(template_html: str, values: Mapping[str, Any]) -> str:
    """Fill a template in the sandbox; a refused or unknown placeholder is a ValidationFailed (`body`)."""
    try:
        return clean_html(_environment.from_string(template_html).render(values))
    except TemplateError as exc:  # SecurityError and UndefinedError are TemplateErrors
        raise ValidationFailed({"body": f"The reply's placeholders cannot be filled: {exc.message}."}) from None


def _cleaned(session: Session, project: Project, draft: ReplyDraft) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = draft.title.strip()
    if not title:
        errors["title"] = "Give the reply a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    body = clean_html(draft.body_html) if len(draft.body_html) <= BODY_MAX else ""
    note = clean_html(draft.internal_note_html) if len(draft.internal_note_html) <= BODY_MAX else ""
    if len(draft.body_html) > BODY_MAX:
        errors["body"] = f"Keep the reply under {BODY_MAX:,} characters."
    elif not plain_text(body):
        errors["body"] = "Write the reply."
    else:
        _check_template(body, "body", errors)
    if plain_text(note):
        _check_template(note, "internal_note", errors)
    else:
        note = ""
    if (
        draft.set_status
        and not session.exec(
            select(TicketStatus.id)
            .join(TicketType, TicketType.id == TicketStatus.type_id)
            .where(TicketType.project_id == project.id, TicketStatus.key == draft.set_status)
        ).first()
    ):
        errors["set_status"] = f"No status “{draft.set_status}” in this project."
    if draft.set_priority and draft.set_priority not in {p.value for p in Priority}:
        errors["set_priority"] = f"Priority must be one of {', '.join(p.value for p in Priority)}."
    if draft.set_assignee_id is not None:
        member = session.get(ProjectMember, (project.id, draft.set_assignee_id))
        if member is None or member.role != MemberRole.AGENT:
            errors["set_assignee"] = "Assign to an agent of the project."
    tag_changes = _tag_changes(draft, errors)
    if errors:
        raise ValidationFailed(errors)
    return {
        "title": title,
        "body_html": body,
        "set_status": draft.set_status or None,
        "set_priority": draft.set_priority or None,
        "set_assignee_id": draft.set_assignee_id,
        "internal_note_html": note,
        "tag_changes": tag_changes,
    }


def _tag_changes(draft: ReplyDraft, errors: dict[str, str]) -> dict[str, list[str]]:
    """The macro's tags as stored ({"add": [...], "remove": [...]}, normalised), or an error under `tags`."""
    changes: dict[str, list[str]] = {}
    for part, names in (("add", draft.add_tags), ("remove", draft.remove_tags)):
        try:
            normalised = sorted({tags.normalise(name) for name in names if name.strip()})
        except ValidationFailed as exc:
            errors["tags"] = exc.errors["tag"]
            return {}
        if len(normalised) > tags.TAGS_PER_TICKET_MAX:
            errors["tags"] = f"A macro changes at most {tags.TAGS_PER_TICKET_MAX} tags each way."
            return {}
        if normalised:
            changes[part] = normalised
    both = sorted(set(changes.get("add", ())) & set(changes.get("remove", ())))
    if both:
        errors["tags"] = f"A macro cannot both add and remove “{both[0]}”."
        return {}
    return changes


def _check_template(html: str, field: str, errors: dict[str, str]) -> None:
    try:
        _environment.from_string(html).render(PLACEHOLDERS)
    except TemplateError as exc:
        errors[field] = f"Unknown or refused placeholder: {exc.message}."


def _own_row(session: Session, actor: UserPublic, project: Project, reply_id: int) -> CannedReply:
    row = session.get(CannedReply, reply_id)
    if row is None or row.project_id != project.id or row.owner_id not in (None, actor.id):
        raise NotFound("No such canned reply.")
    if row.owner_id is None and not may_configure(session, actor, project.id):
        raise PermissionDenied("Only admins and the project's admins change its shared replies.")
    return row


def _status_names(session: Session, project_id: int) -> dict[str, str]:
    """Each status key of the project's types with its name (the first type's, where types share a key)."""
    names: dict[str, str] = {}
    for status_key, status_name in session.exec(
        select(TicketStatus.key, TicketStatus.name)
        .join(TicketType, TicketType.id == TicketStatus.type_id)
        .where(TicketType.project_id == project_id)
        .order_by(TicketStatus.sort_order, TicketStatus.id)
    ).all():
        names.setdefault(status_key, status_name)
    return names


def _option(
    row: CannedReply, actor: UserPublic, manages_shared: bool, status_names: Mapping[str, str] | None = None
) -> ReplyOption:
    return ReplyOption(
        id=row.id,
        title=row.title,
        shared=row.owner_id is None,
        body_html=row.body_html,
        set_status=row.set_status or "",
        set_priority=row.set_priority or "",
        set_assignee_id=row.set_assignee_id,
        internal_note_html=row.internal_note_html,
        editable=row.owner_id == actor.id or (row.owner_id is None and manages_shared),
        set_status_name=(status_names or {}).get(row.set_status or "", ""),
        add_tags=tuple((row.tag_changes or {}).get("add", ())),
        remove_tags=tuple((row.tag_changes or {}).get("remove", ())),
    )


def _summary(row: CannedReply) -> dict[str, Any]:
    return {
        "title": row.title,
        "set_status": row.set_status,
        "set_priority": row.set_priority,
        "set_assignee_id": row.set_assignee_id,
        "tag_changes": row.tag_changes,
    }


def _person(name: str, email: str) -> dict[str, str]:
    return {"name": name, "first_name": name.split()[0] if name.split() else "", "email": email}
