"""/admin/projects/<key>/export: the project's whole archive, written in the background and downloaded from here."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.layout import app_page, empty_state, page_header
from tickit.components.link_button import link_button
from tickit.components.live import ticker
from tickit.components.local_time import local_time
from tickit.state.admin_exports import AdminExportsState as S

POLL_SECONDS = 2.0
STATUS_COLORS = {"queued": "gray", "running": "blue", "done": "green", "failed": "red"}


def _status(row) -> rx.Component:
    return rx.badge(
        row.status_label,
        color_scheme=rx.match(row.status, *STATUS_COLORS.items(), "gray"),
        variant="soft",
        size="2",
    )


def _export_row(row) -> rx.Component:
    muted = rx.color("gray", 11)
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    _status(row),
                    rx.text("Asked for ", local_time(row.created), " by ", row.requested_by, size="2", color=muted),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                rx.cond(
                    (row.status == "queued") | (row.status == "running"),
                    rx.vstack(
                        rx.progress(value=row.progress, max=100, width="100%", aria_label="Export progress"),
                        rx.text(row.progress_text, size="1", color=muted),
                        spacing="1",
                        width="100%",
                    ),
                ),
                rx.cond(row.status == "failed", rx.text(row.error, size="2", color=rx.color("red", 11))),
                rx.cond(
                    row.status == "done",
                    rx.text(
                        row.progress_text,
                        " · ",
                        row.size,
                        " · deleted ",
                        local_time(row.expires),
                        size="2",
                        color=muted,
                    ),
                ),
                spacing="2",
                flex="1",
                min_width="min(100%, 260px)",
            ),
            rx.cond(
                row.download_url != "",
                link_button(
                    rx.icon("download", size=16),
                    "Download",
                    href=row.download_url,
                    reload_document=True,
                    aria_label="Download the export",
                ),
            ),
            align="center",
            gap="3",
            wrap="wrap",
            width="100%",
        ),
        width="100%",
    )


def _contents() -> rx.Component:
    items = (
        "tickets with their fields and status history",
        "comments, internal notes flagged",
        "the activity log",
        "the people named, by email",
        "the workflow as YAML",
        "every attached file",
    )
    return rx.card(
        rx.vstack(
            rx.heading("What the archive holds", size="3", as_="h2"),
            rx.el.ul(
                *[rx.el.li(rx.text(item, size="2")) for item in items],
                style={"paddingLeft": "20px", "margin": 0, "listStyleType": "disc"},
            ),
            rx.text(
                "One zip of JSON Lines files. ",
                rx.code("tickit import", variant="ghost"),
                " restores it into an empty project, here or on another TickIt.",
                size="2",
                color=rx.color("gray", 11),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        margin_top="20px",
    )


def exports_page() -> rx.Component:
    return app_page(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Projects", size="2"), align="center", spacing="1"),
            href=routes.ADMIN_PROJECTS,
            color=rx.color("gray", 11),
        ),
        page_header(
            "Export " + S.project_name,
            "Everything in the project, as one archive to keep or to take to another system.",
            rx.button(rx.icon("package", size=16), "Export", on_click=S.export, disabled=S.under_way),
        ),
        rx.cond(S.under_way, ticker(seconds=POLL_SECONDS, on_tick=S.watch)),
        rx.cond(
            S.rows.length() > 0,
            rx.vstack(rx.foreach(S.rows, _export_row), spacing="3", width="100%"),
            empty_state(
                "package",
                "No exports yet",
                "Export writes the archive in the background; it is listed here, ready to download for a day.",
            ),
        ),
        _contents(),
    )
