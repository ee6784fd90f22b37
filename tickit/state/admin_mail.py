"""Admin: a project's mailboxes — add, edit, check, disable, remove, rotate the HTTP secret — and the mail
they received: what became of each, and "process again".

Neither the IMAP password nor the HTTP secret is ever a state var: the password field is not bound
to the state (its value comes with the form's submit and goes straight to the service), and a new
secret reaches the browser only through `one_time_secret.reveal`.
"""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.components.one_time_secret import reveal
from tickit.config import get_settings
from tickit.db import session_scope
from tickit.services import access, mail_imap, mail_in, mailboxes
from tickit.services.actors import UserPublic
from tickit.services.workflow_admin.types import list_types
from tickit.state.formatting import iso
from tickit.state.session import PROJECT_SETTINGS_ROLES, Outcome, SessionState

NEW_SECRET_ID = "new-mailbox-secret"

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
    type_key: str
    type_name: str
    imap: str  # "" when fed by the pipe or HTTP only
    last_poll: str  # ISO instant, worded in the viewer's zone
    error: str
    endpoint: str  # the full URL a relay posts to
    pipe: str  # the command a mail server's pipe runs
    enabled: bool
    imap_host: str
    imap_port: int
    imap_tls: bool
    imap_username: str
    imap_folder: str
    imap_move_to: str
    removable: bool
    not_removable_because: str


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
            type_key=box.type_key,
            type_name=box.type_name,
            imap=box.imap,
            last_poll=iso(box.last_poll_at),
            error=box.last_error,
            endpoint=app_url + routes.inbound_email(box.key),
            pipe=f"tickit mail receive --mailbox {box.key}",
            enabled=box.enabled,
            imap_host=box.imap_host,
            imap_port=box.imap_port,
            imap_tls=box.imap_tls,
            imap_username=box.imap_username,
            imap_folder=box.imap_folder,
            imap_move_to=box.imap_move_to,
            removable=box.removable,
            not_removable_because=box.not_removable_because,
        )
        for box in boxes
    ]
    types = [
        [t.key, t.name] for t in list_types(session=session, actor=actor, project_key=project_key) if not t.archived
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
    return access.get_project(session, project_key).name, box_lines, message_lines, types


def _port(text: str) -> int:
    """The form's port as a number; 0 (which the service refuses, naming the field) for anything else."""
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 5 else 0


class AdminMailState(SessionState):
    project_key: str = ""
    project_name: str = ""
    boxes: list[MailboxLine] = []
    messages: list[MessageLine] = []
    type_options: list[list[str]] = []  # [key, name] of the project's live types
    # The add/edit dialog: editing_key "" adds a mailbox. No password here (see the module's docstring).
    form_open: bool = False
    form_generation: int = 0  # a fresh form each time the dialog opens: its inputs take their values once
    editing_key: str = ""
    form_key: str = ""
    form_address: str = ""
    form_type: str = ""
    form_imap: bool = False
    form_host: str = ""
    form_port: str = "993"
    form_tls: bool = True
    form_username: str = ""
    form_folder: str = "INBOX"
    form_move_to: str = ""
    form_has_password: bool = False  # editing a mailbox whose password is stored: empty keeps it
    form_errors: dict[str, str] = {}
    # The mailbox whose new HTTP secret is on show; the secret itself is only in the page.
    new_secret_key: str = ""
    # The last connection check: which mailbox, whether it worked, and what it said.
    checked_key: str = ""
    check_ok: bool = False
    check_message: str = ""

    @rx.event
    async def load(self):
        self.form_open, self.form_errors, self.new_secret_key, self.checked_key = False, {}, "", ""
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

    def _show(self, outcome: Outcome[tuple[str, list[MailboxLine], list[MessageLine], list[list[str]]]]):
        if outcome.errors:
            self.boxes, self.messages = [], []
            return [rx.redirect(routes.ADMIN_PROJECTS), outcome.event]
        if not outcome.ok:
            return outcome.event
        self.project_name, self.boxes, self.messages, self.type_options = outcome.value
        return None

    @rx.event
    def open_add(self):
        self.form_open, self.editing_key, self.form_errors = True, "", {}
        self.form_generation += 1
        self.form_key, self.form_address = "", ""
        self.form_type = self.type_options[0][0] if self.type_options else ""
        self.form_imap, self.form_host, self.form_port, self.form_tls = False, "", "993", True
        self.form_username, self.form_folder, self.form_move_to = "", "INBOX", ""
        self.form_has_password = False

    @rx.event
    def open_edit(self, key: str):
        box = next((line for line in self.boxes if line.key == key), None)
        if box is None:
            return
        self.form_open, self.editing_key, self.form_errors = True, key, {}
        self.form_generation += 1
        self.form_key, self.form_address, self.form_type = box.key, box.address, box.type_key
        self.form_imap, self.form_host, self.form_tls = bool(box.imap_host), box.imap_host, box.imap_tls
        self.form_port = str(box.imap_port)
        self.form_username, self.form_folder, self.form_move_to = box.imap_username, box.imap_folder, box.imap_move_to
        self.form_has_password = bool(box.imap_host)

    @rx.event
    def set_form_open(self, is_open: bool):
        self.form_open = is_open

    @rx.event
    def set_form_type(self, type_key: str):
        self.form_type = type_key

    @rx.event
    def set_form_imap(self, on: bool):
        self.form_imap = on

    @rx.event
    def set_form_port(self, port: str):
        self.form_port = port

    @rx.event
    def set_form_tls(self, on: bool):
        # The usual port follows TLS, unless someone typed another one.
        if self.form_port.strip() in ("", "993", "143"):
            self.form_port = "993" if on else "143"
        self.form_tls = on

    @rx.event
    async def save(self, form: dict):
        # The form's own values: the text inputs are not bound to the state (they would carry every
        # keystroke), and the password must never be.
        self.form_key = key = str(form.get("key", self.form_key))
        self.form_address = address = str(form.get("address", ""))
        self.form_host, self.form_username = str(form.get("imap_host", "")), str(form.get("imap_username", ""))
        self.form_port = str(form.get("imap_port", self.form_port))
        self.form_folder, self.form_move_to = str(form.get("imap_folder", "")), str(form.get("imap_move_to", ""))
        password = str(form.get("imap_password", ""))
        project_key, editing, type_key = self.project_key, self.editing_key, self.form_type
        imap = (
            mailboxes.ImapSettings(
                host=self.form_host,
                port=_port(self.form_port),
                tls=self.form_tls,
                username=self.form_username,
                password=password,
                folder=self.form_folder,
                move_to=self.form_move_to,
            )
            if self.form_imap
            else None
        )

        def save_then_list(session: Session, actor: UserPublic):
            created = None
            if editing:
                changes = {"address": address, "type_key": type_key, "imap": imap}
                mailboxes.update_mailbox(
                    session=session, actor=actor, project_key=project_key, mailbox_key=editing, changes=changes
                )
            else:
                created = mailboxes.add_mailbox(
                    session=session,
                    actor=actor,
                    project_key=project_key,
                    key=key,
                    address=address,
                    type_key=type_key,
                    imap=imap,
                )
            return created, _listing(session, actor, project_key)

        outcome = await self.run(save_then_list)
        self.form_errors = outcome.errors
        if not outcome.ok:
            return None if outcome.errors else outcome.event
        created, listing = outcome.value
        self.project_name, self.boxes, self.messages, self.type_options = listing
        self.form_open = False
        if created is None:
            return rx.toast.success(f"Mailbox {editing} saved.")
        self.new_secret_key = created.mailbox.key
        return reveal(NEW_SECRET_ID, created.secret)

    @rx.event
    def dismiss_secret(self):
        self.new_secret_key = ""

    @rx.event
    async def set_enabled(self, key: str, enabled: bool):
        project_key = self.project_key

        def change_then_list(session: Session, actor: UserPublic):
            mailboxes.update_mailbox(
                session=session, actor=actor, project_key=project_key, mailbox_key=key, changes={"enabled": enabled}
            )
            return _listing(session, actor, project_key)

        outcome = await self.run(change_then_list)
        if not outcome.ok:
            return outcome.event
        self.project_name, self.boxes, self.messages, self.type_options = outcome.value
        if enabled:
            return rx.toast.success(f"Mailbox {key} enabled: it takes mail again.")
        return rx.toast.success(f"Mailbox {key} disabled: it is not polled, and senders' servers keep its mail.")

    @rx.event
    async def rotate(self, key: str):
        project_key = self.project_key

        def rotate_then_list(session: Session, actor: UserPublic):
            rotated = mailboxes.rotate_secret(session=session, actor=actor, project_key=project_key, mailbox_key=key)
            return rotated, _listing(session, actor, project_key)

        outcome = await self.run(rotate_then_list)
        if not outcome.ok:
            return outcome.event
        rotated, (self.project_name, self.boxes, self.messages, self.type_options) = outcome.value
        self.new_secret_key = key
        return reveal(NEW_SECRET_ID, rotated.secret)

    @rx.event
    async def remove(self, key: str):
        project_key = self.project_key

        def remove_then_list(session: Session, actor: UserPublic):
            mailboxes.remove_mailbox(session=session, actor=actor, project_key=project_key, mailbox_key=key)
            return _listing(session, actor, project_key)

        outcome = await self.run(remove_then_list)
        if not outcome.ok:
            return outcome.event
        self.project_name, self.boxes, self.messages, self.type_options = outcome.value
        if self.checked_key == key:
            self.checked_key = ""
        return rx.toast.success(f"Mailbox {key} removed.")

    @rx.event
    async def check_connection(self, key: str):
        project_key = self.project_key
        self.checked_key, self.check_ok, self.check_message = key, False, ""
        yield

        # The check reads the settings in a transaction of its own and talks to the server after
        # it ends; this read-only one only resolves who asks (as "process again" does).
        def check(session: Session, actor: UserPublic):
            return mail_imap.check_connection(
                unit_of_work=session_scope, actor=actor, project_key=project_key, mailbox_key=key
            )

        outcome = await self.read(check)
        if not outcome.ok:
            self.checked_key = ""
            yield outcome.event
            return
        self.check_ok, self.check_message = outcome.value.ok, outcome.value.message

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
