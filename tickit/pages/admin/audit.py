"""/admin/audit: who signed in, and who changed accounts, memberships, API clients, workflows and SLAs."""

from __future__ import annotations

import reflex as rx

from tickit.components.forms import option_select
from tickit.components.layout import app_page, page_header
from tickit.components.local_time import local_time
from tickit.state.admin_audit import FAMILIES, PERIODS
from tickit.state.admin_audit import AdminAuditState as S


def _filters() -> rx.Component:
    return rx.flex(
        rx.box(
            rx.el.label(rx.text("Period", size="2", weight="medium"), html_for="audit-period"),
            option_select(PERIODS, S.period, S.set_period, "audit-period", size="2"),
            min_width="180px",
        ),
        rx.box(
            rx.el.label(rx.text("What", size="2", weight="medium"), html_for="audit-family"),
            option_select(FAMILIES, S.family, S.set_family, "audit-family", size="2"),
            min_width="180px",
        ),
        rx.form(
            rx.el.label(rx.text("Who or what", size="2", weight="medium"), html_for="audit-q"),
            rx.hstack(
                rx.input(id="audit-q", name="q", placeholder="Name, email, project", size="2", width="100%"),
                rx.button("Filter", type="submit", size="2", variant="soft"),
                width="100%",
            ),
            on_submit=S.apply_search,
            reset_on_submit=False,
            flex="1",
            min_width="240px",
        ),
        gap="3",
        wrap="wrap",
        align="end",
        width="100%",
    )


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(local_time(row.at), white_space="nowrap", color=rx.color("gray", 11))),
        rx.table.cell(rx.code(row.action, variant="ghost")),
        rx.table.row_header_cell(rx.text(row.target, weight="medium")),
        rx.table.cell(
            rx.vstack(
                rx.text(row.actor, size="2"),
                rx.cond(row.address != "", rx.text(row.address, size="1", color=rx.color("gray", 11))),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(row.change, size="1", color=rx.color("gray", 11)), min_width="220px"),
        align="center",
    )


def audit_page() -> rx.Component:
    return app_page(
        page_header(
            "Audit log",
            "Sign-ins, and changes to accounts, memberships, API clients, workflows, SLAs and project settings. "
            "Never edited.",
        ),
        _filters(),
        rx.card(
            rx.cond(
                S.rows.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[rx.table.column_header_cell(h) for h in ("When", "Action", "On", "By", "Change")]
                        )
                    ),
                    rx.table.body(rx.foreach(S.rows, _row)),
                    variant="ghost",
                    width="100%",
                ),
                rx.text("Nothing recorded for this choice.", size="2", color=rx.color("gray", 11), padding="16px"),
            ),
            padding="0",
            width="100%",
            overflow_x="auto",
            margin_top="16px",
        ),
    )
