"""The satisfaction survey: one per resolution of a ticket, answered good or bad from a mail link.

- Sent by `send_due`, run every minute: a ticket resolved at least its project's survey delay ago
  (default 1 hour) and still resolved (not closed, not reopened) gets one survey for that
  resolution, to its requester (a reporter who does not work the project). Nothing is sent from
  the status change itself, so a survey can never hold up or fail a move.
- The link carries a random token; only its sha256 is stored. It is valid 28 days.
- Opening the link (`survey_by_token`) records nothing: mail scanners fetch links. Only the
  form's submit (`rate`) records the answer. It may be changed until the ticket is closed or
  reopened; a rating never moves the ticket.
- Good or bad rather than 1 to 5: one click in the mail is the whole answer, which is what gets
  answered, and a helpdesk reads the share of good answers either way.
As everywhere in the services, the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists
from sqlmodel import Session, select

from tickit import routes
from tickit.config import get_settings as app_settings
from tickit.models import ActivityEntry, Project, SatisfactionRating, Ticket, User, utcnow
from tickit.services import mail, mail_ids, outbox, ratelimit, reporting, ticket_stamp, webhook_events
from tickit.services.access import can_work, format_ticket_number
from tickit.services.actors import UserPublic
from tickit.services.errors import NotFound, RateLimited, ValidationFailed

RATINGS = ("good", "bad")
TOKEN_DAYS = 28
COMMENT_MAX = 2000
SURVEY_EVENT = mail.SURVEY
# A survey goes out for resolutions this recent only: turning the survey on never mails a backlog.
SEND_WITHIN = timedelta(days=1)
SEND_BATCH = 500
RATE_CHANGES_PER_HOUR = 20  # submits per survey link per hour


@dataclass(frozen=True)
class SurveyView:
    """A survey as its page shows it."""

    number: str
    title: str
    rating: str | None  # the answer recorded so far
    comment: str
    open: bool  # may still be answered or changed
    why_closed: str  # when not open, in words


@dataclass(frozen=True)
class Satisfaction:
    """The latest answered survey of a ticket."""

    rating: str
    comment: str
    rated_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def send_due(*, session: Session, now: datetime | None = None) -> int:
    """Stage the survey mail of every ticket whose resolution is due one; returns how many."""
    now = now or utcnow()
    sent = 0
    projects = session.exec(select(Project).where(Project.survey_enabled == True).order_by(Project.id)).all()  # noqa: E712
    for project in projects:
        due_before = now - timedelta(minutes=project.survey_delay_minutes)
        surveyed = exists().where(
            and_(SatisfactionRating.ticket_id == Ticket.id, SatisfactionRating.resolved_at == Ticket.resolved_at)
        )
        rows = session.exec(
            select(Ticket, User)
            .join(User, User.id == Ticket.reporter_id)
            .where(
                Ticket.project_id == project.id,
                Ticket.closed_at.is_(None),
                Ticket.resolved_at <= due_before,
                Ticket.resolved_at >= due_before - SEND_WITHIN,
                User.is_active == True,  # noqa: E712
                ~surveyed,
            )
            .order_by(Ticket.resolved_at, Ticket.id)
            .limit(SEND_BATCH)
        ).all()
        for ticket, reporter in rows:
            if can_work(session, UserPublic.of(reporter), project.id):
                continue  # staff who filed for themselves need no survey of their own team
            _stage_survey(session, project, ticket, reporter, now)
            sent += 1
    session.flush()
    return sent


def _stage_survey(session: Session, project: Project, ticket: Ticket, reporter: User, now: datetime) -> None:
    token = secrets.token_urlsafe(32)
    session.add(
        SatisfactionRating(
            ticket_id=ticket.id,
            resolved_at=ticket.resolved_at,
            token_hash=token_hash(token),
            expires_at=now + timedelta(days=TOKEN_DAYS),
            created_at=now,
        )
    )
    number = format_ticket_number(project.key, ticket.number)
    app_url = app_settings().app_url
    # The token exists in clear only in this mail's payload, as it does in the mail itself.
    outbox.stage(
        session,
        event=SURVEY_EVENT,
        channel=mail.OUTBOX_CHANNEL,
        recipient_user_id=reporter.id,
        ticket_id=ticket.id,
        payload={
            "email": reporter.email,
            "name": reporter.name,
            "number": number,
            "title": ticket.title,
            "url": routes.portal_ticket(number),
            "thread_id": mail_ids.ticket_thread_id(number, ticket.created_at),
            "good_url": f"{app_url}{routes.survey_url(token, 'good')}",
            "bad_url": f"{app_url}{routes.survey_url(token, 'bad')}",
        },
    )


def survey_by_token(*, session: Session, token: str) -> SurveyView:
    """The survey behind a link, read only (NotFound for an unknown or expired link)."""
    rating, ticket, project_key = _by_token(session, token)
    return _view(rating, ticket, project_key)


def rate(*, session: Session, token: str, rating: str, comment: str = "") -> SurveyView:
    """Record (or change) the answer of a survey; logs it on the ticket, never moves it.

    NotFound for an unknown or expired link; ValidationFailed once the ticket was closed or
    reopened, or for an answer other than good or bad; RateLimited past 20 submits an hour.
    """
    if rating not in RATINGS:
        raise ValidationFailed({"rating": "Choose good or bad."})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationFailed({"comment": f"Keep the comment under {COMMENT_MAX:,} characters."})
    found, ticket, project_key = _by_token(session, token, for_update=True)
    view = _view(found, ticket, project_key)
    if not view.open:
        raise ValidationFailed({"rating": view.why_closed})
    key = f"survey:{found.id}"
    if ratelimit.hit(session, key, window_seconds=3600) > RATE_CHANGES_PER_HOUR:
        raise RateLimited(ratelimit.seconds_left(3600), "Too many changes to this rating")
    if (found.rating, found.comment) == (rating, comment):
        return view
    now = utcnow()
    before = {"rating": found.rating, "comment": found.comment} if found.rating else {}
    found.rating, found.comment, found.rated_at = rating, comment, now
    ticket_stamp.touch(ticket, now)
    session.add_all([found, ticket])
    session.add(
        ActivityEntry(
            ticket_id=ticket.id,
            actor_user_id=ticket.reporter_id,
            action="rated",
            before=before,
            after={"rating": rating, "comment": comment[:500]},
            created_at=now,
        )
    )
    if before.get("rating") != rating:
        reporting.on_rated(session, ticket, rating, now)
    session.flush()
    webhook_events.publish(
        session,
        project_id=ticket.project_id,
        ticket_id=ticket.id,
        event=webhook_events.SATISFACTION_RATED,
        data={"rating": rating, "comment": comment},
    )
    return _view(found, ticket, project_key)


def satisfaction(session: Session, ticket_id: int) -> Satisfaction | None:
    """The ticket's latest answered survey, if any."""
    row = session.exec(
        select(SatisfactionRating)
        .where(SatisfactionRating.ticket_id == ticket_id, SatisfactionRating.rating.is_not(None))
        .order_by(SatisfactionRating.resolved_at.desc())
    ).first()
    return Satisfaction(row.rating, row.comment, row.rated_at) if row else None


def _by_token(session: Session, token: str, *, for_update: bool = False) -> tuple[SatisfactionRating, Ticket, str]:
    query = (
        select(SatisfactionRating, Ticket, Project.key)
        .join(Ticket, Ticket.id == SatisfactionRating.ticket_id)
        .join(Project, Project.id == Ticket.project_id)
        .where(SatisfactionRating.token_hash == token_hash(token or ""))
    )
    if for_update:
        query = query.with_for_update(of=SatisfactionRating)
    found = session.exec(query).first()
    if found is None or found[0].expires_at <= utcnow():
        raise NotFound("This survey link is unknown or has expired.")
    return found


def _view(rating: SatisfactionRating, ticket: Ticket, project_key: str) -> SurveyView:
    if ticket.closed_at is not None:
        why = "The ticket is closed now, so its rating can no longer change. Thank you!"
    elif ticket.resolved_at != rating.resolved_at:
        why = "The ticket was reopened since this survey was sent; you will get a new one when it is solved."
    else:
        why = ""
    return SurveyView(
        number=format_ticket_number(project_key, ticket.number),
        title=ticket.title,
        rating=rating.rating,
        comment=rating.comment,
        open=not why,
        why_closed=why,
    )
