"""/tickets/[number]: one ticket for its agents: thread and composer on the left, the ticket's facts on the right."""

from __future__ import annotations

import reflex as rx

from tickit.components.attachment_upload import attachment_upload
from tickit.components.comment_thread import (
    activity_log,
    comment_composer,
    comment_thread,
    fact,
    file_list,
    panel_section,
)
from tickit.components.layout import app_page, empty_state, with_side_panel
from tickit.components.lifecycle_facts import lifecycle_facts
from tickit.components.live import ticker
from tickit.components.local_time import local_time
from tickit.components.sla_badge import sla_panel
from tickit.components.ticket_cc import cc_section
from tickit.components.ticket_edit import edit_ticket_button, ticket_description
from tickit.components.ticket_relations import ticket_relations
from tickit.labels import PRIORITY_LABELS
from tickit.state.ticket_page import POLL_SECONDS, PRIORITIES, UNASSIGNED
from tickit.state.ticket_page import TicketCommentsState as C
from tickit.state.ticket_page import TicketState as T
from tickit.state.tickets import StaffTicketsState


def _macro_chosen() -> rx.Component:
    """The chosen macro above the composer's buttons: what Apply will do, and a way to drop it."""
    return rx.cond(
        C.macro_id > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("wand_sparkles", size=14)),
            rx.flex(
                rx.callout.text(rx.text.strong(C.macro_title), " — ", C.macro_hint),
                rx.button("Drop macro", size="1", variant="ghost", color_scheme="gray", on_click=C.drop_macro),
                justify="between",
                align="center",
                gap="2",
                wrap="wrap",
                width="100%",
            ),
            size="1",
            color_scheme="indigo",
            width="100%",
        ),
    )


def _composer() -> rx.Component:
    post = rx.button(
        rx.icon("send", size=14),
        rx.cond(C.internal, "Post note", "Post"),
        size="2",
        color_scheme=rx.cond(C.internal, "amber", "indigo"),
        on_click=C.post,
        custom_attrs={"data-shortcut": "send"},
    )
    apply_macro = rx.button(
        rx.icon("wand_sparkles", size=14),
        "Apply macro",
        size="2",
        on_click=C.apply_macro,
        custom_attrs={"data-shortcut": "send"},  # only one of Post and Apply is shown
    )
    return comment_composer(
        C,
        placeholder="Write a comment… Type @ to mention an agent, / for canned replies.",
        editor={"commands": C.canned, "insert": C.insert, "on_command": C.use_canned},
        footer=rx.vstack(
            _macro_chosen(),
            rx.flex(
                rx.cond(
                    C.macro_id == 0,
                    rx.text(
                        rx.flex(
                            rx.switch(
                                checked=C.internal,
                                on_change=C.set_internal,
                                color_scheme="amber",
                                size="1",
                                custom_attrs={"data-shortcut": "n"},
                            ),
                            "Internal note",
                            spacing="2",
                            align="center",
                        ),
                        as_="label",
                        size="2",
                    ),
                ),
                rx.cond(
                    C.internal,
                    rx.text("Only agents see internal notes and their files.", size="1", color=rx.color("amber", 11)),
                ),
                rx.spacer(),
                rx.cond(C.macro_id > 0, apply_macro, post),
                align="center",
                gap="2",
                wrap="wrap",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        background=rx.cond(C.internal, rx.color("amber", 2), rx.color("gray", 2)),
    )


# --- side panel --------------------------------------------------------------------------------------------


def _field_control(field) -> rx.Component:
    on_blur = lambda value: T.save_field(field.key, value)  # noqa: E731
    text_like = {
        "id": "field-" + field.key,
        "default_value": field.value,
        "on_blur": on_blur,
        "size": "1",
        "width": "100%",
        "key": field.key + ":" + field.value,
        "custom_attrs": {"aria-label": field.label},
    }
    return rx.match(
        field.type,
        (
            "select",
            rx.select.root(
                rx.select.trigger(placeholder="Choose…", width="100%", aria_label=field.label),
                rx.select.content(rx.foreach(field.options, lambda o: rx.select.item(o[1], value=o[0]))),
                value=field.value,
                on_change=lambda value: T.save_field(field.key, value),
                size="1",
            ),
        ),
        ("long_text", rx.text_area(rows="3", **text_like)),
        ("number", rx.input(type="number", step="any", **text_like)),
        ("date", rx.input(type="date", **text_like)),
        ("url", rx.input(type="url", **text_like)),
        ("email", rx.input(type="email", **text_like)),
        (
            "checkbox",
            rx.checkbox(
                checked=field.checked,
                on_change=lambda value: T.save_field(field.key, value),
                aria_label=field.label,
            ),
        ),
        (
            "multi_select",
            rx.flex(
                rx.foreach(
                    field.options,
                    lambda o: rx.text(
                        rx.flex(
                            rx.checkbox(
                                checked=field.chosen.contains(o[0]),
                                on_change=lambda on: T.toggle_option(field.key, o[0], on),
                                size="1",
                            ),
                            o[1],
                            spacing="1",
                            align="center",
                        ),
                        as_="label",
                        size="1",
                    ),
                ),
                wrap="wrap",
                style={"gap": "4px 12px"},
                role="group",
                aria_label=field.label,
            ),
        ),
        rx.input(max_length=600, **text_like),
    )


def _field(field) -> rx.Component:
    return rx.vstack(
        rx.text(field.label, size="1", weight="medium", color=rx.color("gray", 11)),
        _field_control(field),
        rx.cond(field.error != "", rx.text(field.error, size="1", color=rx.color("red", 11), role="alert")),
        spacing="1",
        width="100%",
    )


def _status() -> rx.Component:
    return panel_section(
        "Status",
        rx.badge(T.status_name, color_scheme=T.status_color, variant="soft", radius="full", size="2"),
        rx.cond(
            T.moves.length() > 0,
            rx.flex(
                rx.foreach(
                    T.moves,
                    lambda m: rx.button(
                        rx.icon("arrow-right", size=12),
                        m.name,
                        size="1",
                        variant="outline",
                        color_scheme=m.color,
                        on_click=T.move(m.key),
                        aria_label="Move to " + m.name,
                    ),
                ),
                wrap="wrap",
                style={"gap": "6px"},
                custom_attrs={"data-shortcut": "s"},
            ),
            rx.text("No moves from here.", size="1", color=rx.color("gray", 11)),
        ),
    )


def _people() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Assignee", size="1", weight="bold", color=rx.color("gray", 11), text_transform="uppercase"),
            rx.spacer(),
            rx.cond(
                T.can_take,
                rx.button(
                    "Assign to me",
                    size="1",
                    variant="ghost",
                    on_click=T.assign_to_me,
                    custom_attrs={"data-shortcut": "a"},
                ),
            ),
            align="center",
            width="100%",
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Assignee", width="100%"),
            rx.select.content(
                rx.select.item("Unassigned", value=UNASSIGNED),
                rx.foreach(T.agents, lambda a: rx.select.item(a[1], value=a[0])),
            ),
            value=T.assignee,
            on_change=T.assign,
            size="2",
        ),
        rx.text(
            "Priority",
            size="1",
            weight="bold",
            color=rx.color("gray", 11),
            text_transform="uppercase",
            padding_top="8px",
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Priority", width="100%"),
            rx.select.content(*[rx.select.item(PRIORITY_LABELS[p], value=p) for p in PRIORITIES]),
            value=T.priority,
            on_change=T.set_priority,
            size="2",
        ),
        spacing="2",
        width="100%",
    )


def _tag_chip(name) -> rx.Component:
    return rx.badge(
        rx.icon("tag", size=11),
        name,
        rx.icon_button(
            rx.icon("x", size=10),
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=T.remove_tag(name),
            aria_label="Remove tag " + name,
            margin_left="2px",
        ),
        variant="surface",
        radius="full",
        size="2",
    )


def _tags() -> rx.Component:
    """The ticket's tags, each removable, and an input that adds one, offering the project's tags as it is typed."""
    return panel_section(
        "Tags",
        rx.cond(
            T.tags.length() > 0,
            rx.flex(rx.foreach(T.tags, _tag_chip), wrap="wrap", style={"gap": "6px"}),
        ),
        rx.form(
            rx.input(
                rx.input.slot(rx.icon("plus", size=12)),
                id="ticket-tag-input",
                name="tag",
                list="ticket-tag-suggestions",
                placeholder="Add a tag, Enter",
                aria_label="Add a tag",
                auto_complete="off",
                max_length=200,
                on_change=T.suggest_tags,
                on_focus=T.suggest_tags(""),
                size="2",
                width="100%",
            ),
            rx.el.datalist(
                rx.foreach(T.tag_suggestions, lambda name: rx.el.option(value=name)), id="ticket-tag-suggestions"
            ),
            on_submit=T.add_tag,
            reset_on_submit=False,
            width="100%",
        ),
    )


def _files() -> rx.Component:
    return panel_section(
        "Attachments",
        rx.cond(
            T.files.length() > 0,
            file_list(T.files, T.remove_file),
            rx.text("No files.", size="1", color=rx.color("gray", 11)),
        ),
        attachment_upload(
            upload_url=T.upload_url,
            max_bytes=T.upload_limit,
            label="Attach files",
            on_uploaded=T.files_uploaded,
        ),
    )


def _followers() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Followers", size="1", weight="bold", color=rx.color("gray", 11), text_transform="uppercase"),
            rx.spacer(),
            rx.button(
                rx.icon(rx.cond(T.following, "bell-off", "bell"), size=12),
                rx.cond(T.following, "Unfollow", "Follow"),
                size="1",
                variant="ghost",
                on_click=T.toggle_follow,
            ),
            align="center",
            width="100%",
        ),
        rx.cond(
            T.follower_names.length() > 0,
            rx.text(T.follower_names.join(", "), size="1", overflow_wrap="anywhere"),
            rx.text("Nobody follows it. Followers hear what the assignee hears.", size="1", color=rx.color("gray", 11)),
        ),
        spacing="2",
        width="100%",
    )


def _mail_original(original) -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.hstack(rx.icon("mail", size=12), rx.text("Show original: ", original.label, size="1"), spacing="1"),
            href=original.url,
            is_external=True,
            reload_document=True,
            min_width="0",
            overflow_wrap="anywhere",
        ),
        rx.spacer(),
        rx.text(local_time(original.received_at), size="1", color=rx.color("gray", 11), white_space="nowrap"),
        align="center",
        width="100%",
    )


def _side_panel() -> rx.Component:
    return rx.vstack(
        _status(),
        rx.separator(size="4"),
        _people(),
        rx.separator(size="4"),
        cc_section(T),
        _followers(),
        rx.separator(size="4"),
        _tags(),
        rx.separator(size="4"),
        sla_panel(T),
        rx.cond(
            T.fields.length() > 0,
            rx.fragment(
                panel_section("Fields", rx.foreach(T.fields, _field)),
                rx.separator(size="4"),
            ),
        ),
        panel_section(
            "Details",
            fact("Reporter", T.reporter_name),
            fact("Email", T.reporter_email),
            fact("Organisation", T.reporter_organisation),
            fact("Source", T.source),
            fact("Created", T.created_at, is_time=True),
            fact("Updated", T.updated_at, is_time=True),
            fact("First response", T.first_responded_at, is_time=True),
            fact("Resolved", T.resolved_at, is_time=True),
            lifecycle_facts(T),
        ),
        rx.cond(
            T.mail_originals.length() > 0,
            rx.fragment(rx.separator(size="4"), panel_section("By mail", rx.foreach(T.mail_originals, _mail_original))),
        ),
        rx.separator(size="4"),
        ticket_relations(),
        rx.separator(size="4"),
        _files(),
        spacing="4",
        padding="16px",
        border_radius="var(--radius-4)",
        border=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        width="100%",
        aria_label="Ticket details",
        role="complementary",
    )


def _head() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.link(
                rx.hstack(rx.icon("arrow-left", size=14), "Tickets", spacing="1", align="center"),
                # Back to the list as this tab last showed it: its filters, sort and page.
                href=StaffTicketsState.list_path,
                size="2",
                color=rx.color("gray", 11),
                underline="none",
            ),
            rx.text("/", size="2", color=rx.color("gray", 11)),
            rx.text(T.project_name + " · " + T.type_name, size="2", color=rx.color("gray", 11)),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        rx.hstack(
            rx.code(T.number, variant="ghost", size="4", weight="bold", color_scheme="gray"),
            rx.heading(T.title, size="6", weight="bold", as_="h1", overflow_wrap="anywhere", min_width="0"),
            rx.spacer(),
            rx.cond(T.editable, edit_ticket_button()),
            align="baseline",
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        ticket_description(T.description_html, T.description),
        spacing="3",
        width="100%",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.separator(size="4", margin_bottom="8px"),
        rx.heading("Comments", size="3", as_="h2"),
        comment_thread(C, empty_text="No comments yet."),
        _composer(),
        rx.separator(size="4", margin_y="8px"),
        activity_log(T.activity),
        spacing="3",
        width="100%",
    )


def ticket_page() -> rx.Component:
    return app_page(
        rx.cond(
            T.found,
            rx.fragment(
                with_side_panel(_head(), _body(), _side_panel(), side_width="320px"),
                ticker(seconds=POLL_SECONDS, on_tick=T.watch),
            ),
            empty_state("search-x", "No such ticket", "It does not exist, or it is not in a project you work."),
        )
    )
