"""Admin: the audit log, filtered by period, action family and words."""

from __future__ import annotations

import dataclasses
import json

import reflex as rx
from sqlmodel import Session

from tickit.models import Role
from tickit.services import audit
from tickit.services.actors import UserPublic
from tickit.state.formatting import iso
from tickit.state.session import SessionState

PERIODS = [["1d", "Last 24 hours"], ["7d", "Last 7 days"], ["30d", "Last 30 days"], ["52w", "Last year"]]
ALL = "all"
# The filter's families: the part of an action before its dot.
FAMILIES = [[ALL, "Everything"]] + [
    [family, family.replace("_", " ").capitalize()]
    for family in dict.fromkeys(action.split(".")[0] for action in audit.ACTIONS)
]


@dataclasses.dataclass
class AuditRow:
    at: str
    action: str
    actor: str
    address: str
    target: str
    change: str


SHOWN_MAX = 160  # a long value (an SLA section) is cut; `tickit audit` prints it whole


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 1] + "…"


def _change(line: audit.AuditLine) -> str:
    """ "role: client → agent; active: true → false" — each key once, with its value before and after."""
    parts = []
    for key in dict.fromkeys([*line.before, *line.after]):
        name = key.replace("_", " ")
        if key in line.before and key in line.after:
            parts.append(f"{name}: {_shown(line.before[key])} → {_shown(line.after[key])}")
        elif key in line.after:
            parts.append(f"{name}: {_shown(line.after[key])}")
        else:
            parts.append(f"{name} was {_shown(line.before[key])}")
    return "; ".join(parts)


def _rows(period: str, family: str, text: str):
    def audit_rows(session: Session, actor: UserPublic) -> list[AuditRow]:
        lines = audit.entries(
            session=session,
            actor=actor,
            since=audit.parse_since(period),
            action="" if family == ALL else family,
            text=text,
        )
        return [
            AuditRow(
                at=iso(line.at),
                action=line.action,
                actor=line.actor,
                address=line.address,
                target=line.target,
                change=_change(line),
            )
            for line in lines
        ]

    return audit_rows


class AdminAuditState(SessionState):
    rows: list[AuditRow] = []
    period: str = "7d"
    family: str = ALL
    search: str = ""

    @rx.event
    async def load(self):
        outcome = await self.admit_and_read((Role.ADMIN,), _rows(self.period, self.family, self.search))
        if outcome is None:
            self.rows = []
            return self.refusal()
        self.rows = outcome.value or []
        return outcome.event

    async def _reload(self):
        outcome = await self.read(_rows(self.period, self.family, self.search))
        if not outcome.ok:
            return outcome.event
        self.rows = outcome.value
        return None

    @rx.event
    async def set_period(self, period: str):
        self.period = period if period in {p[0] for p in PERIODS} else "7d"
        return await self._reload()

    @rx.event
    async def set_family(self, family: str):
        self.family = family if family in {f[0] for f in FAMILIES} else ALL
        return await self._reload()

    @rx.event
    async def apply_search(self, form: dict):
        self.search = str(form.get("q", ""))[:200]
        return await self._reload()
