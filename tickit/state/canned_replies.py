"""/tickets/replies: an agent's canned replies and macros, and (for admins) the project's shared ones."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.models import Role
from tickit.services import canned_replies
from tickit.services.actors import UserPublic
from tickit.services.canned_replies import ReplyDraft
from tickit.state.session import SessionState

KEEP = "keep"  # a select's "leave it alone" (Radix selects take no empty value)


@dataclasses.dataclass
class ReplyRow:
    id: int
    title: str
    shared: bool
    hint: str
    editable: bool
    body_html: str
    set_status: str
    set_priority: str
    set_assignee: str
    note_html: str
    add_tags: str = ""  # comma-separated, as the form shows them
    remove_tags: str = ""


def _row(option: canned_replies.ReplyOption) -> ReplyRow:
    return ReplyRow(
        id=option.id,
        title=option.title,
        shared=option.shared,
        hint=option.hint,
        editable=option.editable,
        body_html=option.body_html,
        set_status=option.set_status or KEEP,
        set_priority=option.set_priority or KEEP,
        set_assignee=str(option.set_assignee_id) if option.set_assignee_id else KEEP,
        note_html=option.internal_note_html,
        add_tags=", ".join(option.add_tags),
        remove_tags=", ".join(option.remove_tags),
    )


class CannedRepliesState(SessionState):
    project_key: str = ""
    project_name: str = ""
    projects: list[list[str]] = []  # [key, name]
    rows: list[ReplyRow] = []
    statuses: list[list[str]] = []  # [key, name]
    agents: list[list[str]] = []  # [id, name]
    may_share: bool = False
    form_open: bool = False
    form_key: int = 0  # remounts the form's editors with the reply being edited
    editing: int = 0  # the reply being edited (0: a new one)
    title: str = ""
    body_html: str = ""
    shared: bool = False
    set_status: str = KEEP
    set_priority: str = KEEP
    set_assignee: str = KEEP
    note_html: str = ""
    add_tags: str = ""
    remove_tags: str = ""
    title_error: str = ""
    body_error: str = ""
    tags_error: str = ""
    changes_error: str = ""  # the macro's part, and anything else the service refused

    @rx.event
    async def load(self):
        asked = self.router.url.query_parameters.get("project", "")
        outcome = await self.admit_and_read(
            (Role.AGENT, Role.ADMIN),
            lambda session, actor: canned_replies.replies_page(session=session, actor=actor, project_key=asked),
        )
        self.form_open = False
        if outcome is None:
            self.rows = []
            return self.refusal()
        if not outcome.ok:
            self.rows, self.projects = [], []
            return outcome.event
        self._show(outcome.value)
        return None

    def _show(self, page: canned_replies.RepliesPage) -> None:
        self.project_key, self.project_name = page.project_key, page.project_name
        self.projects = [[key, name] for key, name in page.projects]
        self.rows = [_row(r) for r in page.replies]
        self.statuses = [[key, name] for key, name in page.statuses]
        self.agents = [[str(user_id), name] for user_id, name in page.agents]
        self.may_share = page.may_share

    @rx.event
    def choose_project(self, project_key: str):
        return rx.redirect(routes.TICKETS_REPLIES + "?project=" + project_key)

    @rx.event
    def start_new(self):
        self._fill(ReplyRow(0, "", False, "", True, "", KEEP, KEEP, KEEP, ""))

    @rx.event
    def start_edit(self, reply_id: int):
        row = next((r for r in self.rows if r.id == reply_id and r.editable), None)
        if row is not None:
            self._fill(row)

    def _fill(self, row: ReplyRow) -> None:
        self.editing, self.title, self.body_html, self.shared = row.id, row.title, row.body_html, row.shared
        self.set_status, self.set_priority, self.set_assignee = row.set_status, row.set_priority, row.set_assignee
        self.note_html = row.note_html
        self.add_tags, self.remove_tags = row.add_tags, row.remove_tags
        self._errors({})
        self.form_open, self.form_key = True, self.form_key + 1

    @rx.event
    def set_form_open(self, value: bool):
        self.form_open = value

    @rx.event
    def set_title(self, value: str):
        self.title = value

    @rx.event
    def set_body_html(self, value: str):
        self.body_html = value

    @rx.event
    def set_note_html(self, value: str):
        self.note_html = value

    @rx.event
    def set_add_tags(self, value: str):
        self.add_tags = value

    @rx.event
    def set_remove_tags(self, value: str):
        self.remove_tags = value

    @rx.event
    def set_shared(self, value: bool):
        self.shared = value

    @rx.event
    def set_set_status(self, value: str):
        self.set_status = value

    @rx.event
    def set_set_priority(self, value: str):
        self.set_priority = value

    @rx.event
    def set_set_assignee(self, value: str):
        self.set_assignee = value

    @rx.event
    async def save(self):
        project_key, reply_id = self.project_key, self.editing or None
        draft = ReplyDraft(
            title=self.title,
            body_html=self.body_html,
            shared=self.shared,
            set_status="" if self.set_status == KEEP else self.set_status,
            set_priority="" if self.set_priority == KEEP else self.set_priority,
            set_assignee_id=None if self.set_assignee == KEEP else int(self.set_assignee),
            internal_note_html=self.note_html,
            add_tags=tuple(self.add_tags.split(",")),
            remove_tags=tuple(self.remove_tags.split(",")),
        )

        def save_then_read(session: Session, actor: UserPublic) -> canned_replies.RepliesPage:
            canned_replies.save_reply(
                session=session, actor=actor, project_key=project_key, draft=draft, reply_id=reply_id
            )
            return canned_replies.replies_page(session=session, actor=actor, project_key=project_key)

        outcome = await self.run(save_then_read)
        if not outcome.ok:
            self._errors(outcome.errors)
            return None if outcome.errors else outcome.event
        self._show(outcome.value)
        self.form_open = False
        self._errors({})
        return rx.toast.success(f"Saved “{draft.title.strip()}”.")

    @rx.event
    async def delete(self, reply_id: int):
        project_key = self.project_key

        def delete_then_read(session: Session, actor: UserPublic) -> canned_replies.RepliesPage:
            canned_replies.delete_reply(session=session, actor=actor, project_key=project_key, reply_id=reply_id)
            return canned_replies.replies_page(session=session, actor=actor, project_key=project_key)

        outcome = await self.run(delete_then_read)
        if not outcome.ok:
            return outcome.event
        self._show(outcome.value)
        return rx.toast.success("Deleted.")

    def _errors(self, errors: dict[str, str]) -> None:
        self.title_error, self.body_error = errors.get("title", ""), errors.get("body", "")
        self.tags_error = errors.get("tags", "")
        self.changes_error = " ".join(m for k, m in errors.items() if k not in ("title", "body", "tags"))

    @rx.var
    def placeholders(self) -> str:
        """The placeholders a template may use, as the form's help lists them."""
        return "; ".join(f"{group}.{'/'.join(values)}" for group, values in canned_replies.PLACEHOLDERS.items())
