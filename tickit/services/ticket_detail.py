"""One ticket as its page shows it, and the edits made there: assignee, priority, custom fields.

A requester who does not work the project sees only what is theirs to see: the fields marked
visible to the requester, and a timeline of public events (see `activity`), with statuses by
their public labels (`labels.public_status_label`).

Status moves go through `workflow.move`; comments through `comments`; files through
`attachments`. Every edit here locks the ticket, logs one activity entry, and leaves the commit
to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from tickit import routes
from tickit.labels import public_status_label
from tickit.models import (
    WORKING_ROLES,
    ActivityEntry,
    ApiClient,
    InboundMessage,
    InboundOutcome,
    Priority,
    Project,
    ProjectMember,
    Ticket,
    TicketStatus,
    TicketType,
    User,
    utcnow,
)
from tickit.services import activity as activity_log
from tickit.services import (
    fields,
    lifecycle,
    merges,
    notifications,
    organisations,
    sla,
    sla_badges,
    survey,
    tags,
    ticket_edits,
    ticket_links,
    ticket_stamp,
    webhook_events,
    workflow,
)
from tickit.services.access import can_work, format_ticket_number, ticket_for
from tickit.services.actors import UserPublic
from tickit.services.errors import PermissionDenied, ValidationFailed
from tickit.services.sla_badges import SlaBadge


@dataclass(frozen=True)
class FieldView:
    key: str
    label: str
    field_type: str
    required: bool
    archived: bool  # kept for its stored value; no longer on the form
    options: tuple[tuple[str, str], ...]
    value: Any  # as stored (JSON)
    shown: str  # as read-only text
    visible_to_requester: bool


@dataclass(frozen=True)
class Person:
    id: int
    name: str


@dataclass(frozen=True)
class TicketDetail:
    number: str
    title: str
    description: str
    project_key: str
    project_name: str
    type_name: str
    status: workflow.StatusOption
    public_status: str  # what the requester reads for the status ("In progress")
    legal_moves: tuple[workflow.StatusOption, ...]
    priority: str  # "" for a requester: the team's triage is not theirs to see
    assignee: Person | None
    reporter_name: str
    reporter_email: str
    source: str
    api_client_name: str
    created_at: datetime
    updated_at: datetime
    first_responded_at: datetime | None
    resolved_at: datetime | None
    fields: tuple[FieldView, ...]
    can_work: bool  # the actor may edit, assign, move and write internal notes
    closed_at: datetime | None = None
    satisfaction: str = ""  # the latest survey answer in words ("Good: “Quick fix”"), "" if none
    follow_up_of: str = ""  # `HH-42` when this ticket follows up a closed one
    sla: SlaBadge | None = None  # staff only, as the due times below
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    description_html: str = ""  # sanitised rich text once edited; "" while the description is plain text
    editable: bool = False  # the actor may change the title and description (`ticket_edits.may_edit`)
    # Staff only: the raw mails behind the ticket and its replies by mail ("show original").
    mail_originals: tuple[MailOriginal, ...] = ()
    reporter_organisation: str = ""  # the requester's customer organisation, "" when none
    tags: tuple[str, ...] = ()  # staff only: tags are the team's vocabulary
    merged_into: str = ""  # `HH-42` once this ticket was merged there (its page forwards)
    links: tuple[ticket_links.LinkView, ...] = ()  # staff only


@dataclass(frozen=True)
class MailOriginal:
    label: str  # "Opening mail", or "Reply from grace@example.org"
    url: str
    received_at: datetime


@dataclass(frozen=True)
class ActivityView:
    actor_name: str
    action: str
    text: str
    created_at: datetime


def ticket_detail(*, session: Session, actor: UserPublic, number: str) -> TicketDetail:
    """The ticket `number` if the actor may see it (NotFound otherwise), with what they may do to it.

    A requester (who does not work the project) gets no priority and only the fields visible to them.
    """
    ticket = ticket_for(session, actor, number)
    project = session.get(Project, ticket.project_id)
    ticket_type = session.get(TicketType, ticket.type_id)
    status = session.get(TicketStatus, ticket.status_id)
    reporter = session.get(User, ticket.reporter_id) if ticket.reporter_id else None
    assignee = session.get(User, ticket.assignee_id) if ticket.assignee_id else None
    api_client = session.get(ApiClient, ticket.api_client_id) if ticket.api_client_id else None
    works = can_work(session, actor, ticket.project_id)
    shown_number = format_ticket_number(project.key, ticket.number)
    moves = workflow.allowed_targets(session=session, actor=actor, number=shown_number)
    return TicketDetail(
        number=shown_number,
        title=ticket.title,
        description=ticket.description,
        project_key=project.key,
        project_name=project.name,
        type_name=ticket_type.name,
        status=workflow.StatusOption.of(status),
        public_status=public_status_label(status.public_label, status.category, status.closes),
        legal_moves=tuple(moves),
        priority=ticket.priority if works else "",
        assignee=Person(assignee.id, assignee.name) if assignee else None,
        reporter_name=reporter.name if reporter else (api_client.name if api_client else "—"),
        reporter_email=reporter.email if reporter else "",
        source=ticket.source,
        api_client_name=api_client.name if api_client else "",
        created_at=ticket.created_at,
        updated_at=ticket.updated_at if works else ticket.public_updated_at,
        first_responded_at=ticket.first_responded_at,
        resolved_at=ticket.resolved_at,
        fields=tuple(v for v in _field_views(session, ticket) if works or v.visible_to_requester),
        can_work=works,
        closed_at=ticket.closed_at,
        satisfaction=_satisfaction_text(session, ticket),
        follow_up_of=lifecycle.follow_up_of(session, ticket),
        sla=sla_badges.badges(session, [ticket.id], utcnow()).get(ticket.id) if works else None,
        first_response_due_at=ticket.first_response_due_at if works else None,
        resolution_due_at=ticket.resolution_due_at if works else None,
        description_html=ticket.description_html,
        editable=ticket_edits.may_edit(session, actor, ticket),
        mail_originals=_mail_originals(session, ticket) if works else (),
        reporter_organisation=_organisation_name(session, ticket.reporter_id),
        tags=tuple(tags.tags_of(session, ticket.id)) if works else (),
        merged_into=merges.merged_into(session, ticket),
        links=tuple(ticket_links.links_of(session, actor, ticket)) if works else (),
    )


def _organisation_name(session: Session, reporter_id: int | None) -> str:
    membership = organisations.membership_of(session, reporter_id) if reporter_id else None
    return membership.organisation if membership else ""


def _mail_originals(session: Session, ticket: Ticket) -> tuple[MailOriginal, ...]:
    rows = session.exec(
        select(InboundMessage.id, InboundMessage.comment_id, InboundMessage.from_address, InboundMessage.received_at)
        .where(
            InboundMessage.ticket_id == ticket.id,
            InboundMessage.outcome.in_([InboundOutcome.NEW_TICKET, InboundOutcome.THREADED]),
        )
        .order_by(InboundMessage.received_at, InboundMessage.id)
    ).all()
    return tuple(
        MailOriginal(
            label="Opening mail" if comment_id is None else f"Reply from {sender}",
            url=routes.inbound_original(inbound_id),
            received_at=received_at,
        )
        for inbound_id, comment_id, sender, received_at in rows
    )


def _satisfaction_text(session: Session, ticket: Ticket) -> str:
    rated = survey.satisfaction(session, ticket.id)
    if rated is None:
        return ""
    word = "Good" if rated.rating == "good" else "Bad"
    return f"{word}: “{rated.comment}”" if rated.comment else word


def assignable_agents(*, session: Session, actor: UserPublic, number: str) -> list[Person]:
    """Who the ticket can be assigned to: the project's active agents, by name (empty for clients)."""
    ticket = ticket_for(session, actor, number)
    if not can_work(session, actor, ticket.project_id):
        return []
    rows = session.exec(
        select(User.id, User.name)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == ticket.project_id, ProjectMember.role.in_(WORKING_ROLES), User.is_active)
        .order_by(User.name, User.id)
    ).all()
    return [Person(*row) for row in rows]


def assign(*, session: Session, actor: UserPublic, number: str, assignee_id: int | None) -> None:
    """Give the ticket to one of the project's agents (or to nobody), logging who had it before."""
    ticket = _workable(session, actor, number)
    if assignee_id is not None and assignee_id not in {
        p.id for p in assignable_agents(session=session, actor=actor, number=number)
    }:
        raise ValidationFailed({"assignee": "Assign the ticket to an active agent of its project."})
    if ticket.assignee_id == assignee_id:
        return
    before, after = _person(session, ticket.assignee_id), _person(session, assignee_id)
    previous_id, ticket.assignee_id = ticket.assignee_id, assignee_id
    _log(session, actor, ticket, "assigned", {"assignee": before}, {"assignee": after})
    notifications.stage_assigned(session, ticket=ticket, actor=actor)
    webhook_events.publish_assigned(session, ticket=ticket, previous_assignee_id=previous_id)


def set_priority(*, session: Session, actor: UserPublic, number: str, priority: str) -> None:
    """Change the ticket's priority (low, normal, high, urgent)."""
    if priority not in {p.value for p in Priority}:
        raise ValidationFailed({"priority": f"Priority must be one of {', '.join(p.value for p in Priority)}."})
    ticket = _workable(session, actor, number)
    if ticket.priority == priority:
        return
    previous, ticket.priority = ticket.priority, priority
    _log(session, actor, ticket, "priority_changed", {"priority": previous}, {"priority": priority})
    sla.recompute(session, ticket, utcnow())  # targets differ by priority, and so may the policy


def set_field(*, session: Session, actor: UserPublic, number: str, key: str, value: Any) -> FieldView:
    """Change one custom field through the shared validator (errors keyed `fields.<key>`)."""
    ticket = _workable(session, actor, number)
    rules = fields.rules_for_type(session, ticket.type_id)
    rule = next((r for r in rules if r.key == key), None)
    if rule is None:
        raise ValidationFailed({f"fields.{key}": "This field is not on the ticket's form."})
    submitted = {r.key: ticket.fields.get(r.key) for r in rules}
    submitted[key] = value
    try:
        cleaned = fields.clean_field_values(rules, submitted, previous=ticket.fields)
    except ValidationFailed as exc:
        raise ValidationFailed({f"fields.{k}": m for k, m in exc.errors.items()}) from None
    before, after = ticket.fields.get(key), cleaned.get(key)
    if before != after:
        ticket.fields = cleaned
        _log(
            session,
            actor,
            ticket,
            "field_changed",
            {"field": key, "label": rule.label, "value": before, "shown": fields.display_value(rule, before)},
            {"field": key, "label": rule.label, "value": after, "shown": fields.display_value(rule, after)},
        )
    return next(view for view in _field_views(session, ticket) if view.key == key)


def activity(*, session: Session, actor: UserPublic, number: str) -> list[ActivityView]:
    """The ticket's history, newest first.

    The requester's timeline holds only what is theirs to see: the filing, public comments and
    their edits, files outside internal notes, and status changes that change the status in their
    words ("moved it to In progress"); never assignments, priority, field edits, board order, or a
    move between two statuses they would read alike.
    """
    ticket = ticket_for(session, actor, number)
    works = can_work(session, actor, ticket.project_id)
    user, client = aliased(User), aliased(ApiClient)
    rows = session.exec(
        select(ActivityEntry, user.name, client.name)
        .outerjoin(user, user.id == ActivityEntry.actor_user_id)
        .outerjoin(client, client.id == ActivityEntry.actor_api_client_id)
        .where(ActivityEntry.ticket_id == ticket.id)
        .order_by(ActivityEntry.created_at.desc(), ActivityEntry.id.desc())
    ).all()
    public_words = {} if works else _public_status_words(session, ticket.type_id)
    views = []
    for entry, user_name, client_name in rows:
        text = describe(entry) if works else _describe_for_requester(entry, public_words)
        if text is None:
            continue
        name = user_name or (f"{client_name} (API)" if client_name else "TickIt")
        views.append(ActivityView(actor_name=name, action=entry.action, text=text, created_at=entry.created_at))
    return views


# What a requester's timeline keeps besides status changes (each only when not about an internal note).
_REQUESTER_ACTIONS = frozenset(
    {
        "created",
        "comment_added",
        "comment_edited",
        "comment_deleted",
        "attachment_added",
        "attachment_removed",
        "follow_up",
        "rated",
        "cc_added",
        "cc_removed",
        "merged_into",  # the pointer a merged ticket closes with
    }
    # The request's own words are the requester's too; who else asked before them is not.
    | {"title_changed", "description_changed"}
)


def _public_status_words(session: Session, type_id: int) -> dict[str, str]:
    """Each status key of the type, as the requester reads it."""
    rows = session.exec(select(TicketStatus).where(TicketStatus.type_id == type_id)).all()
    return {row.key: public_status_label(row.public_label, row.category, row.closes) for row in rows}


def _describe_for_requester(entry: ActivityEntry, public_words: dict[str, str]) -> str | None:
    """The entry in the requester's words, or None when it is not theirs to see."""
    if entry.after.get("internal") or entry.before.get("internal"):
        return None
    if entry.action == "status_changed":
        # A status since removed has no words: leaving it out is safer than guessing.
        old, new = public_words.get(entry.before.get("status", "")), public_words.get(entry.after.get("status", ""))
        if not (old and new and old != new):
            return None
        if str(entry.after.get("reason", "")).startswith("closed automatically"):
            return f"{entry.after['reason']}"
        return f"moved it to {new}"
    return describe(entry) if entry.action in _REQUESTER_ACTIONS else None


def describe(entry: ActivityEntry) -> str:
    """One activity entry in words, after the actor's name: "moved it from New to Triaged"."""
    before, after = entry.before, entry.after
    match entry.action:
        case "created":
            via = f" via the API ({after['api_client']})" if after.get("api_client") else ""
            via = " by mail" if after.get("source") == "email" else via
            return f"created the ticket{via}"
        case "status_changed":
            old, new = before.get("status_name", before.get("status")), after.get("status_name", after.get("status"))
            if str(after.get("reason", "")).startswith("closed automatically"):
                return f"{after['reason']} (from {old} to {new})"
            return f"moved it from {old} to {new}"
        case "assigned":
            why = f" ({after['reason']})" if after.get("reason") else ""
            if not after.get("assignee"):
                return (f"unassigned {before['assignee']['name']}" if before.get("assignee") else "unassigned it") + why
            return f"assigned it to {after['assignee']['name']}{why}"
        case "priority_changed":
            return f"changed priority from {before['priority']} to {after['priority']}"
        case "field_changed":
            old, new = before.get("shown") or "empty", after.get("shown") or "empty"
            return f"changed {after.get('label', after.get('field'))} from {old} to {new}"
        case "comment_added":
            return "added an internal note" if after.get("internal") else "commented"
        case "comment_edited":
            return "edited a comment"
        case "comment_deleted":
            return "deleted a comment"
        case "attachment_added":
            return f"attached {after.get('name', 'a file')}"
        case "attachment_removed":
            return f"removed {after.get('name') or before.get('name') or 'a file'}"
        case "title_changed":
            return f"renamed it from “{before.get('title', '')}” to “{after.get('title', '')}”"
        case "description_changed":
            return "edited the description"
        case "requester_changed":
            old = (before.get("requester") or {}).get("name", "nobody")
            return f"changed the requester from {old} to {after['requester']['name']}"
        case "tags_changed":
            if after.get("renamed"):
                return f"had tag {after['renamed']['from']} renamed to {after['renamed']['to']}"
            said = [f"tagged it {', '.join(after['added'])}"] if after.get("added") else []
            said += [f"removed tag {', '.join(after['removed'])}"] if after.get("removed") else []
            return " and ".join(said) or "changed its tags"
        case "reordered":
            return "reordered it on the board"
        case "follow_up":
            if after.get("follow_up_of"):
                return f"filed it as a follow-up of {after['follow_up_of']}"
            return f"replied after it was closed, so {after.get('follow_up')} follows it up"
        case "rated":
            return _rating_text(after)
        case "cc_added":
            return f"put {after.get('email', 'an address')} in copy"
        case "cc_removed":
            return f"took {after.get('email', 'an address')} out of copy"
        case "followed":
            return "started following it"
        case "unfollowed":
            return "stopped following it"
        case "mail_not_threaded":
            return f"mailed it as a new ticket: {after.get('reason', '')}"
        case "link_added":
            return f"linked it: {after.get('label', 'related to')} {after.get('other', '')}"
        case "link_removed":
            return f"removed the link: {after.get('label', 'related to')} {after.get('other', '')}"
        case "merged_into":
            return f"merged it into {after.get('into', '')}"
        case "merged_from":
            counts = f"{_count(after.get('comments', 0), 'comment')}, {_count(after.get('attachments', 0), 'file')}"
            return f"merged {after.get('from', '')} into it ({counts})"
        case "sla_breached":
            done = "".join(f"; {action}" for action in after.get("actions", []))
            return f"noted: SLA {after.get('label', 'target')} target breached{done}"
    return entry.action.replace("_", " ")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _rating_text(after: dict) -> str:
    word = {"good": "good", "bad": "bad"}.get(after.get("rating", ""), "")
    comment = f": “{after['comment']}”" if after.get("comment") else ""
    return f"rated the help {word}{comment}"


def _workable(session: Session, actor: UserPublic, number: str) -> Ticket:
    ticket = ticket_for(session, actor, number, for_update=True)
    if not can_work(session, actor, ticket.project_id):
        raise PermissionDenied("Only the project's agents may change this ticket.")
    return ticket


def _person(session: Session, user_id: int | None) -> dict[str, Any] | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return {"id": user_id, "name": user.name if user else "a former user"}


def _log(session: Session, actor: UserPublic, ticket: Ticket, action: str, before: dict, after: dict) -> None:
    now = utcnow()
    ticket_stamp.touch(ticket, now)
    session.add(ticket)
    activity_log.record(session, ticket, actor, action, now=now, before=before, after=after)


def _field_views(session: Session, ticket: Ticket) -> list[FieldView]:
    rules = fields.rules_for_type(session, ticket.type_id, include_archived=True)
    views = []
    for rule in rules:
        value = ticket.fields.get(rule.key)
        if rule.archived and value is None:
            continue  # an archived field matters only where it holds a value
        views.append(
            FieldView(
                key=rule.key,
                label=rule.label,
                field_type=rule.field_type.value,
                required=rule.required,
                archived=rule.archived,
                options=rule.options,
                value=value,
                shown=fields.display_value(rule, value),
                visible_to_requester=rule.visible_to_requester,
            )
        )
    return views
