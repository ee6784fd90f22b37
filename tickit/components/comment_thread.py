"""The pieces the staff ticket page and the portal ticket page share: the comment thread with its editors,
the composer, a list of files, the activity log and the side panel's sections.

The thread and the composer are factories over a page state `S` that inherits the `CommentThread`
mixin (`tickit.state.comment_thread`): they read its vars and bind its own event handlers, so each
page's handlers run as that page's state. Which actions a comment offers is what the services said
the reader may do; what differs between the pages (the internal-note switch, whether one's own
comments read "You") is passed in, never decided here.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from tickit.components.attachment_upload import attachment_upload
from tickit.components.local_time import local_time
from tickit.components.rich_editor import rich_editor

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
    # A mail's inline image (the only images the sanitiser keeps) fits the column, however large.
    "& img": {"max_width": "100%", "height": "auto", "border_radius": "6px"},
    "& .mention": {
        "color": rx.color("accent", 11),
        "background": rx.color("accent", 3),
        "border_radius": "4px",
        "padding": "0 2px",
        "font_weight": "500",
    },
}
REPLY_INDENT = "28px"


# --- side panel and log ------------------------------------------------------------------------------------


def panel_section(title: str, *children: rx.Component) -> rx.Component:
    """A titled block of the ticket pages' side panel."""
    return rx.vstack(
        rx.text(title, size="1", weight="bold", color=rx.color("gray", 11), text_transform="uppercase"),
        *children,
        spacing="2",
        width="100%",
    )


def fact(label: str, value, *, label_width: str = "104px", is_time: bool = False) -> rx.Component:
    """One labelled fact of the side panel; nothing when the value is empty.

    `is_time`: the value is an ISO timestamp, shown in the viewer's zone ("3 h ago", the full time on hover).
    """
    return rx.cond(
        value != "",
        rx.hstack(
            rx.text(label, size="1", color=rx.color("gray", 11), min_width=label_width),
            rx.text(local_time(value) if is_time else value, size="1", color=rx.color("gray", 12), min_width="0"),
            width="100%",
            align="baseline",
        ),
    )


def activity_log(rows) -> rx.Component:
    """The ticket's activity, newest first: who did what, when."""
    return rx.vstack(
        rx.heading("Activity", size="3", as_="h2", padding_top="8px"),
        rx.el.ol(
            rx.foreach(
                rows,
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
                            rx.text(" · ", local_time(a.at), as_="span", color=rx.color("gray", 11)),
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


# --- files -------------------------------------------------------------------------------------------------


def _file_row(file, on_remove) -> rx.Component:
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
                rx.icon("file", size=18, color=rx.color("gray", 11)),
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
            rx.text(file.size + " · " + file.uploaded_by, size="1", color=rx.color("gray", 11)),
            rx.text(local_time(file.at), size="1", color=rx.color("gray", 11)),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        rx.cond(
            file.removable,
            rx.icon_button(
                rx.icon("trash-2", size=14),
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=on_remove(file.id),
                aria_label="Remove " + file.name,
                title="Remove " + file.name,
            ),
        ),
        align="center",
        spacing="3",
        width="100%",
        min_width="0",
        role="listitem",
        aria_label=file.name,
    )


def file_list(files, on_remove, *, label: str = "Attachments", columns: str = "1") -> rx.Component:
    """Files with a thumbnail for pictures, a download link and (where allowed) a remove button."""
    return rx.grid(
        rx.foreach(files, lambda file: _file_row(file, on_remove)),
        columns=columns,
        spacing="2",
        width="100%",
        role="list",
        aria_label=label,
    )


# --- the thread --------------------------------------------------------------------------------------------


def _comment_actions(S, comment) -> rx.Component:
    def action(label: str, icon: str, handler, **props) -> rx.Component:
        return rx.button(rx.icon(icon, size=12), label, size="1", variant="ghost", on_click=handler, **props)

    return rx.hstack(
        rx.cond(comment.can_reply, action("Reply", "reply", S.start_reply(comment.id), color_scheme="gray")),
        rx.cond(comment.editable, action("Edit", "pencil", S.start_edit(comment.id), color_scheme="gray")),
        rx.cond(comment.removable, action("Delete", "trash-2", S.delete(comment.id), color_scheme="red")),
        spacing="3",
        padding_top="4px",
    )


def _editor_buttons(S, save, save_label: str) -> rx.Component:
    return rx.hstack(
        rx.button("Cancel", size="1", variant="soft", color_scheme="gray", on_click=S.cancel),
        rx.button(save_label, size="1", on_click=save),
        justify="end",
        width="100%",
    )


def _edit_box(S) -> rx.Component:
    # Files added while editing go straight onto the comment, which exists already.
    return rx.vstack(
        rich_editor(
            content=S.edit_body,
            mentionables=S.mentionables,
            label="Edit comment",
            placeholder="Write…",
            on_change=S.set_edit_body,
            width="100%",
        ),
        attachment_upload(
            upload_url=S.edit_upload_url, max_bytes=S.upload_limit, label="Attach files", on_uploaded=S.files_sent
        ),
        _editor_buttons(S, S.save_edit, "Save"),
        width="100%",
        spacing="2",
    )


def _held_upload(S, send_key, **events) -> rx.Component:
    """Files chosen while writing, sent to the new comment (`S.send_to`) when `send_key` changes."""
    return attachment_upload(
        upload_url=S.send_to,
        max_bytes=S.upload_limit,
        label="Attach files",
        hold=True,
        send_key=send_key,
        on_uploaded=S.files_sent,
        on_failed=S.files_failed,
        **events,
    )


def _reply_box(S) -> rx.Component:
    # The upload control stays mounted after the post, until the reply's files have been sent.
    return rx.vstack(
        rx.cond(
            S.reply_sending,
            rx.text("Reply posted. Attaching its files…", size="1", color=rx.color("gray", 11), role="status"),
            rich_editor(
                content=S.reply_body,
                mentionables=S.mentionables,
                label="Reply",
                placeholder="Write a reply…",
                on_change=S.set_reply_body,
                width="100%",
            ),
        ),
        _held_upload(S, S.reply_send_key, on_held=S.set_reply_held),
        rx.cond(~S.reply_sending, _editor_buttons(S, S.post_reply, "Reply")),
        padding_left=REPLY_INDENT,
        width="100%",
        spacing="2",
    )


def _comment(S, comment, *, you_for_mine: bool) -> rx.Component:
    body = rx.cond(
        comment.deleted,
        rx.text("This comment was deleted.", size="2", color=rx.color("gray", 11), font_style="italic"),
        rx.cond(S.editing == comment.id, _edit_box(S), rx.box(rx.html(comment.html), style=PROSE)),
    )
    files = rx.cond(
        comment.files.length() > 0,
        rx.box(
            file_list(comment.files, S.remove_file, label="Files of this comment", columns="2"),
            padding_top="10px",
            margin_top="8px",
            border_top=f"1px dashed {rx.color('gray', 5)}",
        ),
    )
    author = rx.cond(comment.mine, "You", comment.author_name) if you_for_mine else comment.author_name
    card = rx.box(
        rx.hstack(
            rx.avatar(
                fallback=comment.author_initials,
                size="1",
                radius="full",
                color_scheme=rx.cond(comment.mine, "green", "indigo") if you_for_mine else "indigo",
            ),
            rx.text(author, size="2", weight="medium"),
            rx.text(local_time(comment.at), size="1", color=rx.color("gray", 11)),
            rx.cond(comment.edited, rx.text("(edited)", size="1", color=rx.color("gray", 11))),
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
        files,
        rx.cond(~comment.deleted & (S.editing != comment.id), _comment_actions(S, comment)),
        padding="12px 14px",
        border_radius="var(--radius-3)",
        border=rx.cond(comment.internal, f"1px solid {rx.color('amber', 7)}", f"1px solid {rx.color('gray', 5)}"),
        background=rx.cond(comment.internal, rx.color("amber", 3), rx.color("gray", 1)),
        width="100%",
    )
    return rx.box(
        rx.box(
            card,
            padding_left=rx.cond(comment.is_reply, REPLY_INDENT, "0"),
            border_left=rx.cond(comment.is_reply, f"2px solid {rx.color('gray', 4)}", "none"),
            margin_left=rx.cond(comment.is_reply, "14px", "0"),
        ),
        rx.cond(S.reply_to == comment.id, _reply_box(S)),
        width="100%",
        role="article",
        aria_label=rx.cond(
            comment.internal, "Internal note by " + comment.author_name, "Comment by " + comment.author_name
        ),
        custom_attrs={"data-reply": rx.cond(comment.is_reply, "true", "false")},
    )


def comment_thread(S, *, empty_text: str, you_for_mine: bool = False) -> rx.Component:
    """The thread of comment state `S`: each comment with its replies, files, and reply and edit boxes."""
    return rx.cond(
        S.comments.length() > 0,
        rx.vstack(
            rx.foreach(S.comments, lambda comment: _comment(S, comment, you_for_mine=you_for_mine)),
            spacing="3",
            width="100%",
        ),
        rx.text(empty_text, size="2", color=rx.color("gray", 11)),
    )


def comment_composer(
    S, *, placeholder: str, footer: rx.Component, editor: dict[str, Any] | None = None, **box: Any
) -> rx.Component:
    """The new-comment editor of state `S`, with files that go onto the comment once it is posted.

    `editor` adds props to the editor (the staff page's `/` menu: commands, insert, on_command).
    """
    style = {
        "padding": "12px",
        "border_radius": "var(--radius-4)",
        "background": rx.color("gray", 2),
        "border": f"1px solid {rx.color('gray', 5)}",
        **box,
    }
    return rx.vstack(
        rich_editor(
            mentionables=S.mentionables,
            clear_key=S.clear_key,
            label="New comment",
            placeholder=placeholder,
            on_change=S.set_body,
            width="100%",
            **(editor or {}),
        ),
        _held_upload(S, S.post_send_key),
        footer,
        width="100%",
        spacing="3",
        aria_label="Write a comment",
        role="group",
        **style,
    )
