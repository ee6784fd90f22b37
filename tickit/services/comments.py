"""Comments on a ticket: threads of replies, internal notes, mentions, edits and deletions.

Decisions the rest of the app relies on:
- Threads are one level deep. A reply may name any comment of the ticket as its parent, but it
  is stored under that comment's thread root, so `parent_id` is always a root (or None).
- A reply in an internal note's thread is itself internal, whoever asked: a public reply there
  would hang under a note the client cannot see.
- Internal notes are written by, and shown to, only those who work the ticket's project
  (`access.can_work`). For anyone else they are filtered out in the query and treated as absent
  (NotFound), never loaded and hidden later.
- Only the author edits a comment; the author or an admin deletes it. A deletion is soft: the
  body is cleared and the row stays, so its replies keep their thread. The activity log records
  that it was deleted, not what it said.
- Deleted comments are left out of a thread, except a deleted root that still has replies, which
  shows as a placeholder above them.
- Mentions are kept only for active agent members of the ticket's project and active admins;
  other ids in the HTML are dropped from `mentions` without an error, and their spans become
  plain text. A kept mention always reads `@` and the name of the user it points at, whatever
  label the writer's HTML gave it (rewritten when stored, and again when shown).
As everywhere in the services, the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, select

from tickit.models import WORKING_ROLES, Comment, Project, ProjectMember, Role, Ticket, User, utcnow
from tickit.services import (
    activity,
    intake_policy,
    lifecycle,
    notifications,
    reporting,
    sla,
    ticket_stamp,
    webhook_events,
)
from tickit.services.access import can_work, format_ticket_number, ticket_for
from tickit.services.actors import UserPublic
from tickit.services.errors import NotFound, PermissionDenied, ValidationFailed
from tickit.services.sanitize import clean_html, label_mentions, mentioned_ids, plain_text

BODY_MAX = 100_000  # characters of HTML as submitted, before sanitising
LOGGED_TEXT_MAX = 500  # characters of plain text an edit's activity entry keeps, before and after
_FORMER_USER = "Former user"


@dataclass(frozen=True)
class CommentView:
    """A comment as a thread shows it; `html` is sanitised (and empty once deleted)."""

    id: int
    parent_id: int | None
    author_id: int | None
    author_name: str
    author_role: str
    html: str
    text: str
    internal: bool
    edited: bool
    deleted: bool
    created_at: datetime
    edited_at: datetime | None
    mentions: tuple[str, ...]
    editable: bool  # the actor may change its body: its author, while it is not deleted
    removable: bool  # the actor may delete it: its author or an admin, while it is not deleted
    can_reply: bool  # a reply may go under it: threads are one level deep, so a root that is not deleted
    # Set when the requester's reply came after the reopen window and was filed as a new ticket:
    # the comment is that ticket's (`lifecycle.file_follow_up`), and this is its number.
    filed_as: str = ""


@dataclass(frozen=True)
class Mentionable:
    """An agent the editor offers after `@`."""

    id: int
    name: str


def add_comment(
    *,
    session: Session,
    actor: UserPublic,
    number: str,
    body_html: str,
    parent_id: int | None = None,
    internal: bool = False,
) -> CommentView:
    """Comment on ticket `number` (or reply to comment `parent_id`), logging it on the ticket.

    NotFound if the actor may not see the ticket or the parent; PermissionDenied for an internal
    note from someone who does not work the ticket; ValidationFailed (`body`) when nothing is
    left to say after sanitising. The first public comment from the ticket's staff sets its first
    response time. A public reply then applies the type's reply rules (`lifecycle.after_reply`);
    a requester's reply to a ticket closed longer than the reopen window ago goes, with no
    parent, on a new follow-up ticket instead (its number in `filed_as`).
    """
    ticket = ticket_for(session, actor, number, for_update=True)
    works = can_work(session, actor, ticket.project_id)
    if internal and not works:
        raise PermissionDenied("Only the ticket's agents may write internal notes.")
    filed_as = ""
    if not internal and lifecycle.reply_files_follow_up(session, ticket, works, utcnow()):
        _cleaned_body(body_html)  # an empty reply files nothing
        filed_as = lifecycle.file_follow_up(session=session, actor=actor, ticket=ticket, now=utcnow())
        ticket = ticket_for(session, actor, filed_as, for_update=True)
        parent_id = None
    root: Comment | None = None
    if parent_id is not None:
        parent = _visible_comment(session, ticket, parent_id, works)
        if parent.deleted_at is not None:
            raise ValidationFailed({"parent": "That comment was deleted; reply to the ticket instead."})
        root = parent if parent.parent_id is None else _visible_comment(session, ticket, parent.parent_id, works)
        internal = internal or root.is_internal
    html, text = _cleaned_body(body_html)
    intake_policy.count_comment(session, actor, ticket)
    mentions = _allowed_mentions(session, ticket.project_id, mentioned_ids(html)) if works else []
    html, text = _labelled(session, html, mentions)
    now = utcnow()
    comment = Comment(
        ticket_id=ticket.id,
        parent_id=root.id if root is not None else None,
        author_id=actor.id,
        body_html=html,
        body_text=text,
        is_internal=internal,
        mentions=mentions,
        created_at=now,
    )
    session.add(comment)
    ticket_stamp.touch(ticket, now, internal=internal)
    if works and not internal and ticket.first_responded_at is None:
        ticket.first_responded_at = now
        sla.on_change(session, ticket, now)
        reporting.on_first_response(session, ticket, now)
    session.add(ticket)
    session.flush()
    activity.record(
        session, ticket, actor, "comment_added", after={"comment_id": comment.id, "internal": internal}, now=now
    )
    notifications.stage_comment_added(session, comment=comment, actor=actor, from_staff=works)
    webhook_events.publish(
        session,
        project_id=ticket.project_id,
        ticket_id=ticket.id,
        event=webhook_events.INTERNAL_NOTE_ADDED if internal else webhook_events.COMMENTED,
        data={
            "comment": {
                "id": comment.id,
                "author": {"email": actor.email, "name": actor.name},
                "from_staff": works,
                "text": text,
            }
        },
    )
    if not internal and not filed_as:
        lifecycle.after_reply(session=session, actor=actor, ticket=ticket, from_staff=works, now=now)
    view = _view(session, comment, actor)
    return replace(view, filed_as=filed_as) if filed_as else view


def edit_comment(*, session: Session, actor: UserPublic, comment_id: int, body_html: str) -> CommentView:
    """Replace the body of the actor's own comment, logging the text before and after.

    NotFound if the actor may not see the comment or it was deleted; PermissionDenied if someone
    else wrote it. An edit that changes nothing after sanitising is not logged.
    """
    comment, ticket = _comment_for_change(session, actor, comment_id)
    if not _may_edit(comment, actor):
        raise PermissionDenied("Only its author may edit a comment.")
    html, text = _cleaned_body(body_html)
    # Mentions are the staff's tool (the portal's editor offers none): a client's hand-typed one is not kept.
    works = can_work(session, actor, ticket.project_id)
    mentions = _allowed_mentions(session, ticket.project_id, mentioned_ids(html)) if works else []
    html, text = _labelled(session, html, mentions)
    if html == comment.body_html:
        return _view(session, comment, actor)
    now = utcnow()
    before_text, before_mentions = comment.body_text, list(comment.mentions or [])
    comment.body_html, comment.body_text = html, text
    comment.mentions = mentions
    comment.edited_at = now
    ticket_stamp.touch(ticket, now, internal=comment.is_internal)
    session.add_all([comment, ticket])
    session.flush()
    activity.record(
        session,
        ticket,
        actor,
        "comment_edited",
        # `internal` lets the activity log hide an edited note from clients, as it hides the note.
        before={"comment_id": comment.id, "internal": comment.is_internal, "text": _truncated(before_text)},
        after={"comment_id": comment.id, "internal": comment.is_internal, "text": _truncated(text)},
        now=now,
    )
    notifications.stage_mentions_added(session, comment=comment, actor=actor, before=before_mentions)
    return _view(session, comment, actor)


def delete_comment(*, session: Session, actor: UserPublic, comment_id: int) -> None:
    """Delete a comment (its author or an admin): the body is cleared, its replies stay.

    NotFound if the actor may not see the comment or it is already deleted.
    """
    comment, ticket = _comment_for_change(session, actor, comment_id)
    if not _may_delete(comment, actor):
        raise PermissionDenied("Only its author or an admin may delete a comment.")
    now = utcnow()
    comment.deleted_at = now
    comment.body_html = comment.body_text = ""
    comment.mentions = []
    ticket_stamp.touch(ticket, now, internal=comment.is_internal)
    session.add_all([comment, ticket])
    session.flush()
    activity.record(
        session,
        ticket,
        actor,
        "comment_deleted",
        before={"comment_id": comment.id, "internal": comment.is_internal},
        now=now,
    )


def thread(*, session: Session, actor: UserPublic, number: str) -> list[CommentView]:
    """The ticket's comments as the actor may see them: each root by time, followed by its replies by time."""
    ticket = ticket_for(session, actor, number)
    query = (
        select(Comment, User)
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.ticket_id == ticket.id)
        .order_by(Comment.created_at, Comment.id)
    )
    if not can_work(session, actor, ticket.project_id):
        query = query.where(Comment.is_internal == False)  # noqa: E712
    rows = session.exec(query).all()
    roots = [(c, u) for c, u in rows if c.parent_id is None]
    replies: dict[int, list[tuple[Comment, User | None]]] = {}
    for c, u in rows:
        if c.parent_id is not None and c.deleted_at is None:
            replies.setdefault(c.parent_id, []).append((c, u))
    names = _names(session, {i for c, _ in rows for i in c.mentions or []})
    shown: list[CommentView] = []
    for root, author in roots:
        below = replies.get(root.id, [])
        if root.deleted_at is not None and not below:
            continue
        shown.append(_view_of(root, author, names, actor))
        shown.extend(_view_of(c, u, names, actor) for c, u in below)
    return shown


def mentionable_agents(*, session: Session, actor: UserPublic, number: str) -> list[Mentionable]:
    """The active agents of the ticket's project, by name, for the editor's @ list (empty for clients)."""
    ticket = ticket_for(session, actor, number)
    if not can_work(session, actor, ticket.project_id):
        return []
    rows = session.exec(
        select(User.id, User.name)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(
            ProjectMember.project_id == ticket.project_id,
            ProjectMember.role.in_(WORKING_ROLES),
            User.is_active == True,  # noqa: E712
            User.role.in_([Role.AGENT, Role.ADMIN]),
        )
        .order_by(User.name, User.id)
    ).all()
    return [Mentionable(id=user_id, name=name) for user_id, name in rows]


def _visible_comment(session: Session, ticket: Ticket, comment_id: int, works: bool) -> Comment:
    """Comment `comment_id` of this ticket, or NotFound (also for an internal note the actor may not see)."""
    comment = session.get(Comment, comment_id) if isinstance(comment_id, int) else None
    if comment is None or comment.ticket_id != ticket.id or (comment.is_internal and not works):
        raise NotFound("No such comment on this ticket.")
    return comment


def _comment_for_change(session: Session, actor: UserPublic, comment_id: int) -> tuple[Comment, Ticket]:
    """The comment to edit or delete, with its ticket locked; NotFound if hidden from the actor or deleted."""
    found = session.exec(
        select(Comment, Project.key, Ticket.number)
        .join(Ticket, Ticket.id == Comment.ticket_id)
        .join(Project, Project.id == Ticket.project_id)
        .where(Comment.id == comment_id)
    ).first()
    if found is None:
        raise NotFound("No such comment.")
    comment, project_key, number = found
    try:
        ticket = ticket_for(session, actor, format_ticket_number(project_key, number), for_update=True)
        comment = _visible_comment(session, ticket, comment.id, can_work(session, actor, ticket.project_id))
    except NotFound:
        raise NotFound("No such comment.") from None
    if comment.deleted_at is not None:
        raise NotFound("That comment was deleted.")
    return comment, ticket


def _cleaned_body(body_html: str) -> tuple[str, str]:
    if not isinstance(body_html, str):
        raise ValidationFailed({"body": "Write a comment."})
    if len(body_html) > BODY_MAX:
        raise ValidationFailed({"body": f"Keep the comment under {BODY_MAX:,} characters of formatted text."})
    html = clean_html(body_html)
    text = plain_text(html)
    if not text:
        raise ValidationFailed({"body": "Write a comment."})
    return html, text


def _allowed_mentions(session: Session, project_id: int, ids: list[int]) -> list[int]:
    """The ids, in order, of those that are active agents of the project or active admins."""
    if not ids:
        return []
    agents = select(ProjectMember.user_id).where(
        ProjectMember.project_id == project_id, ProjectMember.role.in_(WORKING_ROLES)
    )
    allowed = set(
        session.exec(
            select(User.id).where(
                User.id.in_(ids),
                User.is_active == True,  # noqa: E712
                (User.role == Role.ADMIN) | ((User.role == Role.AGENT) & User.id.in_(agents)),
            )
        ).all()
    )
    return [i for i in ids if i in allowed]


def _labelled(session: Session, html: str, mentions: list[int]) -> tuple[str, str]:
    """The body with each kept mention showing its user's own name, any other as plain text; and its text."""
    html = label_mentions(html, _names(session, set(mentions)))
    return html, plain_text(html)


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.name).where(User.id.in_(ids))).all())


def _mentioned_names(comment: Comment, names: dict[int, str]) -> dict[int, str]:
    return {i: names[i] for i in comment.mentions or [] if i in names}


def _may_edit(comment: Comment, actor: UserPublic) -> bool:
    return comment.author_id == actor.id


def _may_delete(comment: Comment, actor: UserPublic) -> bool:
    return comment.author_id == actor.id or actor.is_admin


def _view(session: Session, comment: Comment, actor: UserPublic) -> CommentView:
    author = session.get(User, comment.author_id) if comment.author_id is not None else None
    return _view_of(comment, author, _names(session, set(comment.mentions or [])), actor)


def _view_of(comment: Comment, author: User | None, names: dict[int, str], actor: UserPublic) -> CommentView:
    deleted = comment.deleted_at is not None
    return CommentView(
        id=comment.id,
        parent_id=comment.parent_id,
        author_id=comment.author_id,
        author_name=author.name if author is not None else _FORMER_USER,
        author_role=author.role if author is not None else "",
        # Relabelled again as shown: a mentioned user renamed since is shown by the name they have now.
        html="" if deleted else label_mentions(comment.body_html, _mentioned_names(comment, names)),
        text="" if deleted else comment.body_text,
        internal=comment.is_internal,
        edited=comment.edited_at is not None,
        deleted=deleted,
        created_at=comment.created_at,
        edited_at=comment.edited_at,
        mentions=() if deleted else tuple(_mentioned_names(comment, names).values()),
        editable=not deleted and _may_edit(comment, actor),
        removable=not deleted and _may_delete(comment, actor),
        can_reply=not deleted and comment.parent_id is None,
    )


def _truncated(text: str) -> str:
    return text if len(text) <= LOGGED_TEXT_MAX else text[: LOGGED_TEXT_MAX - 1] + "…"
