"""Admin: a project's mailboxes and the mail they received — what became of each, and "process again"."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.config import get_settings
from tickit.db import session_scope
from tickit.services import access, mail_in, mailboxes
from tickit.services.actors import UserPublic
from tickit.state.formatting import iso
from tickit.state.session import PROJECT_SETTINGS_ROLES, Outcome, SessionState

OUTCOME_WORDS = {
    "new_ticket": "New ticket",
    "threaded": "Reply",
    "dropped": "Dropped",
    "refused": "Refused",
    "failed": "Failed",
    "pending": "Waiting",
}


@dataclasses.dataclass
class MailboxLine:
    key: str
    address: str
    type_name: str
    imap: str  # "" when fed by the pipe or HTTP only
    last_poll: str  # ISO instant, worded in the viewer's zone
    error: str
    endpoint: str  # the full URL a relay posts to
    pipe: str  # the command a mail server's pipe runs


@dataclasses.dataclass
class MessageLine:
    id: int
    received: str
    mailbox: str
    sender: str
    subject: str
    outcome: str
    outcome_word: str
    detail: str
    ticket: str
    ticket_url: str
    may_process_again: bool


def _listing(session: Session, actor: UserPublic, project_key: str):
    boxes = mailboxes.list_mailboxes(session=session, actor=actor, project_key=project_key)
    app_url = get_settings().app_url
    box_lines = [
        MailboxLine(
            key=box.key,
            address=box.address,
            type_name=box.type_name,
            imap=box.imap,
            last_poll=iso(box.last_poll_at),
            error=box.last_error,
            endpoint=app_url + routes.inbound_email(box.key),
            pipe=f"tickit mail receive --mailbox {box.key}",
        )
        for box in boxes
    ]
    rows = mail_in.recent(session=session, actor=actor, project_key=project_key)
    message_lines = [
        MessageLine(
            id=row.id,
            received=iso(row.received_at),
            mailbox=row.mailbox_key,
            sender=row.sender or "(no sender)",
            subject=row.subject or "(no subject)",
            outcome=row.outcome,
            outcome_word=OUTCOME_WORDS.get(row.outcome, row.outcome),
            detail=row.detail,
            ticket=row.ticket,
            ticket_url=routes.ticket_page(row.ticket) if row.ticket else "",
            may_process_again=row.may_process_again,
        )
        for row in rows
    ]
    return access.get_project(session, project_key).name, box_lines, message_lines


class AdminMailState(SessionState):
    project_key: str = ""
    project_name: str = ""
    boxes: list[MailboxLine] = []
    messages: list[MessageLine] = []

    @rx.event
    async def load(self):
        self.project_key = project_key = self.router.url.path.rstrip("/").split("/")[-2].upper()
        outcome = await self.admit_and_read(
            PROJECT_SETTINGS_ROLES, lambda session, actor: _listing(session, actor, project_key)
        )
        if outcome is None:
            self.boxes, self.messages, self.project_name = [], [], ""
            return self.refusal()
        return self._show(outcome)

    async def _refresh(self):
        project_key = self.project_key
        return self._show(await self.read(lambda session, actor: _listing(session, actor, project_key)))

    def _show(self, outcome: Outcome[tuple[str, list[MailboxLine], list[MessageLine]]]):
        if outcome.errors:
            self.boxes, self.messages = [], []
            return [rx.redirect(routes.ADMIN_PROJECTS), outcome.event]
        if not outcome.ok:
            return outcome.event
        self.project_name, self.boxes, self.messages = outcome.value
        return None

    @rx.event
    async def process_again(self, inbound_id: int):
        # Processing opens transactions of its own (a mail is kept apart from what it becomes), as
        # the mail channels do; this read-only one only resolves who asks.
        def again(session: Session, actor: UserPublic):
            return mail_in.process_again(unit_of_work=session_scope, actor=actor, inbound_id=inbound_id)

        outcome = await self.read(again)
        if not outcome.ok:
            return outcome.event
        result = outcome.value
        refreshed = await self._refresh()
        word = OUTCOME_WORDS.get(result.outcome, result.outcome)
        toast = rx.toast.success(f"Processed again: {word}. {result.detail}")
        return [toast, *(refreshed if isinstance(refreshed, list) else [refreshed] if refreshed else [])]
