"""The moves a ticket type allows: the whole from × to grid, replaced at once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel import Session, select

from tickit.models import TicketStatus, TicketTransition
from tickit.services.actors import Actor
from tickit.services.errors import ValidationFailed
from tickit.services.workflow_admin.details import TypeDetail, detail
from tickit.services.workflow_admin.editing import editing, statuses_of


def set_transitions(
    *,
    session: Session,
    actor: Actor,
    project_key: str,
    type_key: str,
    expected_version: int,
    grid: Mapping[str, Iterable[str]],
) -> TypeDetail:
    """Replace the whole from × to grid; a status left out may move nowhere.

    A move that stays in the grid keeps its role restriction; a new one is open to every agent.
    """
    with editing(session, actor, project_key, type_key, expected_version, change="set_transitions") as ticket_type:
        statuses = statuses_of(session, ticket_type.id)
        wanted = _checked_grid(grid, statuses)
        existing = session.exec(select(TicketTransition).where(TicketTransition.type_id == ticket_type.id)).all()
        kept: set[tuple[int, int]] = set()
        for row in existing:
            pair = (row.from_status_id, row.to_status_id)
            if pair in wanted:
                kept.add(pair)
            else:
                session.delete(row)
        session.add_all(
            TicketTransition(type_id=ticket_type.id, from_status_id=from_id, to_status_id=to_id)
            for from_id, to_id in wanted
            if (from_id, to_id) not in kept
        )
    return detail(session, ticket_type)


def _checked_grid(grid: Any, statuses: dict[str, TicketStatus]) -> set[tuple[int, int]]:
    """The grid as (from id, to id) pairs, or ValidationFailed naming every cell at fault."""
    if not isinstance(grid, Mapping):
        raise ValidationFailed({"transitions": "Send the grid as each status key with the keys it may move to."})
    problems: list[str] = []
    pairs: set[tuple[int, int]] = set()
    for source, targets in grid.items():
        if source not in statuses:
            problems.append(f"there is no status {source}")
            continue
        if isinstance(targets, str) or not isinstance(targets, Iterable):
            problems.append(f"the moves from {source} must be a list of status keys")
            continue
        seen: set[str] = set()
        for target in targets:
            if target not in statuses:
                problems.append(f"there is no status {target} (from {source})")
            elif target == source:
                problems.append(f"{statuses[source].name} cannot move to itself")
            elif target in seen:
                problems.append(f"{source} → {target} is listed twice")
            else:
                seen.add(target)
                pairs.add((statuses[source].id, statuses[target].id))
    if problems:
        message = "; ".join(problems)
        raise ValidationFailed({"transitions": f"{message[0].upper()}{message[1:]}."})
    return pairs
