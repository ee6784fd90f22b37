"""/admin/projects/<key>/sla: the project's calendars, policies and escalation contacts, with a preview."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.forms import form_error
from tickit.components.layout import app_page, page_header
from tickit.state.admin_sla import AdminSlaState as S

_EXAMPLE = """sla:
  calendars:
    office:
      timezone: Europe/Berlin
      week: {mon: "09:00-17:00", tue: "09:00-17:00", wed: "09:00-12:00,13:00-17:00", fri: "09:00-15:00"}
      holidays: ["2026-12-24"]
      country: DE                 # its public holidays, from the holidays package
  policies:
    - name: Standard
      calendar: office            # omitted: round the clock
      when: {types: [bug], priorities: [urgent, high]}   # omitted: every ticket
      targets:
        urgent: {first_response: 1h, resolution: 8h}
        high: {first_response: 4h, resolution: 16h}
      warn_at: 80%                # when the warning goes out
      on_breach: {raise_priority: true, reassign: queue}   # or an agent's email
  escalation_contacts: [lead@example.com]"""


def _editor() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.el.label(rx.text("Set-up", size="2", weight="medium"), html_for="sla-text"),
                rx.text(
                    "The first policy whose conditions match a ticket (types, priorities) times it. "
                    "Durations count business time on the policy's calendar: 30m, 8h, 1h30m.",
                    size="1",
                    color=rx.color("gray", 11),
                ),
                rx.text_area(
                    id="sla-text",
                    name="text",
                    value=S.text,
                    on_change=S.set_text,
                    on_blur=S.check,
                    rows="16",
                    width="100%",
                    spell_check=False,
                    wrap="off",  # a YAML line stays one line; the box scrolls sideways
                    style={"font_family": "var(--code-font-family)", "font_size": "13px", "white_space": "pre"},
                ),
                form_error(S.error),
                rx.hstack(
                    rx.button(rx.icon("eye", size=14), "Preview", type="button", variant="soft", on_click=S.check),
                    rx.button(rx.icon("save", size=14), "Save and re-time open tickets", type="submit"),
                    rx.cond(S.saved != "", rx.text(S.saved, size="2", color=rx.color("green", 11))),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=S.save,
            width="100%",
        ),
        width="100%",
    )


def _preview_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.policy),
        rx.table.cell(row.priority),
        rx.table.cell(row.targets, white_space="nowrap"),
        rx.table.cell(row.first_response_due, white_space="nowrap"),
        rx.table.cell(row.resolution_due, white_space="nowrap"),
    )


def _preview() -> rx.Component:
    return rx.vstack(
        rx.heading("Filed now, this would be due", size="3", as_="h2"),
        rx.cond(
            S.preview.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in ("Policy", "Priority", "Response / resolution", "Response due", "Resolved by")
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(S.preview, _preview_row)),
                    variant="surface",
                    size="1",
                    width="100%",
                    aria_label="SLA preview",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("No policy: no ticket of this project has SLA targets.", size="2", color=rx.color("gray", 11)),
        ),
        spacing="2",
        width="100%",
    )


def _example() -> rx.Component:
    return rx.el.details(
        rx.el.summary(rx.text("An example with every key", size="2", as_="span"), cursor="pointer"),
        rx.code_block(_EXAMPLE, language="yaml", wrap_long_lines=True, font_size="12px"),
        width="100%",
    )


def sla_page() -> rx.Component:
    return app_page(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Projects", size="2"), align="center", spacing="1"),
            href=routes.ADMIN_PROJECTS,
            color=rx.color("gray", 11),
        ),
        page_header(
            "SLA of " + S.project_name,
            "Business-hours calendars, response and resolution targets per priority, and who hears of a breach.",
        ),
        rx.vstack(_editor(), _preview(), _example(), spacing="5", width="100%"),
    )
