"""What is wrong with a workflow that still saves: statuses tickets can never reach, and types
whose tickets can never be finished.

Both are legal while an admin is part-way through building a type (a new status has no
transitions until the grid gets them), so they are warnings shown beside the editor, not refusals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from tickit.models import StatusCategory


class _Status(Protocol):
    key: str
    name: str
    category: str
    is_initial: bool


def workflow_warnings(statuses: Sequence[_Status], transitions: Mapping[str, Sequence[str]]) -> list[str]:
    """Warnings for a type's `statuses` (board order) and `transitions` (status key -> target keys)."""
    initial = next((status for status in statuses if status.is_initial), None)
    if initial is None:
        return []
    reachable = _reachable_from(initial.key, transitions)
    led_to = {target for targets in transitions.values() for target in targets}
    warnings = []
    for status in statuses:
        if status.key in reachable:
            continue
        if status.key not in led_to:
            warnings.append(f"No transition leads to {status.name}: tickets can never get there.")
        else:
            warnings.append(f"{status.name} cannot be reached from {initial.name}: no path of transitions leads there.")
    done = [status for status in statuses if status.category == StatusCategory.DONE.value]
    if not done:
        warnings.append("No status is in the Done category: tickets of this type can never be finished.")
    elif not any(status.key in reachable for status in done):
        names = ", ".join(status.name for status in done)
        warnings.append(f"No path leads from {initial.name} to a done status ({names}): tickets can never be finished.")
    return warnings


def _reachable_from(start: str, transitions: Mapping[str, Sequence[str]]) -> set[str]:
    seen, frontier = {start}, [start]
    while frontier:
        for target in transitions.get(frontier.pop(), ()):
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen
