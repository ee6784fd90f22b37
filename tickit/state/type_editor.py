"""Admin: edit a project's ticket types (statuses, transitions, fields) and preview the form."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.labels import status_color
from tickit.models import FieldType
from tickit.services import workflow_admin
from tickit.services.actors import UserPublic
from tickit.services.workflow_specs import COLORS
from tickit.state.new_ticket import FIELD_PREFIX, FormField
from tickit.state.session import PROJECT_SETTINGS_ROLES, Outcome, SessionState

STATUS_COLORS = sorted(COLORS)
NO_RULE = "-"  # a select's value for "the reply moves nothing" (Radix selects take no empty value)


@dataclasses.dataclass
class StatusRow:
    key: str
    name: str
    color: str
    shown_color: str  # the colour the status has everywhere (its own, else its category's)
    category: str
    is_initial: bool
    pauses_sla: bool
    ticket_count: int
    removable: bool
    public_label: str = ""  # as set; "" reads as `shown_label`'s default
    shown_label: str = ""  # what the requester reads
    closes: bool = False


@dataclasses.dataclass
class FieldRow:
    key: str
    label: str
    type: str
    required: bool
    archived: bool
    visible_to_requester: bool
    decimal_places: str  # number fields: "0".."6", or "" for values shown as typed
    options: str  # option labels, for display
    option_lines: str  # the options as editable "key: Label" lines


AS_TYPED = "as typed"  # the decimal-places choice for none: values show as they were entered


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
    staff_reply_status: str = NO_RULE  # a status key, or NO_RULE
    requester_reply_status: str = NO_RULE
    type_archived: bool = False
    type_errors: dict[str, str] = {}
    version: int = 0
    statuses: list[StatusRow] = []
    status_order: list[dict[str, str]] = []  # [{key, label}] for the drag-to-reorder list
    grid: dict[str, list[str]] = {}
    fields: list[FieldRow] = []
    preview: list[FormField] = []
    status_errors: dict[str, str] = {}
    field_errors: dict[str, str] = {}
    warnings: list[str] = []  # traps in the shown type's workflow (workflow_admin.workflow_warnings)
    new_status_category: str = "in_progress"
    new_field_type: str = FieldType.TEXT.value
    # What the "add" forms hold, kept through a refused save. Each key follows its name as the admin
    # types, until they edit the key themselves; its problem (malformed, taken) shows at once.
    new_type_name: str = ""
    new_type_key: str = ""
    type_key_problem: str = ""
    new_status_name: str = ""
    new_status_key: str = ""
    status_key_problem: str = ""
    new_field_label: str = ""
    new_field_key: str = ""
    field_key_problem: str = ""
    field_form: int = 0  # bumped after a field is added: the form's options and Required start afresh
    _typed_keys: list[str] = []  # which of "type", "status", "field" has a key the admin typed

    def _show(self, detail: workflow_admin.TypeDetail) -> None:
        self.type_key, self.type_name, self.version = detail.key, detail.name, detail.version
        self.type_archived = detail.archived
        self.warnings = list(detail.warnings)
        self.statuses = [
            StatusRow(
                s.key,
                s.name,
                s.color,
                status_color(s.color, s.category),
                s.category,
                s.is_initial,
                s.pauses_sla,
                s.ticket_count,
                s.removable,
                public_label=s.public_label,
                shown_label=s.shown_label,
                closes=s.closes,
            )
            for s in detail.statuses
        ]
        self.staff_reply_status = detail.staff_reply_status or NO_RULE
        self.requester_reply_status = detail.requester_reply_status or NO_RULE
        self.status_order = [{"key": s.key, "label": s.name} for s in detail.statuses]
        self.grid = {key: list(targets) for key, targets in detail.transitions.items()}
        self.fields = [
            FieldRow(
                key=f.key,
                label=f.label,
                type=f.field_type,
                required=f.required,
                archived=f.archived,
                visible_to_requester=f.visible_to_requester,
                decimal_places="" if f.decimal_places is None else str(f.decimal_places),
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
        self.status_errors, self.field_errors = {}, {}
        self.project_key = project_key = self.router.url.path.rstrip("/").split("/")[-1].upper()
        admitted = await self.admit_and_read(
            PROJECT_SETTINGS_ROLES,
            lambda session, actor: workflow_admin.list_types(session=session, actor=actor, project_key=project_key),
        )
        if admitted is None:
            self.statuses, self.fields, self.preview = [], [], []
            return self.refusal()
        if admitted.errors:
            return [rx.redirect(routes.ADMIN_PROJECTS), admitted.event]
        self._show_types(admitted.value or [])
        return admitted.event

    @rx.event
    async def choose_type(self, key: str):
        self.type_key = key
        return (await self._reload()).event

    async def _edit(
        self, operation, message: str = "", errors_to: str = "", on_saved: Callable[[], None] | None = None, **arguments
    ):
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
            if on_saved is not None:
                on_saved()
            return rx.toast.success(message) if message else None
        if "form" in outcome.errors:
            await self._reload()
            return outcome.event
        if errors_to:
            return None
        return rx.toast.error(" ".join(outcome.errors.values())) if outcome.errors else outcome.event

    # --- types --------------------------------------------------------------------------

    # --- keys typed or derived ------------------------------------------------------------

    def _taken(self, kind: str) -> list[str]:
        if kind == "type":
            return [key for key, _ in self.type_options]
        if kind == "status":
            return [status.key for status in self.statuses]
        return [item.key for item in self.fields]  # archived fields keep their keys too

    def _name_typed(self, kind: str, name: str) -> None:
        """The name of a new `kind` changed: its key follows, unless the admin typed one."""
        setattr(self, f"new_{kind}_name" if kind != "field" else "new_field_label", name)
        if kind not in self._typed_keys:
            setattr(self, f"new_{kind}_key", workflow_admin.key_from_name(name, self._taken(kind)))
        self._check_key(kind)

    def _key_typed(self, kind: str, key: str) -> None:
        setattr(self, f"new_{kind}_key", key)
        # An emptied key goes back to following the name.
        others = [typed for typed in self._typed_keys if typed != kind]
        self._typed_keys = [*others, kind] if key.strip() else others
        errors = getattr(self, f"{kind}_errors")
        setattr(self, f"{kind}_errors", {name: text for name, text in errors.items() if name != "key"})
        self._check_key(kind)

    def _check_key(self, kind: str) -> None:
        key = getattr(self, f"new_{kind}_key")
        setattr(self, f"{kind}_key_problem", workflow_admin.key_problem(key, self._taken(kind), kind))

    def _forget_new(self, kind: str) -> None:
        """A new `kind` was saved: its form starts empty again."""
        setattr(self, f"new_{kind}_name" if kind != "field" else "new_field_label", "")
        setattr(self, f"new_{kind}_key", "")
        setattr(self, f"{kind}_key_problem", "")
        self._typed_keys = [typed for typed in self._typed_keys if typed != kind]

    @rx.event
    def set_new_type_name(self, name: str):
        self._name_typed("type", name)

    @rx.event
    def set_new_type_key(self, key: str):
        self._key_typed("type", key)

    @rx.event
    def set_new_status_name(self, name: str):
        self._name_typed("status", name)

    @rx.event
    def set_new_status_key(self, key: str):
        self._key_typed("status", key)

    @rx.event
    def set_new_field_label(self, label: str):
        self._name_typed("field", label)

    @rx.event
    def set_new_field_key(self, key: str):
        self._key_typed("field", key)

    @rx.event
    async def create_type(self):
        project_key, key, name = self.project_key, self.new_type_key, self.new_type_name

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
        self._forget_new("type")
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
    async def add_status(self):
        return await self._edit(
            workflow_admin.add_status,
            "Status added. Connect it in the transitions below.",
            "status_errors",
            on_saved=lambda: self._forget_new("status"),
            key=self.new_status_key,
            name=self.new_status_name,
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
    async def set_public_label(self, status_key: str, label: str):
        current = next((s.public_label for s in self.statuses if s.key == status_key), None)
        if label.strip() == current:
            return None
        return await self._update_status(status_key, "Public label saved.", public_label=label)

    @rx.event
    async def set_closes(self, status_key: str, ending: str):
        return await self._update_status(status_key, closes=ending == "closes")

    @rx.event
    async def set_reply_rule(self, rule: str, status_key: str):
        """`rule` is staff_reply_status or requester_reply_status; NO_RULE turns it off."""
        target = "" if status_key == NO_RULE else status_key
        return await self._edit(workflow_admin.update_type, "Reply rule saved.", changes={rule: target})

    @rx.event
    async def make_initial(self, status_key: str):
        return await self._update_status(status_key, "New tickets now start here.", initial=True)

    @rx.event
    async def reorder_statuses(self, keys: list[str]):
        """The drag-and-drop list's new order of the statuses (the board's columns)."""
        return await self._edit(workflow_admin.reorder_statuses, "Status order saved.", ordered_keys=keys)

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

        def saved() -> None:
            self._forget_new("field")
            self.field_form += 1

        return await self._edit(
            workflow_admin.add_field,
            "Field added to the form.",
            "field_errors",
            on_saved=saved,
            key=self.new_field_key,
            label=self.new_field_label,
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
    async def save_options(self, form: dict):
        """The options popover's form: `field_key` and `options`, one `key: Label` a line."""
        message = "Options saved; relabelled options keep their keys."
        return await self._update_field(
            str(form.get("field_key", "")), message, options=_option_lines(str(form.get("options", "")))
        )

    @rx.event
    async def set_required(self, field_key: str, required: bool):
        return await self._update_field(field_key, required=required)

    @rx.event
    async def set_decimal_places(self, field_key: str, places: str):
        """`places` from the editor's choice: a digit, or AS_TYPED."""
        chosen = None if places == AS_TYPED else int(places) if places.isdigit() else places
        return await self._update_field(field_key, "Decimal places saved.", decimal_places=chosen)

    @rx.event
    async def set_visible_to_requester(self, field_key: str, visible: bool):
        return await self._update_field(field_key, visible_to_requester=visible)

    @rx.event
    async def reorder_fields(self, keys: list[str]):
        """The drag-and-drop list's new order of the non-archived fields."""
        return await self._edit(workflow_admin.reorder_fields, "Field order saved.", ordered_keys=keys)

    @rx.event
    async def set_archived(self, field_key: str, archived: bool):
        operation = workflow_admin.archive_field if archived else workflow_admin.unarchive_field
        message = "Field archived; old tickets keep its values." if archived else "Field is back on the form."
        return await self._edit(operation, message, field_key=field_key)
