"""/admin/projects/<key>: a project's ticket types — statuses, transitions, fields — with a live form preview."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.confirm import confirm
from tickit.components.forms import field, form_error
from tickit.components.layout import app_page, page_header, responsive
from tickit.components.sortable_list import sortable_list
from tickit.components.ticket_fields import custom_field
from tickit.labels import CATEGORY_LABELS, FIELD_TYPE_LABELS
from tickit.pages.admin.type_editor_lifecycle import requester_view
from tickit.services.workflow_specs import MAX_DECIMAL_PLACES
from tickit.state.type_editor import AS_TYPED, STATUS_COLORS
from tickit.state.type_editor import TypeEditorState as S


def _section(title: str, description: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(title, size="4", as_="h2"),
            rx.text(description, size="2", color=rx.color("gray", 11)),
            *children,
            spacing="3",
            width="100%",
        ),
        size="2",
        width="100%",
    )


def _color_select(status) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(
            rx.box(width="12px", height="12px", border_radius="50%", background=rx.color(status.shown_color, 9)),
            variant="ghost",
            aria_label="Colour of " + status.name,
        ),
        rx.select.content(
            *[
                rx.select.item(
                    rx.hstack(
                        rx.box(width="10px", height="10px", border_radius="50%", background=rx.color(color, 9)),
                        color,
                        align="center",
                        spacing="2",
                    ),
                    value=color,
                )
                for color in STATUS_COLORS
            ]
        ),
        value=status.color,
        on_change=lambda color: S.set_color(status.key, color),
        size="1",
    )


def _category_select(status) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(variant="ghost", aria_label="Category of " + status.name),
        rx.select.content(*[rx.select.item(label, value=key) for key, label in CATEGORY_LABELS.items()]),
        value=status.category,
        on_change=lambda category: S.set_category(status.key, category),
        size="1",
    )


def _remove_status(status) -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.icon_button(
                rx.icon("trash-2", size=14),
                size="1",
                variant="ghost",
                color_scheme="red",
                aria_label="Remove " + status.name,
            ),
        ),
        rx.popover.content(
            rx.vstack(
                rx.text("Remove ", rx.text.strong(status.name), "?", size="2"),
                rx.cond(
                    status.ticket_count > 0,
                    rx.vstack(
                        rx.text(status.ticket_count, " tickets are in it. Move them to:", size="2"),
                        rx.hstack(
                            rx.foreach(
                                S.statuses,
                                lambda other: rx.cond(
                                    other.key != status.key,
                                    rx.popover.close(
                                        rx.button(
                                            other.name,
                                            size="1",
                                            variant="soft",
                                            on_click=S.remove_status(status.key, other.key),
                                        ),
                                    ),
                                ),
                            ),
                            wrap="wrap",
                            spacing="2",
                        ),
                        spacing="2",
                    ),
                    rx.popover.close(
                        rx.button(
                            "Remove status", size="1", color_scheme="red", on_click=S.remove_status(status.key, "")
                        ),
                    ),
                ),
                spacing="2",
                max_width="280px",
            ),
        ),
    )


def _status_row(status) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.input(
                default_value=status.name,
                on_blur=lambda name: S.rename_status(status.key, name),
                size="1",
                min_width="140px",  # the table scrolls sideways before a name is cut to a few letters
                aria_label="Name of " + status.key,
                key=status.key + status.name,
            ),
        ),
        rx.table.cell(rx.hstack(_color_select(status), _category_select(status), spacing="1", align="center")),
        rx.table.cell(
            rx.switch(
                checked=status.pauses_sla,
                on_change=lambda on: S.set_pauses_sla(status.key, on),
                size="1",
                aria_label="Pauses SLA: " + status.name,
            ),
        ),
        rx.table.cell(
            rx.cond(
                status.is_initial,
                rx.badge("Initial", color_scheme="green", variant="soft"),
                rx.button(
                    "Make initial", size="1", variant="ghost", white_space="nowrap", on_click=S.make_initial(status.key)
                ),
            ),
        ),
        rx.table.cell(rx.text(status.ticket_count, size="2", color=rx.color("gray", 11))),
        rx.table.cell(rx.cond(status.removable, _remove_status(status))),
        align="center",
    )


def _order(items, on_reorder, label: str) -> rx.Component:
    """The one way to reorder statuses and fields alike: drag a row by its handle (or lift it with Space)."""
    return rx.vstack(
        rx.text("Drag to reorder", size="1", weight="medium", color=rx.color("gray", 11)),
        sortable_list(items=items, on_reorder=on_reorder, aria_label=label),
        spacing="1",
        width="100%",
    )


def _key_problem(problem: rx.Var) -> rx.Component:
    return rx.cond(problem != "", rx.text(problem, size="1", color=rx.color("red", 11), role="alert"))


def _warnings() -> rx.Component:
    return rx.cond(
        S.warnings.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert", size=16)),
            rx.vstack(
                rx.text("This workflow has traps", weight="bold", size="2"),
                rx.foreach(S.warnings, lambda warning: rx.text(warning, size="2")),
                spacing="1",
            ),
            color_scheme="amber",
            role="status",
            aria_label="Workflow warnings",
            width="100%",
            margin_bottom="16px",
        ),
    )


def _statuses() -> rx.Component:
    return _section(
        "Statuses",
        "Columns of the board, in this order. New tickets start in the initial status.",
        _order(S.status_order, S.reorder_statuses, "Status order"),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[rx.table.column_header_cell(h) for h in ("Name", "Category", "Pauses SLA", "", "Tickets", "")]
                    )
                ),
                rx.table.body(rx.foreach(S.statuses, _status_row)),
                size="1",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.text(
            rx.text.strong("Pauses SLA: "),
            "while a ticket is in such a status (waiting for the customer, say) its response and resolution "
            "clocks stop, and they run on when it leaves. TickIt keeps the setting now; the clocks arrive with "
            "SLA policies.",
            size="1",
            color=rx.color("gray", 11),
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    value=S.new_status_name,
                    on_change=S.set_new_status_name,
                    placeholder="Name, e.g. In review",
                    size="2",
                    flex="1",
                    min_width="160px",
                    aria_label="New status name",
                ),
                rx.input(
                    value=S.new_status_key,
                    on_change=S.set_new_status_key,
                    placeholder="key, e.g. in_review",
                    size="2",
                    aria_label="New status key",
                    title="Made from the name as you type; you may change it. It never changes once saved.",
                ),
                rx.select.root(
                    rx.select.trigger(aria_label="New status category"),
                    rx.select.content(*[rx.select.item(label, value=key) for key, label in CATEGORY_LABELS.items()]),
                    value=S.new_status_category,
                    on_change=S.set_new_status_category,
                    size="2",
                ),
                rx.button(rx.icon("plus", size=14), "Add status", type="submit", size="2"),
                width="100%",
                spacing="2",
                wrap="wrap",
            ),
            on_submit=S.add_status,
            reset_on_submit=False,
        ),
        _key_problem(S.status_key_problem),
        rx.foreach(S.status_errors.values(), lambda e: rx.text(e, size="1", color=rx.color("red", 11), role="alert")),
    )


def _transitions() -> rx.Component:
    def row(source) -> rx.Component:
        return rx.table.row(
            rx.table.row_header_cell(rx.text(source.name, size="2", weight="medium")),
            rx.foreach(
                S.statuses,
                lambda target: rx.table.cell(
                    rx.cond(
                        source.key == target.key,
                        rx.text("—", color=rx.color("gray", 11)),
                        rx.checkbox(
                            checked=S.grid[source.key].contains(target.key),
                            on_change=lambda allowed: S.toggle_transition(source.key, target.key, allowed),
                            aria_label=source.name + " → " + target.name,
                        ),
                    ),
                    text_align="center",
                ),
            ),
        )

    return _section(
        "Transitions",
        "Tick where a ticket may move: rows are where it is, columns where it may go.",
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(rx.text("From ↓  To →", size="1", color=rx.color("gray", 11))),
                        rx.foreach(
                            S.statuses,
                            lambda s: rx.table.column_header_cell(rx.text(s.name, size="1"), text_align="center"),
                        ),
                    )
                ),
                rx.table.body(rx.foreach(S.statuses, row)),
                size="1",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
    )


def _options_editor(item) -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.icon_button(
                rx.icon("list", size=14),
                size="1",
                variant="ghost",
                aria_label="Options of " + item.label,
            ),
        ),
        rx.popover.content(
            # A form, so Save sends what the box holds when it is clicked: a draft kept in state
            # could still be on its way (typed text is sent after a pause) and be saved stale.
            rx.form(
                rx.vstack(
                    rx.text("One per line, as key: Label. Keys stay; relabel freely.", size="1"),
                    rx.el.input(type="hidden", name="field_key", value=item.key),
                    rx.text_area(
                        name="options",
                        default_value=item.option_lines,
                        rows="6",
                        aria_label="Options",
                        width="260px",
                    ),
                    rx.button("Save options", size="1", type="submit"),
                    spacing="2",
                ),
                on_submit=S.save_options,
                reset_on_submit=False,
            ),
        ),
    )


def _field_row(item) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.input(
                    default_value=item.label,
                    on_blur=lambda label: S.rename_field(item.key, label),
                    size="1",
                    aria_label="Label of " + item.key,
                    key=item.key + item.label,
                    disabled=item.archived,
                ),
                rx.text(
                    item.key,
                    rx.cond(item.options != "", " · " + item.options, ""),
                    size="1",
                    color=rx.color("gray", 11),
                ),
                spacing="1",
            ),
        ),
        rx.table.cell(
            rx.hstack(
                rx.badge(item.type, variant="outline"),
                rx.cond((item.type == "select") | (item.type == "multi_select"), _options_editor(item)),
                rx.cond(item.type == "number", _decimal_places(item)),
                spacing="2",
                align="center",
            )
        ),
        rx.table.cell(
            rx.switch(
                checked=item.required,
                on_change=lambda on: S.set_required(item.key, on),
                size="1",
                disabled=item.archived,
                aria_label="Required: " + item.label,
            ),
        ),
        rx.table.cell(
            rx.switch(
                checked=item.visible_to_requester,
                on_change=lambda on: S.set_visible_to_requester(item.key, on),
                size="1",
                disabled=item.archived,
                aria_label="Shown to the requester: " + item.label,
            ),
        ),
        rx.table.cell(
            rx.cond(
                item.archived,
                rx.button("Restore", size="1", variant="soft", on_click=S.set_archived(item.key, False)),
                confirm(
                    rx.button(
                        "Archive", size="1", variant="ghost", color_scheme="gray", aria_label="Archive " + item.label
                    ),
                    title=["Archive ", item.label, "?"],
                    consequence=(
                        "It leaves the ticket form, so new tickets no longer ask for it. Tickets that have a value "
                        "keep it, readable as before. You can restore the field later."
                    ),
                    action="Archive field",
                    on_confirm=S.set_archived(item.key, True),
                    danger=False,
                ),
            ),
        ),
        align="center",
        opacity=rx.cond(item.archived, "0.55", "1"),
    )


def _decimal_places(item) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Decimal places of " + item.label),
        rx.select.content(
            rx.select.item("As typed", value=AS_TYPED),
            *(
                rx.select.item(f"{places} decimal place{'' if places == 1 else 's'}", value=str(places))
                for places in range(MAX_DECIMAL_PLACES + 1)
            ),
        ),
        value=rx.cond(item.decimal_places == "", AS_TYPED, item.decimal_places),
        on_change=lambda places: S.set_decimal_places(item.key, places),
        size="1",
        disabled=item.archived,
    )


def _field_error(key: str) -> rx.Var:
    return S.field_errors.get(key, "")


def _add_field() -> rx.Component:
    choices = (S.new_field_type == "select") | (S.new_field_type == "multi_select")
    return rx.form(
        rx.vstack(
            form_error(_field_error("form")),
            rx.grid(
                field(
                    "Label",
                    rx.input(
                        id="new-field-label",
                        name="label",
                        value=S.new_field_label,
                        on_change=S.set_new_field_label,
                        placeholder="e.g. Browser",
                    ),
                    _field_error("label"),
                    "new-field-label",
                ),
                field(
                    "Key",
                    rx.input(
                        id="new-field-key",
                        name="key",
                        value=S.new_field_key,
                        on_change=S.set_new_field_key,
                        placeholder="e.g. browser",
                    ),
                    rx.cond(S.field_key_problem != "", S.field_key_problem, _field_error("key")),
                    "new-field-key",
                    hint="Made from the label; editable until saved.",
                ),
                field(
                    "Field type",
                    rx.select.root(
                        rx.select.trigger(id="new-field-type", width="100%"),
                        rx.select.content(
                            *[rx.select.item(label, value=key) for key, label in FIELD_TYPE_LABELS.items()]
                        ),
                        value=S.new_field_type,
                        on_change=S.set_new_field_type,
                    ),
                    _field_error("field_type"),
                    "new-field-type",
                ),
                columns=rx.breakpoints(initial="1", xs="3"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                choices,
                field(
                    "Options",
                    rx.text_area(
                        id="new-field-options", name="options", rows="3", placeholder="One per line: chrome: Chrome"
                    ),
                    _field_error("options"),
                    "new-field-options",
                    hint="One per line, as key: Label or a single word.",
                ),
            ),
            rx.hstack(
                rx.checkbox("Required", name="required", size="2"),
                rx.spacer(),
                rx.button(rx.icon("plus", size=14), "Add field", type="submit", size="2"),
                width="100%",
                align="center",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=S.create_field,
        reset_on_submit=False,
        key=S.field_form.to_string(),
    )


def _fields() -> rx.Component:
    return _section(
        "Form fields",
        "What the ticket form asks, in this order. Archived fields leave the form; old tickets keep their values.",
        _order(S.fields, S.reorder_fields, "Field order"),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Label", "Type", "Required", "Requester sees it", "")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(S.fields, _field_row)),
                size="1",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.separator(size="4"),
        _add_field(),
    )


def _preview() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("eye", size=16), rx.heading("Form preview", size="3", as_="h3"), align="center", spacing="2"
            ),
            rx.text(
                "What a client sees when filing a ",
                rx.text.strong(S.type_name),
                ".",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.separator(size="4"),
            rx.vstack(
                rx.el.label(rx.text("Title", size="2", weight="medium"), html_for="preview-title"),
                rx.input(id="preview-title", placeholder="A short summary", width="100%", size="3", read_only=True),
                spacing="1",
                width="100%",
            ),
            # As on the real form: the description follows the title, before the type's own fields.
            rx.vstack(
                rx.el.label(rx.text("Description", size="2", weight="medium"), html_for="preview-description"),
                rx.text_area(id="preview-description", rows="3", width="100%", read_only=True),
                spacing="1",
                width="100%",
            ),
            rx.foreach(S.preview, custom_field),
            spacing="3",
            width="100%",
        ),
        size="2",
        width="100%",
        position="sticky",
        top="24px",
    )


def _new_type() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(rx.button(rx.icon("plus", size=14), "New type", size="1", variant="soft")),
        rx.popover.content(
            rx.form(
                rx.vstack(
                    rx.text("A new ticket type starts with one status, New.", size="2"),
                    rx.input(
                        value=S.new_type_name,
                        on_change=S.set_new_type_name,
                        placeholder="Name, e.g. Incident",
                        aria_label="New type name",
                    ),
                    rx.input(
                        value=S.new_type_key,
                        on_change=S.set_new_type_key,
                        placeholder="key, e.g. incident",
                        aria_label="New type key",
                    ),
                    _key_problem(S.type_key_problem),
                    rx.foreach(
                        S.type_errors.values(), lambda e: rx.text(e, size="1", color=rx.color("red", 11), role="alert")
                    ),
                    rx.button("Add type", type="submit", size="2"),
                    spacing="2",
                ),
                on_submit=S.create_type,
                reset_on_submit=False,
            ),
            max_width="300px",
        ),
    )


def _type_bar() -> rx.Component:
    return rx.hstack(
        rx.el.label(rx.text("Type name", size="2", weight="medium"), html_for="type-name"),
        rx.input(
            id="type-name", default_value=S.type_name, on_blur=S.rename_type, size="2", key=S.type_key + S.type_name
        ),
        rx.cond(S.type_archived, rx.badge("Archived", color_scheme="gray")),
        rx.spacer(),
        rx.cond(
            S.type_archived,
            rx.button("Restore type", size="1", variant="soft", on_click=S.set_type_archived(False)),
            confirm(
                rx.button("Archive type", size="1", variant="ghost", color_scheme="gray"),
                title=["Archive ", S.type_name, "?"],
                consequence=(
                    "It leaves the new-ticket forms and the boards, so nobody files a ticket of this type. "
                    "Its tickets stay as they are and can still be worked. You can restore the type later."
                ),
                action="Archive type",
                on_confirm=S.set_type_archived(True),
                danger=False,
            ),
        ),
        width="100%",
        align="center",
        spacing="3",
        wrap="wrap",
        margin_bottom="16px",
    )


def type_editor_page() -> rx.Component:
    return app_page(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Projects", size="2"), align="center", spacing="1"),
            href=routes.ADMIN_PROJECTS,
            color=rx.color("gray", 11),
        ),
        page_header(
            "Workflow of " + S.project_key,
            "Each ticket type's statuses, transitions and fields. Changes apply at once, no deploy.",
        ),
        # The chosen type's editor is its tab's panel, so each tab names what it controls.
        rx.tabs.root(
            rx.hstack(
                rx.tabs.list(
                    rx.foreach(S.type_options, lambda t: rx.tabs.trigger(t[1], value=t[0])),
                    max_width="100%",
                    overflow_x="auto",
                ),
                _new_type(),
                align="center",
                spacing="3",
                wrap="wrap",
                margin_bottom="16px",
                width="100%",
            ),
            rx.tabs.content(
                _type_bar(),
                _warnings(),
                rx.grid(
                    rx.vstack(_statuses(), _transitions(), requester_view(), _fields(), spacing="4", width="100%"),
                    rx.box(_preview()),
                    # The preview beside the editor where there is room, beneath it on a phone or tablet.
                    grid_template_columns=responsive("minmax(0, 1fr)", "minmax(0, 3fr) minmax(0, 2fr)"),
                    spacing="4",
                    width="100%",
                    align_items="start",
                ),
                value=S.type_key,
            ),
            value=S.type_key,
            on_change=S.choose_type,
            width="100%",
        ),
    )
