"""/tickets/replies: canned replies and macros of a project, personal and shared, and the form that edits one."""

from __future__ import annotations

import reflex as rx

from tickit.components.confirm import confirm
from tickit.components.layout import app_page, empty_state, page_header
from tickit.components.rich_editor import rich_editor
from tickit.labels import PRIORITY_LABELS
from tickit.state.canned_replies import KEEP
from tickit.state.canned_replies import CannedRepliesState as S
from tickit.state.ticket_page import PRIORITIES


def _project_picker() -> rx.Component:
    return rx.cond(
        S.projects.length() > 1,
        rx.select.root(
            rx.select.trigger(custom_attrs={"aria-label": "Project"}, width="220px"),
            rx.select.content(rx.foreach(S.projects, lambda p: rx.select.item(p[1], value=p[0]))),
            value=S.project_key,
            on_change=S.choose_project,
        ),
    )


def _reply_card(row) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    rx.icon(rx.cond(row.hint.contains("macro"), "wand_sparkles", "message-square-text"), size=14),
                    rx.text(row.title, weight="bold", size="2", overflow_wrap="anywhere"),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(row.hint, size="1", color=rx.color("gray", 11)),
                spacing="1",
                flex="1",
                min_width="min(100%, 220px)",
            ),
            rx.cond(
                row.editable,
                rx.hstack(
                    rx.button("Edit", size="1", variant="soft", on_click=S.start_edit(row.id)),
                    confirm(
                        rx.button("Delete", size="1", variant="soft", color_scheme="red"),
                        title=["Delete “", row.title, "”?"],
                        consequence="It leaves the / menu of everyone who could use it.",
                        action="Delete",
                        on_confirm=S.delete(row.id),
                    ),
                    spacing="2",
                ),
            ),
            gap="3",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        width="100%",
        role="group",
        aria_label=row.title,
    )


def _error(message) -> rx.Component:
    return rx.cond(message != "", rx.text(message, size="1", color=rx.color("red", 11), role="alert"))


def _label(text: str) -> rx.Component:
    return rx.text(text, size="2", weight="medium")


def _choice(label: str, value, on_change, none_label: str, options) -> rx.Component:
    return rx.vstack(
        _label(label),
        rx.select.root(
            rx.select.trigger(custom_attrs={"aria-label": label}, width="100%"),
            rx.select.content(rx.select.item(none_label, value=KEEP), *options),
            value=value,
            on_change=on_change,
        ),
        spacing="1",
        flex="1",
        min_width="150px",
    )


def _tags_field(label: str, value, on_change, placeholder: str) -> rx.Component:
    """Tag names, comma-separated; saved in the tags' own form (lower case, hyphens for spaces)."""
    return rx.vstack(
        _label(label),
        rx.input(
            rx.input.slot(rx.icon("tag", size=14)),
            value=value,
            on_change=on_change,
            placeholder=placeholder,
            max_length=400,
            width="100%",
            custom_attrs={"aria-label": label},
        ),
        spacing="1",
        flex="1",
        min_width="200px",
    )


def _form() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing > 0, "Edit reply", "New reply")),
            rx.dialog.description(
                "Placeholders such as {{ requester.first_name }}, {{ ticket.number }} and {{ agent.name }} are "
                "filled in for the ticket when the reply is used. All of them: ",
                S.placeholders,
                ".",
                size="1",
                color=rx.color("gray", 11),
                margin_bottom="12px",
                overflow_wrap="anywhere",
            ),
            rx.vstack(
                _label("Title"),
                rx.input(value=S.title, on_change=S.set_title, width="100%", custom_attrs={"aria-label": "Title"}),
                _error(S.title_error),
                _label("Reply"),
                rx.box(
                    rich_editor(
                        content=S.body_html,
                        label="Reply",
                        placeholder="Hi {{ requester.first_name }}, …",
                        on_change=S.set_body_html,
                        width="100%",
                    ),
                    key=S.form_key.to_string() + "-body",
                    width="100%",
                ),
                _error(S.body_error),
                rx.cond(
                    S.may_share,
                    rx.text(
                        rx.flex(
                            rx.switch(checked=S.shared, on_change=S.set_shared, disabled=S.editing > 0),
                            "Shared with the project's agents",
                            spacing="2",
                            align="center",
                        ),
                        as_="label",
                        size="2",
                    ),
                ),
                rx.heading("Macro: changes made with the reply", size="2", as_="h3", padding_top="8px"),
                rx.flex(
                    _choice(
                        "Status",
                        S.set_status,
                        S.set_set_status,
                        "Leave the status",
                        [rx.foreach(S.statuses, lambda st: rx.select.item(st[1], value=st[0]))],
                    ),
                    _choice(
                        "Priority",
                        S.set_priority,
                        S.set_set_priority,
                        "Leave the priority",
                        [rx.select.item(PRIORITY_LABELS[p], value=p) for p in PRIORITIES],
                    ),
                    _choice(
                        "Assignee",
                        S.set_assignee,
                        S.set_set_assignee,
                        "Leave the assignee",
                        [rx.foreach(S.agents, lambda a: rx.select.item(a[1], value=a[0]))],
                    ),
                    gap="12px",
                    wrap="wrap",
                    width="100%",
                ),
                rx.flex(
                    _tags_field("Add tags", S.add_tags, S.set_add_tags, "vip, billing"),
                    _tags_field("Remove tags", S.remove_tags, S.set_remove_tags, "waiting-on-customer"),
                    gap="12px",
                    wrap="wrap",
                    width="100%",
                ),
                _error(S.tags_error),
                _label("Internal note (optional)"),
                rx.box(
                    rich_editor(
                        content=S.note_html,
                        label="Internal note",
                        placeholder="Only agents see it.",
                        on_change=S.set_note_html,
                        width="100%",
                    ),
                    key=S.form_key.to_string() + "-note",
                    width="100%",
                ),
                _error(S.changes_error),
                spacing="2",
                width="100%",
            ),
            rx.flex(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button("Save", on_click=S.save),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
            max_width="640px",
        ),
        open=S.form_open,
        on_open_change=S.set_form_open,
    )


def canned_replies_page() -> rx.Component:
    return app_page(
        page_header(
            "Canned replies",
            "Type / in a ticket's reply to use one. A macro also changes the ticket when applied.",
            _project_picker(),
            rx.button(rx.icon("plus", size=14), "New reply", on_click=S.start_new),
        ),
        rx.cond(
            S.rows.length() > 0,
            rx.vstack(rx.foreach(S.rows, _reply_card), spacing="2", width="100%"),
            empty_state("message-square-text", "No canned replies yet", "Make one for the answers you write often."),
        ),
        _form(),
    )
