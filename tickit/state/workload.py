"""/tickets/workload: each agent's open work in a project, and the admin's "move all their tickets"."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.models import Role
from tickit.services import ticket_list, workload
from tickit.services.actors import UserPublic
from tickit.state.formatting import iso
from tickit.state.session import SessionState

QUEUE = "queue"  # the transfer target that means "back to the queue"
OPEN = ("in_progress", "todo")


@dataclasses.dataclass
class WorkloadLine:
    user_id: int
    name: str
    available: bool
    capacity: str  # "" for no limit
    full: bool
    todo: int
    in_progress: int
    open: int
    oldest_number: str
    oldest_title: str
    oldest_at: str  # ISO, for components.local_time
    todo_href: str
    in_progress_href: str
    open_href: str


def list_href(project_key: str, assignee: int | str, categories: tuple[str, ...]) -> str:
    """The staff list filtered to one assignee's (or the queue's) tickets in these categories."""
    query = ticket_list.TicketQuery(project_keys=(project_key,), status_categories=categories, assignee=assignee)
    return routes.TICKETS + "?" + ticket_list.to_query_string(query)


def _line(project_key: str, agent: workload.AgentLoad) -> WorkloadLine:
    return WorkloadLine(
        user_id=agent.user_id,
        name=agent.name,
        available=agent.available,
        capacity="" if agent.capacity is None else str(agent.capacity),
        full=agent.capacity is not None and agent.open >= agent.capacity,
        todo=agent.todo,
        in_progress=agent.in_progress,
        open=agent.open,
        oldest_number=agent.oldest.number if agent.oldest else "",
        oldest_title=agent.oldest.title if agent.oldest else "",
        oldest_at=iso(agent.oldest.created_at) if agent.oldest else "",
        todo_href=list_href(project_key, agent.user_id, ("todo",)),
        in_progress_href=list_href(project_key, agent.user_id, ("in_progress",)),
        open_href=list_href(project_key, agent.user_id, OPEN),
    )


class WorkloadState(SessionState):
    project_key: str = ""
    project_name: str = ""
    projects: list[list[str]] = []  # [key, name]
    rows: list[WorkloadLine] = []
    unassigned: int = 0
    queue_href: str = ""
    can_transfer: bool = False
    transfer_open: bool = False
    transfer_from: int = 0
    transfer_from_name: str = ""
    transfer_count: int = 0
    transfer_to: str = QUEUE

    @rx.var
    def transfer_targets(self) -> list[list[str]]:
        """[value, label] of where the chosen agent's tickets may go: the queue or another agent."""
        return [[QUEUE, "Back to the queue"]] + [
            [str(row.user_id), row.name] for row in self.rows if row.user_id != self.transfer_from
        ]

    @rx.event
    async def load(self):
        asked = self.router.url.query_parameters.get("project", "")
        outcome = await self.admit_and_read(
            (Role.AGENT, Role.ADMIN),
            lambda session, actor: workload.workload(session=session, actor=actor, project_key=asked),
        )
        self.transfer_open = False
        if outcome is None:
            self.rows = []
            return self.refusal()
        if not outcome.ok:
            self.rows, self.projects = [], []
            return outcome.event
        self._show(outcome.value)
        return None

    def _show(self, view: workload.Workload) -> None:
        self.project_key, self.project_name = view.project_key, view.project_name
        self.projects = [[key, name] for key, name in view.projects]
        self.rows = [_line(view.project_key, agent) for agent in view.agents]
        self.unassigned = view.unassigned
        self.queue_href = list_href(view.project_key, "unassigned", OPEN)
        self.can_transfer = view.can_transfer

    @rx.event
    def choose_project(self, project_key: str):
        return rx.redirect(routes.TICKETS_WORKLOAD + "?project=" + project_key)

    @rx.event
    def open_transfer(self, user_id: int):
        row = next((r for r in self.rows if r.user_id == user_id), None)
        if row is None:
            return
        self.transfer_from, self.transfer_from_name, self.transfer_count = row.user_id, row.name, row.open
        self.transfer_to, self.transfer_open = QUEUE, True

    @rx.event
    def set_transfer_open(self, is_open: bool):
        self.transfer_open = is_open

    @rx.event
    def set_transfer_to(self, target: str):
        self.transfer_to = target

    @rx.event
    async def transfer(self):
        project_key, source = self.project_key, self.transfer_from
        target = None if self.transfer_to == QUEUE else int(self.transfer_to)

        def move_then_read(session: Session, actor: UserPublic) -> tuple[int, workload.Workload]:
            moved = workload.transfer_open_tickets(
                session=session, actor=actor, project_key=project_key, from_user_id=source, to_user_id=target
            )
            return moved, workload.workload(session=session, actor=actor, project_key=project_key)

        outcome = await self.run(move_then_read)
        if not outcome.ok:
            return outcome.event
        moved, view = outcome.value
        self._show(view)
        self.transfer_open = False
        where = (
            "back to the queue" if target is None else f"to {next(r.name for r in self.rows if r.user_id == target)}"
        )
        return rx.toast.success(
            f"Moved {moved} open ticket{'' if moved == 1 else 's'} of {self.transfer_from_name} {where}."
        )
