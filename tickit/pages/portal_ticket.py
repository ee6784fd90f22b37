"""/portal/tickets/[number]: a client's ticket: the public thread and composer, with its facts and files beside."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.attachment_upload import attachment_upload
from tickit.components.layout import app_page, empty_state
from tickit.components.rich_editor import rich_editor
from tickit.pages.ticket_page import PROSE
from tickit.state.portal_ticket import PortalCommentsState as C
from tickit.state.portal_ticket import PortalTicketState as T


def _panel_section(title: str, *children: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(title, size="1", weight="bold", color=rx.color("gray", 10), text_transform="uppercase"),
        *children,
        spacing="2",
        width="100%",
    )


def _fact(label: str, value) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="1", color=rx.color("gray", 10), min_width="72px"),
        rx.text(value, size="1", color=rx.color("gray", 12)),
        width="100%",
        align="baseline",
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
            content=content, mentionables=[], label=label, placeholder="Write…", on_change=value_setter, width="100%"
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
            rx.avatar(
                fallback=comment.author_initials,
                size="1",
                radius="full",
                color_scheme=rx.cond(comment.mine, "green", "indigo"),
            ),
            rx.text(rx.cond(comment.mine, "You", comment.author_name), size="2", weight="medium"),
            rx.text(comment.ago, size="1", color=rx.color("gray", 10), title=comment.at),
            rx.cond(comment.edited, rx.text("(edited)", size="1", color=rx.color("gray", 9))),
            align="center",
            spacing="2",
            width="100%",
            padding_bottom="6px",
        ),
        body,
        rx.cond(~comment.deleted & (C.editing != comment.id), _comment_actions(comment)),
        padding="12px 14px",
        border_radius="var(--radius-3)",
        border=f"1px solid {rx.color('gray', 5)}",
        background=rx.cond(comment.mine, rx.color("gray", 2), rx.color("gray", 1)),
        width="100%",
    )
    reply_box = rx.cond(
        C.reply_to == comment.id,
        rx.box(
            _comment_editor(C.set_reply_body, C.post_reply, "Reply", "", "Reply"), padding_left="28px", width="100%"
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
        aria_label="Comment by " + comment.author_name,
        custom_attrs={"data-reply": rx.cond(comment.is_reply, "true", "false")},
    )


def _composer() -> rx.Component:
    return rx.vstack(
        rich_editor(
            mentionables=[],
            clear_key=C.clear_key,
            label="New comment",
            placeholder="Write a reply to the team…",
            on_change=C.set_body,
            width="100%",
        ),
        rx.hstack(
            rx.text("The team is notified when you post.", size="1", color=rx.color("gray", 10)),
            rx.spacer(),
            rx.button(rx.icon("send", size=14), "Post", size="2", on_click=C.post),
            align="center",
            width="100%",
        ),
        padding="12px",
        border_radius="var(--radius-4)",
        background=rx.color("gray", 2),
        border=f"1px solid {rx.color('gray', 5)}",
        width="100%",
        spacing="3",
    )


# --- side panel --------------------------------------------------------------------------------------------


def _file(file) -> rx.Component:
    return rx.hstack(
        rx.cond(
            file.is_image,
            rx.image(
                src=file.thumbnail_url,
                alt=file.name,
                width="44px",
                height="44px",
                flex_shrink="0",
                object_fit="cover",
                border_radius="var(--radius-2)",
                border=f"1px solid {rx.color('gray', 5)}",
            ),
            rx.center(
                rx.icon("file", size=18, color=rx.color("gray", 10)),
                width="44px",
                height="44px",
                flex_shrink="0",
                border_radius="var(--radius-2)",
                background=rx.color("gray", 3),
            ),
        ),
        rx.vstack(
            rx.link(file.name, href=file.download_url, size="2", reload_document=True, overflow_wrap="anywhere"),
            rx.text(file.size + " · " + file.uploaded_by, size="1", color=rx.color("gray", 10)),
            spacing="0",
            min_width="0",
        ),
        align="center",
        spacing="3",
        width="100%",
    )


def _side_panel() -> rx.Component:
    return rx.vstack(
        _panel_section(
            "Status",
            rx.badge(T.status_name, color_scheme=T.status_color, variant="soft", radius="full", size="2"),
        ),
        rx.separator(size="4"),
        _panel_section(
            "Details",
            _fact("Project", T.project_name),
            _fact("Type", T.type_name),
            _fact("Created", T.created_at),
            _fact("Updated", T.updated_at),
        ),
        rx.separator(size="4"),
        _panel_section(
            "Attachments",
            rx.cond(
                T.files.length() > 0,
                rx.vstack(rx.foreach(T.files, _file), spacing="2", width="100%"),
                rx.text("No files.", size="1", color=rx.color("gray", 10)),
            ),
            attachment_upload(
                upload_url=T.upload_url,
                max_bytes=T.upload_limit,
                label="Attach files",
                on_uploaded=T.files_uploaded,
            ),
        ),
        spacing="4",
        padding="16px",
        border_radius="var(--radius-4)",
        border=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        width="300px",
        min_width="300px",
        position="sticky",
        top="24px",
        aria_label="Ticket details",
        role="complementary",
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


def _main() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), "My tickets", spacing="1", align="center"),
            href=routes.PORTAL,
            size="2",
            color=rx.color("gray", 10),
            underline="none",
        ),
        rx.hstack(
            rx.code(T.number, variant="ghost", size="4", weight="bold", color_scheme="gray"),
            rx.heading(T.title, size="6", weight="bold"),
            align="baseline",
            spacing="3",
            wrap="wrap",
        ),
        rx.text(
            "Opened " + T.created_ago + " · updated " + T.updated_ago,
            size="1",
            color=rx.color("gray", 10),
        ),
        rx.cond(
            T.description != "",
            rx.text(T.description, size="2", white_space="pre-wrap", color=rx.color("gray", 12), padding_top="4px"),
        ),
        rx.separator(size="4", margin_y="8px"),
        rx.heading("Conversation", size="3"),
        rx.cond(
            C.comments.length() > 0,
            rx.vstack(rx.foreach(C.comments, _comment), spacing="3", width="100%"),
            rx.text("No replies yet. The team will answer here.", size="2", color=rx.color("gray", 10)),
        ),
        _composer(),
        rx.separator(size="4", margin_y="8px"),
        _activity(),
        spacing="3",
        flex="1",
        min_width="0",
    )


def portal_ticket_page() -> rx.Component:
    return app_page(
        rx.cond(
            T.found,
            rx.hstack(_main(), _side_panel(), spacing="6", align="start", width="100%"),
            empty_state(
                "search-x",
                "Ticket not found",
                "There is no such ticket among the ones you filed.",
                rx.link("Back to my tickets", href=routes.PORTAL, size="2"),
            ),
        )
    )
