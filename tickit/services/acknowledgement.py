"""The mail that tells a requester their request arrived: "We received your request [HH-42]".

Staged when the ticket's `ticket_created` event is fanned out, so every filing path (portal,
staff form, API, later mail) sends it and the filing itself pays nothing for it. It goes to the
ticket's requester (a reporter who does not work the project), when the project sends
acknowledgements and the requester keeps mail on; it links the ticket's portal page and is
threaded with the ticket's later mails. A requester without a password (filed for by the API, by
mail or by staff) also gets a link to choose one, so they can follow the ticket on the portal.
One address gets at most ACKNOWLEDGEMENTS_PER_HOUR.
"""

from __future__ import annotations

from sqlmodel import Session

from tickit import routes
from tickit.models import Ticket, User
from tickit.services import intake_policy, mail, mail_ids, outbox, ratelimit, sign_in_links
from tickit.services.access import can_work
from tickit.services.actors import UserPublic

ACKNOWLEDGEMENT = "acknowledgement"
# Acknowledgements one address gets in an hour at most: a mail loop or a flood in someone's name
# files many tickets, and each would otherwise mail that address again.
ACKNOWLEDGEMENTS_PER_HOUR = 10
ACKNOWLEDGEMENT_WINDOW_SECONDS = 3600


def stage_for_new_ticket(session: Session, ticket: Ticket, number: str) -> bool:
    """Stage the acknowledgement of `ticket` (numbered `number`) for its requester; False when none is due."""
    reporter = session.get(User, ticket.reporter_id) if ticket.reporter_id is not None else None
    if reporter is None or not reporter.is_active or not reporter.notify_by_mail:
        return False
    if can_work(session, UserPublic.of(reporter), ticket.project_id):
        return False  # staff filing their own ticket know it arrived
    if not intake_policy.policy_of(session, ticket.project_id).acknowledge:
        return False
    window = ACKNOWLEDGEMENT_WINDOW_SECONDS
    if ratelimit.hit(session, f"ack:{reporter.email}", window_seconds=window) > ACKNOWLEDGEMENTS_PER_HOUR:
        return False
    outbox.stage(
        session,
        event=ACKNOWLEDGEMENT,
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
            "set_password_url": sign_in_links.first_password_url(session, reporter),
        },
    )
    return True
