"""Changing what a ticket asks: its title and description, and whose request it is.

- Staff who work the ticket edit its title and description at any time; its requester (the
  reporter) may too, until the team first replies publicly (`Ticket.first_responded_at`): after
  that the conversation answers the request as written, and a change goes in a comment.
- The description is edited in the comments' rich-text editor and sanitised the same way
  (`sanitize.clean_html`); the plain text beside it is what search, lists and the API read.
- Staff file on behalf of a client, and change a ticket's requester, by email: an existing client
  (made a client member of the project if they were not), or a new client account (no password,
  as the integration API makes them). A staff member's address is refused: a requester is a client.
- Every change is an activity entry with before and after, and moves the ticket's public stamp.
As everywhere in the services, the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from sqlmodel import Session

from tickit.models import MemberRole, ProjectMember, Role, Ticket, User, utcnow
from tickit.services import activity, fields, ticket_stamp
from tickit.services.access import can_work, get_project, parse_ticket_number, ticket_for
from tickit.services.actors import UserPublic
from tickit.services.errors import PermissionDenied, ValidationFailed
from tickit.services.sanitize import clean_html, plain_text
from tickit.services.tickets import DESCRIPTION_MAX, TITLE_MAX
from tickit.services.users import find_by_email, normalise_email

DESCRIPTION_HTML_MAX = 100_000  # characters of HTML as submitted, as for a comment
LOGGED_TEXT_MAX = 500  # characters of the description an activity entry keeps, before and after
NAME_MAX = 200


@dataclass(frozen=True)
class EditedTicket:
    title: str
    description: str  # plain text
    description_html: str  # sanitised; "" when the description was never edited as rich text


@dataclass(frozen=True)
class Requester:
    id: int
    name: str
    email: str


def may_edit(session: Session, actor: UserPublic, ticket: Ticket) -> bool:
    """Whether the actor may change the ticket's title and description (see the module's rules)."""
    if can_work(session, actor, ticket.project_id):
        return True
    return ticket.reporter_id == actor.id and ticket.first_responded_at is None


def edit_ticket(*, session: Session, actor: UserPublic, number: str, changes: Mapping[str, str]) -> EditedTicket:
    """Change the title and/or description (`title`, `description_html`) of ticket `number`.

    NotFound if the actor may not see it; PermissionDenied for a requester once the team replied
    (or anyone else who does not work it); ValidationFailed naming `title` or `description`.
    What did not change is not logged.
    """
    ticket = ticket_for(session, actor, number, for_update=True)
    if not may_edit(session, actor, ticket):
        raise PermissionDenied(
            "The team has replied, so the request stays as they read it; add what changed in a comment."
        )
    unknown = set(changes) - {"title", "description_html"}
    if unknown:
        raise ValidationFailed({key: "Only the title and the description can be edited here." for key in unknown})
    errors: dict[str, str] = {}
    now = utcnow()
    logged: list[tuple[str, dict, dict]] = []
    if "title" in changes:
        title = str(changes["title"]).strip()
        if not title:
            errors["title"] = "Give the ticket a title."
        elif len(title) > TITLE_MAX:
            errors["title"] = f"Keep the title under {TITLE_MAX} characters."
        elif reason := fields.unstorable_reason(title):
            errors["title"] = f"The title {reason}."
        elif title != ticket.title:
            logged.append(("title_changed", {"title": ticket.title}, {"title": title}))
            ticket.title = title
    if "description_html" in changes:
        submitted = changes["description_html"]
        if not isinstance(submitted, str) or len(submitted) > DESCRIPTION_HTML_MAX:
            errors["description"] = f"Keep the description under {DESCRIPTION_HTML_MAX:,} characters of formatted text."
        else:
            html = clean_html(submitted)
            text = plain_text(html)
            html = html if text else ""
            if len(text) > DESCRIPTION_MAX:
                errors["description"] = f"Keep the description under {DESCRIPTION_MAX:,} characters."
            elif text != ticket.description or (html and html != ticket.description_html):
                logged.append(
                    ("description_changed", {"text": _truncated(ticket.description)}, {"text": _truncated(text)})
                )
                ticket.description, ticket.description_html = text, html
    if errors:
        raise ValidationFailed(errors)
    if logged:
        ticket_stamp.touch(ticket, now)
        session.add(ticket)
        session.flush()
        for action, before, after in logged:
            activity.record(session, ticket, actor, action, before=before, after=after, now=now)
    return EditedTicket(title=ticket.title, description=ticket.description, description_html=ticket.description_html)


def requester_for(*, session: Session, actor: UserPublic, project_key: str, email: str, name: str = "") -> Requester:
    """The client with this email, made a client of the project if needed, or a new client account.

    Staff who work the project only (PermissionDenied otherwise). ValidationFailed (`requester`)
    for a malformed address or one that belongs to staff; (`requester_name`) for a name too long.
    """
    project = get_project(session, project_key)
    if not can_work(session, actor, project.id):
        raise PermissionDenied("Only the project's agents may file for someone else.")
    try:
        address = normalise_email(email)
    except ValidationFailed:
        raise ValidationFailed({"requester": "Give the requester's email address, like ada@example.com."}) from None
    name = name.strip()
    if len(name) > NAME_MAX:
        raise ValidationFailed({"requester_name": f"Keep the name under {NAME_MAX} characters."})
    user = find_by_email(session, address)
    if user is None:
        user = User(email=address, name=name or address.split("@")[0], role=Role.CLIENT, password_hash=None)
        session.add(user)
        session.flush()
    elif user.role != Role.CLIENT:
        raise ValidationFailed({"requester": f"{address} belongs to a member of staff; a requester is a client."})
    if session.get(ProjectMember, (project.id, user.id)) is None:
        session.add(ProjectMember(project_id=project.id, user_id=user.id, role=MemberRole.CLIENT))
        session.flush()
    return Requester(id=user.id, name=user.name, email=user.email)


def change_requester(*, session: Session, actor: UserPublic, number: str, email: str, name: str = "") -> Requester:
    """Make the client with this email (found or created, as `requester_for`) the requester of ticket `number`.

    Staff who work the ticket only; the change is logged with the requester before and after.
    """
    ticket = ticket_for(session, actor, number, for_update=True)
    if not can_work(session, actor, ticket.project_id):
        raise PermissionDenied("Only the project's agents may change who asked.")
    project_key, _ = parse_ticket_number(number)
    requester = requester_for(session=session, actor=actor, project_key=project_key, email=email, name=name)
    if requester.id == ticket.reporter_id:
        return requester
    before = session.get(User, ticket.reporter_id) if ticket.reporter_id is not None else None
    now = utcnow()
    ticket.reporter_id = requester.id
    ticket_stamp.touch(ticket, now)
    session.add(ticket)
    session.flush()
    activity.record(
        session,
        ticket,
        actor,
        "requester_changed",
        before={"requester": {"id": before.id, "name": before.name} if before else None},
        after={"requester": {"id": requester.id, "name": requester.name}},
        now=now,
    )
    return requester


def editor_html(description: str, description_html: str) -> str:
    """The description as the rich-text editor starts from: its HTML, or its plain text as paragraphs."""
    return description_html or html_of_text(description)


def html_of_text(text: str) -> str:
    """Plain text as the comment editor's HTML: a paragraph per blank-line block, line breaks kept."""
    blocks = [block for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
    return "".join("<p>" + "<br>".join(escape(line) for line in block.split("\n")) + "</p>" for block in blocks)


def _truncated(text: str) -> str:
    return text if len(text) <= LOGGED_TEXT_MAX else text[: LOGGED_TEXT_MAX - 1] + "…"
