"""The addresses in copy (CC) both ticket pages show and change: one state mixin, as `CommentThread` is.

The staff page's `TicketState` and the portal's `PortalTicketState` inherit `CcEditor`; the service
(`ticket_cc`) decides who may change the list (`cc_manageable` comes from it), so nothing here
restates that rule.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from tickit.services import ticket_cc
from tickit.state.comment_thread import refused
from tickit.state.session import SessionState


class CcEditor(SessionState, mixin=True):
    """The ticket's addresses in copy, the form that adds one, and the buttons that remove one.

    The page state holds the ticket's `number`.
    """

    ccs: list[str] = []
    cc_manageable: bool = False
    cc_error: str = ""  # why the address just typed was refused, shown under the box
    cc_form_key: int = 0  # incremented to empty the box after an address was added

    def _cc_changed(self) -> Any:
        """The event that shows the page's ticket side (activity, "updated") anew after a change."""
        raise NotImplementedError

    def _show_ccs(self, shown: ticket_cc.CcList) -> None:
        self.ccs, self.cc_manageable = list(shown.emails), shown.manageable

    @rx.event
    async def add_cc(self, form_data: dict):
        """Put the address typed into the form in copy; a refusal is shown under the box."""
        number, email = self.number, str(form_data.get("email", ""))
        outcome = await self.run(
            lambda session, actor: ticket_cc.add_cc(session=session, actor=actor, number=number, email=email)
        )
        if outcome.ok:
            self._show_ccs(outcome.value)
            self.cc_error, self.cc_form_key = "", self.cc_form_key + 1
            return [self._cc_changed(), rx.toast.success(f"{email.strip().lower()} is now in copy.")]
        if outcome.errors:
            self.cc_error = outcome.errors.get("email") or next(iter(outcome.errors.values()))
            return None
        return outcome.event

    @rx.event
    async def remove_cc(self, email: str):
        """Take one address out of copy."""
        number = self.number
        outcome = await self.run(
            lambda session, actor: ticket_cc.remove_cc(session=session, actor=actor, number=number, email=email)
        )
        if outcome.ok:
            self._show_ccs(outcome.value)
            return [self._cc_changed(), rx.toast.success(f"{email} is no longer in copy.")]
        return [refused(outcome), self._cc_changed()] if outcome.errors else outcome.event
