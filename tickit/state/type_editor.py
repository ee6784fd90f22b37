"""Admin: edit a project's ticket types (statuses, transitions, fields) and preview the form."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.models import FieldType, Role
from tickit.services import workflow_admin
from tickit.services.actors import UserPublic
from tickit.services.workflow_specs import COLORS
from tickit.state.new_ticket import FIELD_PREFIX, FormField
from tickit.state.session import Outcome, SessionState

STATUS_COLORS = sorted(COLORS)


@dataclasses.dataclass
class StatusRow:
    key: str
    name: str
    color: str
    category: str
    is_initial: bool
    pauses_sla: bool
    ticket_count: int
    removable: bool


@dataclasses.dataclass
class FieldRow:
    key: str
    label: str
    type: str
    required: bool
    archived: bool
    visible_to_requester: bool
    options: str  # option labels, for display
    option_lines: str  # the options as editable "key: Label" lines


def _option_lines(text: str) -> list[str | dict[str, str]]:
    """Options typed one per line, as `key: Label` or a bare word used as key and label."""
    options: list[str | dict[str, str]] = []
    for line in text.splitlines():
        key, sep, label = (part.strip() for part in line.partition(":"))
        if key:
            options.append({"key": key, "label": label or key} if sep else key)
    return options


class TypeEditorState(SessionState):
    project_key: str = ""
    type_options: list[list[str]] = []  # [key, name]
    type_key: str = ""
    type_name: str = ""
    type_archived: bool = False
    type_errors: dict[str, str] = {}
    version: int = 0
    statuses: list[StatusRow] = []
    grid: dict[str, list[str]] = {}
    fields: list[FieldRow] = []
    preview: list[FormField] = []
    status_errors: dict[str, str] = {}
    field_errors: dict[str, str] = {}
    new_status_category: str = "in_progress"
    new_field_type: str = FieldType.TEXT.value
    options_draft: str = ""

    def _show(self, detail: workflow_admin.TypeDetail) -> None:
        self.type_key, self.type_name, self.version = detail.key, detail.name, detail.version
        self.type_archived = detail.archived
        self.statuses = [
            StatusRow(s.key, s.name, s.color, s.category, s.is_initial, s.pauses_sla, s.ticket_count, s.removable)
            for s in detail.statuses
        ]
        self.grid = {key: list(targets) for key, targets in detail.transitions.items()}
        self.fields = [
            FieldRow(
                key=f.key,
                label=f.label,
                type=f.field_type,
                required=f.required,
                archived=f.archived,
                visible_to_requester=f.visible_to_requester,
                options=", ".join(option["label"] for option in f.options),
                option_lines="\n".join(f"{option['key']}: {option['label']}" for option in f.options),
            )
            for f in detail.fields
        ]
        self.preview = [
            FormField(
                key=f.key,
                name=FIELD_PREFIX + f.key,
                label=f.label,
                type=f.field_type,
                required=f.required,
                options=[[o["key"], o["label"]] for o in f.options],
                error="",
            )
            for f in detail.fields
            if not f.archived
        ]

    def _show_types(self, types: list[workflow_admin.TypeDetail]) -> None:
        self.type_options = [[t.key, t.name + (" (archived)" if t.archived else "")] for t in types]
        chosen = next((t for t in types if t.key == self.type_key), types[0] if types else None)
        if chosen is not None:
            self._show(chosen)

    async def _reload(self) -> Outcome:
        project_key = self.project_key
        outcome = await self.read(
            lambda session, actor: workflow_admin.list_types(session=session, actor=actor, project_key=project_key)
        )
        if outcome.ok:
            self._show_types(outcome.value or [])
        return outcome

    @rx.event
    async def load(self):
        actor = await self.admit(Role.ADMIN)
        self.status_errors, self.field_errors = {}, {}
        if actor is None:
            self.statuses, self.fields, self.preview = [], [], []
            return self.refusal()
        self.project_key = self.router.url.path.rstrip("/").split("/")[-1].upper()
        outcome = await self._reload()
        if outcome.errors:
            return [rx.redirect(routes.ADMIN_PROJECTS), outcome.event]
        return outcome.event

    @rx.event
    async def choose_type(self, key: str):
        self.type_key = key
        return (await self._reload()).event

    async def _edit(self, operation, message: str = "", errors_to: str = "", **arguments):
        """Run one editing operation against the version shown, then show every type as it now is.

        A refusal not tied to a field (someone else saved first, the type is gone) reloads what
        is there now, so the admin edits the current version next.
        """
        project_key, type_key, version = self.project_key, self.type_key, self.version

        def edit_then_list(session: Session, actor: UserPublic) -> list[workflow_admin.TypeDetail]:
            operation(
                session=session,
                actor=actor,
                project_key=project_key,
                type_key=type_key,
                expected_version=version,
                **arguments,
            )
            return workflow_admin.list_types(session=session, actor=actor, project_key=project_key)

        outcome = await self.run(edit_then_list)
        if errors_to:
            setattr(self, errors_to, {} if "form" in outcome.errors else outcome.errors)
        if outcome.ok:
            self._show_types(outcome.value or [])
            return rx.toast.success(message) if message else None
        if "form" in outcome.errors:
            await self._reload()
            return outcome.event
        if errors_to:
            return None
        return rx.toast.error(" ".join(outcome.errors.values())) if outcome.errors else outcome.event

    # --- types --------------------------------------------------------------------------

    @rx.event
    async def create_type(self, form: dict):
        project_key, key, name = self.project_key, str(form.get("key", "")), str(form.get("name", ""))

        def add_then_list(session: Session, actor: UserPublic):
            added = workflow_admin.add_type(session=session, actor=actor, project_key=project_key, key=key, name=name)
            return added, workflow_admin.list_types(session=session, actor=actor, project_key=project_key)

        outcome = await self.run(add_then_list)
        self.type_errors = outcome.errors
        if outcome.value is None:
            return None if outcome.errors else outcome.event
        added, types = outcome.value
        self.type_key = added.key
        self._show_types(types)
        return rx.toast.success(f"{added.name} added with a New status; add its statuses and fields.")

    @rx.event
    async def rename_type(self, name: str):
        if name.strip() == self.type_name:
            return None
        return await self._edit(workflow_admin.update_type, "Type renamed.", changes={"name": name})

    @rx.event
    async def set_type_archived(self, archived: bool):
        operation = workflow_admin.archive_type if archived else workflow_admin.unarchive_type
        message = "Type archived: it leaves new-ticket forms; its tickets stay." if archived else "Type restored."
        return await self._edit(operation, message)

    # --- statuses -----------------------------------------------------------------------

    @rx.event
    def set_new_status_category(self, category: str):
        self.new_status_category = category

    @rx.event
    async def add_status(self, form: dict):
        return await self._edit(
            workflow_admin.add_status,
            "Status added. Connect it in the transitions below.",
            "status_errors",
            key=str(form.get("key", "")),
            name=str(form.get("name", "")),
            category=self.new_status_category,
        )

    async def _update_status(self, status_key: str, message: str = "", **changes):
        return await self._edit(workflow_admin.update_status, message, status_key=status_key, changes=changes)

    @rx.event
    async def rename_status(self, status_key: str, name: str):
        current = next((s.name for s in self.statuses if s.key == status_key), None)
        if name.strip() == current:
            return None
        return await self._update_status(status_key, "Status renamed.", name=name)

    @rx.event
    async def set_color(self, status_key: str, color: str):
        return await self._update_status(status_key, color=color)

    @rx.event
    async def set_category(self, status_key: str, category: str):
        return await self._update_status(status_key, category=category)

    @rx.event
    async def set_pauses_sla(self, status_key: str, pauses: bool):
        return await self._update_status(status_key, pauses_sla=pauses)

    @rx.event
    async def make_initial(self, status_key: str):
        return await self._update_status(status_key, "New tickets now start here.", initial=True)

    @rx.event
    async def move_status(self, status_key: str, step: int):
        order = [s.key for s in self.statuses]
        return await self._edit(workflow_admin.reorder_statuses, ordered_keys=_moved(order, status_key, step))

    @rx.event
    async def remove_status(self, status_key: str, move_to: str):
        return await self._edit(
            workflow_admin.remove_status,
            "Status removed.",
            status_key=status_key,
            move_tickets_to=move_to or None,
        )

    @rx.event
    async def toggle_transition(self, from_key: str, to_key: str, allowed: bool):
        grid = {key: [t for t in targets if t != to_key or key != from_key] for key, targets in self.grid.items()}
        if allowed:
            grid.setdefault(from_key, []).append(to_key)
        return await self._edit(workflow_admin.set_transitions, grid=grid)

    # --- fields -------------------------------------------------------------------------

    @rx.event
    def set_new_field_type(self, field_type: str):
        self.new_field_type = field_type

    @rx.event
    async def create_field(self, form: dict):
        choices = self.new_field_type in (FieldType.SELECT, FieldType.MULTI_SELECT)
        return await self._edit(
            workflow_admin.add_field,
            "Field added to the form.",
            "field_errors",
            key=str(form.get("key", "")),
            label=str(form.get("label", "")),
            field_type=self.new_field_type,
            options=_option_lines(str(form.get("options", ""))) if choices else None,
            required=bool(form.get("required")),
        )

    async def _update_field(self, field_key: str, message: str = "", **changes):
        return await self._edit(workflow_admin.update_field, message, field_key=field_key, changes=changes)

    @rx.event
    async def rename_field(self, field_key: str, label: str):
        current = next((f.label for f in self.fields if f.key == field_key), None)
        if label.strip() == current:
            return None
        return await self._update_field(field_key, "Field relabelled.", label=label)

    @rx.event
    def set_options_draft(self, text: str):
        self.options_draft = text

    @rx.event
    async def save_options(self, field_key: str):
        message = "Options saved; relabelled options keep their keys."
        return await self._update_field(field_key, message, options=_option_lines(self.options_draft))

    @rx.event
    async def set_required(self, field_key: str, required: bool):
        return await self._update_field(field_key, required=required)

    @rx.event
    async def set_visible_to_requester(self, field_key: str, visible: bool):
        return await self._update_field(field_key, visible_to_requester=visible)

    @rx.event
    async def move_field(self, field_key: str, step: int):
        order = [f.key for f in self.fields if not f.archived]
        return await self._edit(workflow_admin.reorder_fields, ordered_keys=_moved(order, field_key, step))

    @rx.event
    async def reorder_fields(self, keys: list[str]):
        """The drag-and-drop list's new order of the non-archived fields."""
        return await self._edit(workflow_admin.reorder_fields, "Field order saved.", ordered_keys=keys)

    @rx.event
    async def set_archived(self, field_key: str, archived: bool):
        operation = workflow_admin.archive_field if archived else workflow_admin.unarchive_field
        message = "Field archived; old tickets keep its values." if archived else "Field is back on the form."
        return await self._edit(operation, message, field_key=field_key)


def _moved(order: list[str], key: str, step: int) -> list[str]:
    """`order` with `key` moved `step` places (clamped to the ends)."""
    order = list(order)
    index = order.index(key)
    order.insert(max(0, min(len(order) - 1, index + step)), order.pop(index))
    return order
