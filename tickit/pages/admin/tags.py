"""Admin: /admin/projects/<KEY>/tags — the project's tags; rename one, or merge it into another."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.layout import app_page, empty_state, page_header
from tickit.state.admin_tags import AdminTagsState as S


def _rename_form(line) -> rx.Component:
    return rx.form(
        rx.flex(
            rx.input(
                name="new_name",
                default_value=line.name,
                aria_label="New name for " + line.name,
                max_length=200,
                size="2",
                flex="1 1 160px",
                min_width="0",
                auto_focus=True,
            ),
            rx.button("Rename", type="submit", size="2"),
            rx.button("Cancel", type="button", size="2", variant="soft", color_scheme="gray", on_click=S.cancel_rename),
            gap="8px",
            wrap="wrap",
            width="100%",
        ),
        rx.cond(S.error != "", rx.text(S.error, size="1", color=rx.color("red", 11), role="alert")),
        on_submit=S.rename,
        width="100%",
    )


def _line(line) -> rx.Component:
    return rx.box(
        rx.cond(
            S.renaming == line.name,
            _rename_form(line),
            rx.flex(
                rx.badge(rx.icon("tag", size=11), line.name, variant="surface", radius="full", size="2"),
                rx.text(
                    line.tickets,
                    rx.cond(line.tickets == 1, " ticket", " tickets"),
                    size="2",
                    color=rx.color("gray", 11),
                ),
                rx.spacer(),
                rx.button(
                    rx.icon("pencil", size=12),
                    "Rename",
                    size="1",
                    variant="soft",
                    on_click=S.start_rename(line.name),
                    aria_label="Rename " + line.name,
                ),
                gap="12px",
                align="center",
                width="100%",
            ),
        ),
        padding="10px 0",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
    )


def tags_page() -> rx.Component:
    return app_page(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Projects", size="2"), align="center", spacing="1"),
            href=routes.ADMIN_PROJECTS,
            color=rx.color("gray", 11),
        ),
        page_header(
            "Tags of " + S.project_name,
            "Agents add tags on tickets. Rename one to fix its spelling; renaming it to an existing tag merges them.",
        ),
        rx.cond(
            S.lines.length() > 0,
            rx.card(rx.foreach(S.lines, _line), size="2", width="100%", max_width="640px"),
            empty_state("tags", "No tags yet", "Tags appear here once agents put them on tickets."),
        ),
    )
