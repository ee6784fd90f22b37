"""What the workflow editor gets back: snapshots of types with their statuses, moves and fields,
and what the admin may do with each status."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from tickit.labels import public_status_label
from tickit.models import Ticket, TicketStatus, TicketTransition, TicketType, TicketTypeField
from tickit.services.workflow_admin.warnings import workflow_warnings


@dataclass(frozen=True)
class StatusDetail:
    key: str
    name: str
    color: str
    category: str
    is_initial: bool
    pauses_sla: bool
    sort_order: int
    ticket_count: int
    # Neither the initial status nor a type's only status can go (see statuses.remove_status).
    removable: bool
    public_label: str = ""  # as set; blank reads as the category's plain word
    shown_label: str = ""  # what the requester reads (`labels.public_status_label`)
    closes: bool = False  # done statuses: closes the ticket rather than resolving it


@dataclass(frozen=True)
class FieldDetail:
    key: str
    label: str
    field_type: str
    options: list[dict[str, str]]  # each {"key", "label"}, in the order the form shows them
    required: bool
    archived: bool
    sort_order: int
    visible_to_requester: bool
    decimal_places: int | None


@dataclass(frozen=True)
class TypeDetail:
    """A ticket type as the editor shows it; `version` goes back with the next save."""

    id: int
    key: str
    name: str
    color: str
    icon: str
    archived: bool
    sort_order: int
    version: int
    statuses: list[StatusDetail]  # board order
    transitions: dict[str, list[str]]  # every status key -> the keys it may move to, board order
    transition_roles: dict[str, dict[str, str]]  # from key -> to key -> the role a move is limited to
    fields: list[FieldDetail]  # form order: active fields first, then archived ones
    warnings: list[str]  # what still saves but traps tickets (see warnings.workflow_warnings)
    staff_reply_status: str | None = None  # where a public staff reply moves a ticket, if anywhere
    requester_reply_status: str | None = None  # where the requester's reply moves it, if anywhere

    @property
    def ticket_count(self) -> int:
        return sum(status.ticket_count for status in self.statuses)


def detail(session: Session, ticket_type: TicketType) -> TypeDetail:
    return details(session, [ticket_type])[0]


def details(session: Session, types: list[TicketType]) -> list[TypeDetail]:
    """Snapshots of the types in a fixed handful of queries, however many types and tickets."""
    if not types:
        return []
    session.flush()
    ids = [ticket_type.id for ticket_type in types]
    statuses = session.exec(
        select(TicketStatus).where(TicketStatus.type_id.in_(ids)).order_by(TicketStatus.sort_order, TicketStatus.id)
    ).all()
    counts = dict(
        session.exec(
            select(Ticket.status_id, func.count()).where(Ticket.type_id.in_(ids)).group_by(Ticket.status_id)
        ).all()
    )
    transitions = session.exec(select(TicketTransition).where(TicketTransition.type_id.in_(ids))).all()
    fields = session.exec(
        select(TicketTypeField)
        .where(TicketTypeField.type_id.in_(ids))
        .order_by(TicketTypeField.archived, TicketTypeField.sort_order, TicketTypeField.id)
    ).all()
    status_by_id = {status.id: status for status in statuses}
    board_position = {status.id: index for index, status in enumerate(statuses)}
    transitions = sorted(
        transitions, key=lambda row: (board_position[row.from_status_id], board_position[row.to_status_id])
    )
    snapshots = []
    for ticket_type in types:
        own = [status for status in statuses if status.type_id == ticket_type.id]
        grid: dict[str, list[str]] = {status.key: [] for status in own}
        roles: dict[str, dict[str, str]] = {}
        for row in transitions:
            if row.type_id != ticket_type.id:
                continue
            source, target = status_by_id[row.from_status_id].key, status_by_id[row.to_status_id].key
            grid[source].append(target)
            if row.required_role:
                roles.setdefault(source, {})[target] = row.required_role
        status_details = [
            StatusDetail(
                key=status.key,
                name=status.name,
                color=status.color,
                category=status.category,
                is_initial=status.is_initial,
                pauses_sla=status.pauses_sla,
                sort_order=status.sort_order,
                ticket_count=counts.get(status.id, 0),
                removable=not status.is_initial and len(own) > 1,
                public_label=status.public_label,
                shown_label=public_status_label(status.public_label, status.category, status.closes),
                closes=status.closes,
            )
            for status in own
        ]
        snapshots.append(
            TypeDetail(
                id=ticket_type.id,
                key=ticket_type.key,
                name=ticket_type.name,
                color=ticket_type.color,
                icon=ticket_type.icon,
                archived=ticket_type.archived,
                sort_order=ticket_type.sort_order,
                version=ticket_type.version,
                statuses=status_details,
                transitions=grid,
                transition_roles=roles,
                fields=[
                    FieldDetail(
                        key=row.key,
                        label=row.label,
                        field_type=row.field_type,
                        options=[{"key": option["key"], "label": option["label"]} for option in row.options],
                        required=row.required,
                        archived=row.archived,
                        sort_order=row.sort_order,
                        visible_to_requester=row.visible_to_requester,
                        decimal_places=row.decimal_places,
                    )
                    for row in fields
                    if row.type_id == ticket_type.id
                ],
                warnings=workflow_warnings(status_details, grid),
                staff_reply_status=ticket_type.staff_reply_status,
                requester_reply_status=ticket_type.requester_reply_status,
            )
        )
    return snapshots
