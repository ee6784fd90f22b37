"""The staff composer's canned replies and macros, a mixin of the ticket page's comment state.

The editor's `/` menu offers the agent's canned replies and macros: a reply is rendered for the
ticket and inserted at the cursor; a macro's reply too, and the macro stays chosen until applied
(its changes and the reply as the agent left it, in one transaction: `macros.apply_macro`) or dropped.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from tickit.services import canned_replies, macros
from tickit.services.access import parse_ticket_number
from tickit.services.actors import UserPublic
from tickit.state.comment_thread import refused
from tickit.state.session import SessionState


class CannedMenu(SessionState, mixin=True):
    """Vars and handlers of the `/` menu; the page's comment state (a `CommentThread`) lists it as a base."""

    canned: list[dict[str, Any]] = []  # [{id, label, hint, macro}] for the editor's `/` menu
    insert: dict[str, Any] = {"key": 0, "html": ""}
    macro_id: int = 0  # the chosen macro (0: none)
    macro_title: str = ""
    macro_hint: str = ""

    async def _load_menu(self) -> Any:
        self.macro_id, self.macro_title, self.macro_hint, self.canned = 0, "", "", []
        number = self.number
        outcome = await self.read(lambda session, actor: _menu(session, actor, number))
        self.canned = outcome.value if outcome.ok else []
        return None

    @rx.event
    async def use_canned(self, reply_id: int):
        """Fill the chosen reply in for this ticket at the cursor; a macro's changes wait for Apply."""
        number = self.number
        outcome = await self.read(
            lambda session, actor: canned_replies.render_for_ticket(
                session=session, actor=actor, number=number, reply_id=reply_id
            )
        )
        if not outcome.ok:
            return refused(outcome)
        self.insert = {"key": self.insert["key"] + 1, "html": outcome.value}
        chosen = next((c for c in self.canned if c["id"] == reply_id), None)
        if chosen is not None and chosen["macro"]:
            self.macro_id, self.macro_title, self.macro_hint = reply_id, chosen["label"], chosen["hint"]
            self.internal = False  # a macro's reply is public; its note is its own
        return None

    @rx.event
    def drop_macro(self):
        self.macro_id, self.macro_title, self.macro_hint = 0, "", ""

    @rx.event
    async def apply_macro(self):
        """Post the reply as it stands and make the macro's changes, all at once or (refused) not at all."""
        number, body, macro_id = self.number, self.body, self.macro_id
        outcome = await self._write(
            lambda session, actor: macros.apply_macro(
                session=session, actor=actor, number=number, reply_id=macro_id, reply_html=body
            )
        )
        if not outcome.ok:
            return refused(outcome)
        applied, _ = outcome.value
        self.body, self.clear_key = "", self.clear_key + 1
        self.macro_id, self.macro_title, self.macro_hint = 0, "", ""
        done = ", ".join(applied.changes) or "nothing to change"
        return [self._ticket_side(), rx.toast.success(f"Applied “{applied.title}”: {done}.")]


def _menu(session: Session, actor: UserPublic, number: str) -> list[dict[str, Any]]:
    project_key, _ = parse_ticket_number(number)
    return [
        {"id": r.id, "label": r.title, "hint": r.hint, "macro": r.is_macro}
        for r in canned_replies.replies_for(session=session, actor=actor, project_key=project_key)
    ]
