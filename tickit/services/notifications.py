"""Who hears about what: events staged with the change that caused them, fanned out on delivery.

The change's transaction stages one event row (channel "event", which this module registers
with the outbox); delivering that row (in a transaction of its own, by Huey) works out the
recipients and stages, per recipient, a bell entry (`Notification`, always), a mail and one
push per subscribed device, as the recipient chose in their profile. Working out recipients
later keeps the request that made the change short, and the event row being marked delivered
in the same transaction that stages its messages means a retried fan-out never stages them
twice.

Who hears about what:
- a ticket was filed (web, API, any source): the project's agents, except its reporter, as each
  chose for the project (all new tickets, only those still unassigned, none);
- a ticket was assigned: the new assignee, unless they assigned it to themselves;
- the client replied (a public comment by someone who does not work the ticket): the assignee,
  or every agent of the project while it is unassigned, and the ticket's followers (`followers`);
- any public comment: the addresses in copy of the ticket (`ticket_cc`), by mail only, except
  its author and whoever this comment already tells;
- staff replied publicly, or the status changed: the reporter; a requester (a reporter who does
  not work the project) hears of a status change only when it changes the status in their words
  (its public label, `labels.public_status_label`);
- an agent was @mentioned (in a comment or an internal note, or added to one by an edit): that
  agent.
- an SLA target is about to be missed (a warning): the assignee, or the project's agents while it
  is unassigned; it was missed (a breach): the assignee and the project's escalation contacts (the
  agents, when that is nobody); the followers hear both, as the assignee does. A comment tells
  each person one thing: a mentioned assignee hears of the mention only.
Nobody hears about their own action; deactivated accounts hear nothing; "agents" are active
staff accounts that are agent members of the ticket's project, as `access.can_work` has it.
Assignments, mentions and replies are heard only by those who keep them on
(`notification_choices`).

A requester's bell gets every entry, but their mail is a digest: the first reply or status change
stages one mail due when the quiet period (TICKIT_REQUESTER_MAIL_QUIET_MINUTES) ends, and what
happens before it is claimed for sending is added to that same mail. So a burst of changes is
one message, and they never get more than one mail per ticket per period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from tickit import routes
from tickit.config import get_settings
from tickit.labels import public_status_label, status_color
from tickit.models import (
    WORKING_ROLES,
    Comment,
    Notification,
    OutboxMessage,
    Project,
    ProjectMember,
    Role,
    Ticket,
    TicketStatus,
    User,
    utcnow,
)
from tickit.services import (
    acknowledgement,
    followers,
    mail,
    mail_ids,
    notification_choices,
    outbox,
    push,
    ticket_cc,
)
from tickit.services.access import can_work, format_ticket_number
from tickit.services.actors import SYSTEM, Actor, UserPublic

EVENT_CHANNEL = "event"

# Events staged by the change (the event row's `event`).
TICKET_CREATED = "ticket_created"
ASSIGNED = "assigned"
COMMENT_ADDED = "comment_added"
MENTIONS_ADDED = "mentions_added"
STATUS_CHANGED = "status_changed"
SLA_WARNING = "sla_warning"
SLA_BREACH = "sla_breach"
# What a recipient is told about a comment (the `event` of their bell entry, mail and push).
CLIENT_REPLY = "client_reply"
STAFF_REPLY = "staff_reply"
MENTION = "mention"
CC_REPLY = "cc_reply"  # a public comment, mailed to an address in copy
# The one mail a requester gets for a ticket's replies and status changes within the quiet period.
REQUESTER_DIGEST = "requester_digest"
_DIGESTED = frozenset({STAFF_REPLY, STATUS_CHANGED})
# What the bell's "For me" tab shows: what concerns the reader (a status change reaches only the
# reporter, so it is about their own ticket), not news of their projects such as a new ticket.
FOR_ME_EVENTS = frozenset({ASSIGNED, MENTION, CLIENT_REPLY, STAFF_REPLY, STATUS_CHANGED, SLA_WARNING, SLA_BREACH})

SUMMARY_MAX = 300  # Notification.summary's column
QUOTED_TEXT_MAX = 2000  # characters of a comment a mail quotes


def stage_ticket_created(session: Session, *, ticket_id: int, title: str) -> None:
    """Record, in the caller's transaction, that a ticket was filed (from any source).

    The ticket's number is looked up when the event is fanned out: an API filing takes its
    number last, after staging this.
    """
    outbox.stage(session, recipient_user_id=None, ticket_id=ticket_id, **ticket_created_message(title=title))


def ticket_created_message(*, title: str) -> dict[str, Any]:
    """The event, channel and payload of the outbox row that says a ticket was filed."""
    return {"event": TICKET_CREATED, "channel": EVENT_CHANNEL, "payload": {"title": title}}


def stage_assigned(session: Session, *, ticket: Ticket, actor: Actor) -> None:
    """Record that `ticket` was just given to its current assignee (nothing when unassigned or self-assigned)."""
    if ticket.assignee_id is None or ticket.assignee_id == _actor_id(actor):
        return
    _stage_event(session, ASSIGNED, ticket, actor, {"assignee_id": ticket.assignee_id})


def stage_comment_added(session: Session, *, comment: Comment, actor: UserPublic, from_staff: bool) -> None:
    """Record a new comment or internal note; `from_staff` when its author works the ticket's project."""
    _stage_event(
        session,
        COMMENT_ADDED,
        comment.ticket_id,
        actor,
        {"comment_id": comment.id, "from_staff": from_staff, "mention_ids": list(comment.mentions or [])},
    )


def stage_mentions_added(session: Session, *, comment: Comment, actor: UserPublic, before: list[int]) -> None:
    """Record the agents an edit newly mentions (those in `comment.mentions` but not in `before`)."""
    added = [user_id for user_id in comment.mentions or [] if user_id not in set(before)]
    if added:
        _stage_event(
            session, MENTIONS_ADDED, comment.ticket_id, actor, {"comment_id": comment.id, "mention_ids": added}
        )


def stage_status_changed(
    session: Session, *, ticket: Ticket, actor: Actor, current: TicketStatus, target: TicketStatus
) -> None:
    """Record that `ticket` moved from `current` to `target` (the reporter sees the status)."""
    if ticket.reporter_id is None or ticket.reporter_id == _actor_id(actor):
        return
    _stage_event(
        session,
        STATUS_CHANGED,
        ticket,
        actor,
        {
            "from_status": current.name,
            "to_status": target.name,
            "from_category": current.category,
            "to_category": target.category,
            "to_color": status_color(target.color, target.category),
            # What the requester reads, fixed at the move: an admin relabelling later changes no news already made.
            "from_label": public_status_label(current.public_label, current.category, current.closes),
            "to_label": public_status_label(target.public_label, target.category, target.closes),
        },
    )


@dataclass(frozen=True)
class SlaAlert:
    """An SLA `target` of a ticket warned of or breached (`kind`: SLA_WARNING or SLA_BREACH)."""

    ticket_id: int
    kind: str
    target: str
    due_at: str  # as the message words it
    contact_ids: tuple[int, ...]  # the project's escalation contacts, for a breach


def stage_sla_alerts(session: Session, alerts: list[SlaAlert]) -> None:
    """Record a sweep's alerts, all in one insert: a sweep may fire thousands at once."""
    rows = [
        OutboxMessage(
            event=alert.kind,
            channel=EVENT_CHANNEL,
            recipient_user_id=None,
            ticket_id=alert.ticket_id,
            payload={
                "actor_id": None,
                "target": alert.target,
                "due_at": alert.due_at,
                "contact_ids": list(alert.contact_ids),
            },
        )
        for alert in alerts
    ]
    session.add_all(rows)
    session.flush()
    for row in rows:
        outbox.hand_off_after_commit(session, row.id)


def fan_out(session: Session, event: OutboxMessage) -> int:
    """Stage the bell entries and messages an event row stands for; returns how many people it reaches."""
    rule = _RULES.get(event.event)
    if rule is None:
        raise ValueError(f"Notification event {event.event!r} has no recipients rule")
    found = session.exec(
        select(Ticket, Project.key).join(Project, Project.id == Ticket.project_id).where(Ticket.id == event.ticket_id)
    ).first()
    if found is None:
        return 0
    ticket, project_key = found
    about = _About(ticket=ticket, number=format_ticket_number(project_key, ticket.number))
    notices = rule(session, event, about)
    for notice in notices:
        _stage_notice(session, about, notice)
    return len(notices)


@dataclass(frozen=True)
class _About:
    ticket: Ticket
    number: str

    @property
    def title(self) -> str:
        return self.ticket.title


@dataclass(frozen=True)
class _Notice:
    """What one person is told: `headline` titles the push, `summary` is the bell line."""

    kind: str
    user: User
    headline: str
    summary: str
    details: dict[str, Any] = field(default_factory=dict)


def _ticket_created(session: Session, event: OutboxMessage, about: _About) -> list[_Notice]:
    # The requester's receipt rides on the same event: staged here, in the fan-out's transaction,
    # it is sent exactly once like the rest, and filing (the API's hot path) stays one row lighter.
    acknowledgement.stage_for_new_ticket(session, about.ticket, about.number)
    reporter_id, project_id = about.ticket.reporter_id, about.ticket.project_id
    # Read when the news goes out: a ticket someone took meanwhile is no news to "unassigned only".
    assigned = about.ticket.assignee_id is not None
    return [
        _Notice(TICKET_CREATED, user, "New ticket", f"New ticket {about.number}: {about.title}")
        for user in _project_agents(session, project_id)
        if user.id != reporter_id
        and notification_choices.hears_of_new_ticket(session, user, project_id, assigned=assigned)
    ]


def _assigned(session: Session, event: OutboxMessage, about: _About) -> list[_Notice]:
    assignee_id = event.payload["assignee_id"]
    # Reassigned again before this ran: the earlier assignee no longer needs to act.
    if about.ticket.assignee_id != assignee_id:
        return []
    user = session.get(User, assignee_id)
    if not _works(session, user, about.ticket.project_id) or not user.notify_assigned:
        return []
    details = {"actor_name": _name(session, event.payload.get("actor_id"))}
    return [_Notice(ASSIGNED, user, "Assigned to you", f"{about.number} assigned to you: {about.title}", details)]


def _comment_added(session: Session, event: OutboxMessage, about: _About) -> list[_Notice]:
    comment = session.get(Comment, event.payload["comment_id"])
    if comment is None or comment.deleted_at is not None:
        return []
    actor_id = event.payload.get("actor_id")
    author = _name(session, actor_id)
    details = {"actor_name": author, "text": _line(comment.body_text, QUOTED_TEXT_MAX), "internal": comment.is_internal}
    from_staff = event.payload["from_staff"]
    # Only staff mention: the editor offers no mentions to clients, so one in a client's HTML was typed by hand.
    told = _mentioned(session, event, about, details) if from_staff else {}
    if not comment.is_internal and not from_staff:
        for user in _reply_handlers(session, about.ticket):
            if user.id not in told and user.id != actor_id and user.notify_replies:
                told[user.id] = _Notice(
                    CLIENT_REPLY,
                    user,
                    f"Reply from {author}",
                    f"{author} replied on {about.number}: {about.title}",
                    details,
                )
    if not comment.is_internal and from_staff:
        reporter = _reporter(session, about.ticket)
        if reporter is not None and reporter.id not in told and reporter.id != actor_id:
            told[reporter.id] = _Notice(
                STAFF_REPLY,
                reporter,
                f"Reply from {author}",
                f"{author} replied on {about.number}: {about.title}",
                details,
            )
    if not comment.is_internal:
        _stage_cc_mails(session, about, comment, told, details)
    return list(told.values())


def _mentions_added(session: Session, event: OutboxMessage, about: _About) -> list[_Notice]:
    comment = session.get(Comment, event.payload["comment_id"])
    if comment is None or comment.deleted_at is not None:
        return []
    details = {
        "actor_name": _name(session, event.payload.get("actor_id")),
        "text": _line(comment.body_text, QUOTED_TEXT_MAX),
        "internal": comment.is_internal,
    }
    # Still mentioned after later edits: a mention edited away again is not news.
    still = set(comment.mentions or [])
    return [n for n in _mentioned(session, event, about, details).values() if n.user.id in still]


def _status_changed(session: Session, event: OutboxMessage, about: _About) -> list[_Notice]:
    reporter = _reporter(session, about.ticket)
    if reporter is None or reporter.id == event.payload.get("actor_id"):
        return []
    from_status, to_status = event.payload["from_status"], event.payload["to_status"]
    if not _works(session, reporter, about.ticket.project_id) and "to_label" in event.payload:
        from_status, to_status = event.payload["from_label"], event.payload["to_label"]
        if from_status == to_status:
            return []  # a move between statuses the requester reads alike is no news to them
    details = {
        "actor_name": _name(session, event.payload.get("actor_id")),
        "from_status": from_status,
        "to_status": to_status,
        "to_color": event.payload.get("to_color", ""),
    }
    summary = f"{about.number} moved to {to_status}: {about.title}"
    return [_Notice(STATUS_CHANGED, reporter, f"Now {to_status}", summary, details)]


def _sla_alert(session: Session, event: OutboxMessage, about: _About) -> list[_Notice]:
    target = "first response" if event.payload["target"] == "first_response" else "resolution"
    breach = event.event == SLA_BREACH
    assignee = session.get(User, about.ticket.assignee_id) if about.ticket.assignee_id is not None else None
    people = [assignee] if _works(session, assignee, about.ticket.project_id) else []
    people += _followers(session, about.ticket)
    if breach:
        people += [u for u in (session.get(User, i) for i in event.payload["contact_ids"]) if u and u.is_active]
    if not people:
        people = _project_agents(session, about.ticket.project_id)
    headline = f"SLA {target} {'breached' if breach else 'due soon'}"
    summary = f"{about.number}: {target} {'was due' if breach else 'is due'} {event.payload['due_at']}: {about.title}"
    details = {"target": target, "due_at": event.payload["due_at"]}
    unique = {user.id: user for user in people}
    return [_Notice(event.event, user, headline, summary, details) for user in unique.values()]


_RULES = {
    SLA_WARNING: _sla_alert,
    SLA_BREACH: _sla_alert,
    TICKET_CREATED: _ticket_created,
    ASSIGNED: _assigned,
    COMMENT_ADDED: _comment_added,
    MENTIONS_ADDED: _mentions_added,
    STATUS_CHANGED: _status_changed,
}


def _mentioned(session: Session, event: OutboxMessage, about: _About, details: dict) -> dict[int, _Notice]:
    actor_id = event.payload.get("actor_id")
    author = details["actor_name"]
    told: dict[int, _Notice] = {}
    for user_id in event.payload.get("mention_ids", []):
        user = session.get(User, user_id)
        if user_id == actor_id or user_id in told or not _works(session, user, about.ticket.project_id):
            continue
        if not user.notify_mentions:
            continue
        told[user_id] = _Notice(
            MENTION,
            user,
            f"{author} mentioned you",
            f"{author} mentioned you on {about.number}: {about.title}",
            details,
        )
    return told


def _stage_notice(session: Session, about: _About, notice: _Notice) -> None:
    user, number = notice.user, about.number
    works = _works(session, user, about.ticket.project_id)
    url = routes.ticket_page(number) if works else routes.portal_ticket(number)
    session.add(
        Notification(
            user_id=user.id,
            ticket_id=about.ticket.id,
            event=notice.kind,
            summary=_line(notice.summary, SUMMARY_MAX),
        )
    )
    # Push first: it is the quick channel, and rows are queued in the order they are staged.
    if user.notify_by_push:
        shown = push.notification(
            title=f"{number} · {notice.headline}", body=about.title, url=url, tag=f"ticket-{number}"
        )
        for subscription in push.subscriptions_for(session, user.id):
            outbox.stage(
                session,
                event=notice.kind,
                channel=push.OUTBOX_CHANNEL,
                recipient_user_id=user.id,
                ticket_id=about.ticket.id,
                payload={"subscription_id": subscription.id, "notification": shown},
            )
    if not user.notify_by_mail:
        return
    addressed = {
        "email": user.email,
        "name": user.name,
        "number": number,
        "title": about.title,
        "url": url,
        "thread_id": mail_ids.ticket_thread_id(number, about.ticket.created_at),
    }
    if notice.kind in _DIGESTED and not works:
        _add_to_requester_digest(session, about, user, {"kind": notice.kind, **notice.details}, addressed)
        return
    outbox.stage(
        session,
        event=notice.kind,
        channel=mail.OUTBOX_CHANNEL,
        recipient_user_id=user.id,
        ticket_id=about.ticket.id,
        payload={**notice.details, **addressed},
    )


def _add_to_requester_digest(
    session: Session, about: _About, user: User, item: dict[str, Any], addressed: dict[str, Any]
) -> None:
    """Add `item` to the requester's mail about this ticket that is still waiting, or start one.

    Only a mail not yet claimed for sending (`attempts == 0`) takes more news; the lock makes a
    sender claiming it at this moment wait, or be waited for, so no item is added to a mail
    already on its way.
    """
    waiting = session.exec(
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == mail.OUTBOX_CHANNEL,
            OutboxMessage.event == REQUESTER_DIGEST,
            OutboxMessage.recipient_user_id == user.id,
            OutboxMessage.ticket_id == about.ticket.id,
            OutboxMessage.delivered_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.attempts == 0,
        )
        .with_for_update()
    ).first()
    if waiting is not None:
        # A new dict, so the JSON column sees the change.
        waiting.payload = {**waiting.payload, **addressed, "items": [*waiting.payload.get("items", []), item]}
        session.add(waiting)
        return
    row = outbox.stage(
        session,
        event=REQUESTER_DIGEST,
        channel=mail.OUTBOX_CHANNEL,
        recipient_user_id=user.id,
        ticket_id=about.ticket.id,
        payload={**addressed, "items": [item]},
    )
    # The hand-off finds it not due yet; the relay sends it once the quiet period is over.
    row.next_attempt_at = utcnow() + timedelta(minutes=get_settings().requester_mail_quiet_minutes)
    session.add(row)


def _stage_event(session: Session, event: str, ticket: Ticket | int, actor: Actor, payload: dict[str, Any]) -> None:
    outbox.stage(
        session,
        event=event,
        channel=EVENT_CHANNEL,
        recipient_user_id=None,
        ticket_id=ticket if isinstance(ticket, int) else ticket.id,
        payload={"actor_id": _actor_id(actor), **payload},
    )


def _actor_id(actor: Actor) -> int | None:
    return None if actor is SYSTEM else actor.id


def _works(session: Session, user: User | None, project_id: int) -> bool:
    return user is not None and user.is_active and can_work(session, UserPublic.of(user), project_id)


def _project_agents(session: Session, project_id: int) -> list[User]:
    """The project's active staff agent members, by id (whom `access.can_work` lets work it)."""
    return list(
        session.exec(
            select(User)
            .join(ProjectMember, ProjectMember.user_id == User.id)
            .where(
                ProjectMember.project_id == project_id,
                ProjectMember.role.in_(WORKING_ROLES),
                User.is_active == True,  # noqa: E712
                User.role.in_([Role.AGENT, Role.ADMIN]),
            )
            .order_by(User.id)
        ).all()
    )


def _reply_handlers(session: Session, ticket: Ticket) -> list[User]:
    """Who hears a client's reply: the assignee while they can (else the project's agents), and the followers."""
    assignee = session.get(User, ticket.assignee_id) if ticket.assignee_id is not None else None
    works = _works(session, assignee, ticket.project_id)
    handlers = [assignee] if works else _project_agents(session, ticket.project_id)
    handled = {user.id for user in handlers}
    return handlers + [user for user in _followers(session, ticket) if user.id not in handled]


def _followers(session: Session, ticket: Ticket) -> list[User]:
    """The ticket's followers who still work it."""
    return [user for user in followers.follower_users(session, ticket.id) if _works(session, user, ticket.project_id)]


def _stage_cc_mails(
    session: Session, about: _About, comment: Comment, told: dict[int, _Notice], details: dict[str, Any]
) -> None:
    """Mail a public comment to the ticket's addresses in copy: not to its author, to nobody this comment
    tells already, and to no account that turned its mail off."""
    author = session.get(User, comment.author_id) if comment.author_id is not None else None
    skipped = {author.email} if author is not None else set()
    skipped |= {notice.user.email for notice in told.values()}
    for address in ticket_cc.emails_of(session, about.ticket.id):
        user = session.exec(select(User).where(User.email == address)).first()
        if address in skipped or (user is not None and (not user.is_active or not user.notify_by_mail)):
            continue
        outbox.stage(
            session,
            event=CC_REPLY,
            channel=mail.OUTBOX_CHANNEL,
            recipient_user_id=user.id if user is not None else None,
            ticket_id=about.ticket.id,
            payload={
                **details,
                "email": address,
                "name": user.name if user is not None else address.split("@")[0],
                "number": about.number,
                "title": about.title,
                "url": routes.portal_ticket(about.number),
                "thread_id": mail_ids.ticket_thread_id(about.number, about.ticket.created_at),
            },
        )


def _reporter(session: Session, ticket: Ticket) -> User | None:
    reporter = session.get(User, ticket.reporter_id) if ticket.reporter_id is not None else None
    return reporter if reporter is not None and reporter.is_active else None


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.name if user is not None else "TickIt"


def _line(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


outbox.register_local(EVENT_CHANNEL, fan_out)
