"""/tickets/[number]: one ticket for its agents: thread and composer on the left, the ticket's facts on the right."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.attachment_upload import attachment_upload
from tickit.components.layout import app_page, empty_state
from tickit.components.rich_editor import rich_editor
from tickit.state.ticket_page import PRIORITIES, UNASSIGNED
from tickit.state.ticket_page import TicketCommentsState as C
from tickit.state.ticket_page import TicketState as T

# Comment HTML comes sanitised from the services; this only makes it read well.
PROSE = {
    "font_size": "var(--font-size-2)",
    "line_height": "1.6",
    "color": rx.color("gray", 12),
    "overflow_wrap": "anywhere",
    "& p": {"margin": "0 0 6px"},
    "& p:last-child": {"margin_bottom": "0"},
    "& ul, & ol": {"margin": "4px 0", "padding_left": "22px"},
    "& ul": {"list_style": "disc"},
    "& ol": {"list_style": "decimal"},
    "& blockquote": {
        "margin": "4px 0",
        "padding_left": "10px",
        "border_left": f"3px solid {rx.color('gray', 6)}",
        "color": rx.color("gray", 11),
    },
    "& code": {"background": rx.color("gray", 3), "padding": "0 4px", "border_radius": "4px", "font_size": "0.9em"},
    "& a": {"color": rx.color("accent", 11)},
    "& .mention": {
        "color": rx.color("accent", 11),
        "background": rx.color("accent", 3),
        "border_radius": "4px",
        "padding": "0 2px",
        "font_weight": "500",
    },
}


def _panel_section(title: str, *children: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(title, size="1", weight="bold", color=rx.color("gray", 10), text_transform="uppercase"),
        *children,
        spacing="2",
        width="100%",
    )


def _fact(label: str, value) -> rx.Component:
    return rx.cond(
        value != "",
        rx.hstack(
            rx.text(label, size="1", color=rx.color("gray", 10), min_width="104px"),
            rx.text(value, size="1", color=rx.color("gray", 12)),
            width="100%",
            align="baseline",
        ),
    )


# --- comments ----------------------------------------------------------------------------------------------


def _comment_actions(comment) -> rx.Component:
    def action(label: str, icon: str, handler, **props) -> rx.Component:
        return rx.button(rx.icon(icon, size=12), label, size="1", variant="ghost", on_click=handler, **props)

    return rx.hstack(
        rx.cond(~comment.is_reply, action("Reply", "reply", C.start_reply(comment.id), color_scheme="gray")),
        rx.cond(
            comment.mine,
            rx.fragment(
                action("Edit", "pencil", C.start_edit(comment.id), color_scheme="gray"),
                action("Delete", "trash-2", C.delete(comment.id), color_scheme="red"),
            ),
        ),
        spacing="3",
        padding_top="4px",
    )


def _comment_editor(value_setter, save, save_label: str, content, label: str) -> rx.Component:
    return rx.vstack(
        rich_editor(
            content=content,
            mentionables=C.mentionables,
            label=label,
            placeholder="Write…",
            on_change=value_setter,
            width="100%",
        ),
        rx.hstack(
            rx.button("Cancel", size="1", variant="soft", color_scheme="gray", on_click=C.cancel),
            rx.button(save_label, size="1", on_click=save),
            justify="end",
            width="100%",
        ),
        width="100%",
        spacing="2",
    )


def _comment(comment) -> rx.Component:
    body = rx.cond(
        comment.deleted,
        rx.text("This comment was deleted.", size="2", color=rx.color("gray", 10), font_style="italic"),
        rx.cond(
            C.editing == comment.id,
            _comment_editor(C.set_edit_body, C.save_edit, "Save", comment.html, "Edit comment"),
            rx.box(rx.html(comment.html), style=PROSE),
        ),
    )
    card = rx.box(
        rx.hstack(
            rx.avatar(fallback=comment.author_initials, size="1", radius="full", color_scheme="indigo"),
            rx.text(comment.author_name, size="2", weight="medium"),
            rx.text(comment.ago, size="1", color=rx.color("gray", 10), title=comment.at),
            rx.cond(comment.edited, rx.text("(edited)", size="1", color=rx.color("gray", 9))),
            rx.spacer(),
            rx.cond(
                comment.internal,
                rx.badge(rx.icon("lock", size=11), "Internal note", color_scheme="amber", variant="solid", size="1"),
            ),
            align="center",
            spacing="2",
            width="100%",
            padding_bottom="6px",
        ),
        body,
        rx.cond(~comment.deleted & (C.editing != comment.id), _comment_actions(comment)),
        padding="12px 14px",
        border_radius="var(--radius-3)",
        border=rx.cond(comment.internal, f"1px solid {rx.color('amber', 7)}", f"1px solid {rx.color('gray', 5)}"),
        background=rx.cond(comment.internal, rx.color("amber", 3), rx.color("gray", 1)),
        width="100%",
    )
    reply_box = rx.cond(
        C.reply_to == comment.id,
        rx.box(
            _comment_editor(C.set_reply_body, C.post_reply, "Reply", "", "Reply"),
            padding_left="28px",
            width="100%",
        ),
    )
    return rx.box(
        rx.box(
            card,
            padding_left=rx.cond(comment.is_reply, "28px", "0"),
            border_left=rx.cond(comment.is_reply, f"2px solid {rx.color('gray', 4)}", "none"),
            margin_left=rx.cond(comment.is_reply, "14px", "0"),
        ),
        reply_box,
        width="100%",
        role="article",
        aria_label=rx.cond(
            comment.internal, "Internal note by " + comment.author_name, "Comment by " + comment.author_name
        ),
        custom_attrs={"data-reply": rx.cond(comment.is_reply, "true", "false")},
    )


def _composer() -> rx.Component:
    return rx.vstack(
        rich_editor(
            mentionables=C.mentionables,
            clear_key=C.clear_key,
            label="New comment",
            placeholder="Write a comment… Type @ to mention an agent.",
            on_change=C.set_body,
            width="100%",
        ),
        rx.hstack(
            rx.text(
                rx.flex(
                    rx.switch(checked=C.internal, on_change=C.set_internal, color_scheme="amber", size="1"),
                    "Internal note",
                    spacing="2",
                    align="center",
                ),
                as_="label",
                size="2",
            ),
            rx.cond(
                C.internal,
                rx.text("Only agents see internal notes.", size="1", color=rx.color("amber", 11)),
            ),
            rx.spacer(),
            rx.button(
                rx.icon("send", size=14),
                rx.cond(C.internal, "Post note", "Post"),
                size="2",
                color_scheme=rx.cond(C.internal, "amber", "indigo"),
                on_click=C.post,
            ),
            align="center",
            width="100%",
        ),
        padding="12px",
        border_radius="var(--radius-4)",
        background=rx.cond(C.internal, rx.color("amber", 2), rx.color("gray", 2)),
        border=f"1px solid {rx.color('gray', 5)}",
        width="100%",
        spacing="3",
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
        ("multi_select", rx.text(rx.cond(field.shown != "", field.shown, "—"), size="2")),
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
    return _panel_section(
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
            ),
            rx.text("No moves from here.", size="1", color=rx.color("gray", 10)),
        ),
    )


def _people() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Assignee", size="1", weight="bold", color=rx.color("gray", 10), text_transform="uppercase"),
            rx.spacer(),
            rx.cond(
                T.assignee != T.my_id,
                rx.button("Assign to me", size="1", variant="ghost", on_click=T.assign_to_me),
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
            color=rx.color("gray", 10),
            text_transform="uppercase",
            padding_top="8px",
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Priority", width="100%"),
            rx.select.content(*[rx.select.item(p.capitalize(), value=p) for p in PRIORITIES]),
            value=T.priority,
            on_change=T.set_priority,
            size="2",
        ),
        spacing="2",
        width="100%",
    )


def _files() -> rx.Component:
    def row(file) -> rx.Component:
        return rx.hstack(
            rx.cond(
                file.is_image,
                rx.image(
                    src=file.thumbnail_url,
                    alt=file.name,
                    width="44px",
                    height="44px",
                    object_fit="cover",
                    border_radius="var(--radius-2)",
                    border=f"1px solid {rx.color('gray', 5)}",
                    flex_shrink="0",
                ),
                rx.center(
                    rx.icon("file", size=18, color=rx.color("gray", 10)),
                    width="44px",
                    height="44px",
                    border_radius="var(--radius-2)",
                    background=rx.color("gray", 3),
                    flex_shrink="0",
                ),
            ),
            rx.vstack(
                # A backend route that answers with Content-Disposition: attachment, not a page of the app.
                rx.link(
                    file.name,
                    href=file.download_url,
                    size="2",
                    reload_document=True,
                    custom_attrs={"download": ""},
                    title="Download " + file.name,
                    overflow_wrap="anywhere",
                ),
                rx.text(file.size + " · " + file.uploaded_by, size="1", color=rx.color("gray", 10)),
                rx.text(file.ago, size="1", color=rx.color("gray", 9), title=file.at),
                spacing="0",
                min_width="0",
                flex="1",
            ),
            rx.icon_button(
                rx.icon("trash-2", size=14),
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=T.remove_file(file.id),
                aria_label="Remove " + file.name,
                title="Remove " + file.name,
            ),
            align="center",
            spacing="3",
            width="100%",
            role="listitem",
            aria_label=file.name,
        )

    return _panel_section(
        "Attachments",
        rx.cond(
            T.files.length() > 0,
            rx.vstack(rx.foreach(T.files, row), spacing="2", width="100%", role="list", aria_label="Attachments"),
            rx.text("No files.", size="1", color=rx.color("gray", 10)),
        ),
        attachment_upload(
            upload_url=T.upload_url,
            max_bytes=T.upload_limit,
            label="Attach files",
            on_uploaded=T.files_uploaded,
        ),
    )


def _activity() -> rx.Component:
    return rx.vstack(
        rx.heading("Activity", size="3", padding_top="8px"),
        rx.el.ol(
            rx.foreach(
                T.activity,
                lambda a: rx.el.li(
                    rx.hstack(
                        rx.box(
                            width="8px",
                            height="8px",
                            border_radius="50%",
                            background=rx.color("accent", 8),
                            margin_top="6px",
                            flex_shrink="0",
                        ),
                        rx.text(
                            rx.text.strong(a.actor_name),
                            " ",
                            a.text,
                            rx.text(" · " + a.ago, as_="span", color=rx.color("gray", 10), title=a.at),
                            size="2",
                        ),
                        spacing="3",
                        align="start",
                    ),
                    list_style="none",
                    padding_y="4px",
                ),
            ),
            aria_label="Activity",
            margin="0",
            padding="0",
            width="100%",
        ),
        width="100%",
        spacing="2",
    )


def _side_panel() -> rx.Component:
    return rx.vstack(
        _status(),
        rx.separator(size="4"),
        _people(),
        rx.separator(size="4"),
        rx.cond(
            T.fields.length() > 0,
            rx.fragment(
                _panel_section("Fields", rx.foreach(T.fields, _field)),
                rx.separator(size="4"),
            ),
        ),
        _panel_section(
            "Details",
            _fact("Reporter", T.reporter_name),
            _fact("Email", T.reporter_email),
            _fact("Source", T.source),
            _fact("Created", T.created_at),
            _fact("Updated", T.updated_at),
            _fact("First response", T.first_responded_at),
            _fact("Resolved", T.resolved_at),
        ),
        rx.separator(size="4"),
        _files(),
        spacing="4",
        padding="16px",
        border_radius="var(--radius-4)",
        border=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        width="320px",
        min_width="320px",
        position="sticky",
        top="24px",
        aria_label="Ticket details",
        role="complementary",
    )


def _main() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.link(
                rx.hstack(rx.icon("arrow-left", size=14), "Tickets", spacing="1", align="center"),
                href=routes.TICKETS,
                size="2",
                color=rx.color("gray", 10),
                underline="none",
            ),
            rx.text("/", size="2", color=rx.color("gray", 8)),
            rx.text(T.project_name + " · " + T.type_name, size="2", color=rx.color("gray", 10)),
            align="center",
            spacing="2",
        ),
        rx.hstack(
            rx.code(T.number, variant="ghost", size="4", weight="bold", color_scheme="gray"),
            rx.heading(T.title, size="6", weight="bold"),
            align="baseline",
            spacing="3",
            wrap="wrap",
        ),
        rx.cond(
            T.description != "",
            rx.text(T.description, size="2", white_space="pre-wrap", color=rx.color("gray", 12)),
        ),
        rx.separator(size="4", margin_y="8px"),
        rx.heading("Comments", size="3"),
        rx.cond(
            C.comments.length() > 0,
            rx.vstack(rx.foreach(C.comments, _comment), spacing="3", width="100%"),
            rx.text("No comments yet.", size="2", color=rx.color("gray", 10)),
        ),
        _composer(),
        rx.separator(size="4", margin_y="8px"),
        _activity(),
        spacing="3",
        flex="1",
        min_width="0",
    )


def ticket_page() -> rx.Component:
    return app_page(
        rx.cond(
            T.found,
            rx.hstack(_main(), _side_panel(), spacing="6", align="start", width="100%"),
            empty_state("search-x", "No such ticket", "It does not exist, or it is not in a project you work."),
        )
    )
