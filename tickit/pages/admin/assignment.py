"""/admin/projects/<key>/assignment: how new tickets find an agent, who is in the pool, what each type needs."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.layout import app_page, page_header
from tickit.state.admin_assignment import ROUND_THE_CLOCK
from tickit.state.admin_assignment import AdminAssignmentState as S

STRATEGIES = (
    ("off", "Off", "New tickets wait in the queue until someone takes them."),
    ("round-robin", "Round-robin", "Agents take turns."),
    ("least-load", "Least-load", "The agent with the fewest open tickets gets it (waiting tickets not counted)."),
)
MUTED = rx.color("gray", 11)


def _heading(icon: str, title: str, text: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon(icon, size=16), rx.heading(title, size="3", as_="h2"), align="center", spacing="2"),
        rx.text(text, size="2", color=MUTED),
        spacing="1",
        width="100%",
    )


def _rule() -> rx.Component:
    return rx.card(
        rx.vstack(
            _heading(
                "shuffle", "Rule", "Applies to every new ticket, from the portal, the staff form, the API or mail."
            ),
            rx.radio_group.root(
                rx.vstack(
                    *[
                        rx.el.label(
                            rx.hstack(
                                rx.radio_group.item(value=value, margin_top="3px"),
                                rx.vstack(
                                    rx.text(label, size="2", weight="medium"),
                                    rx.text(text, size="1", color=MUTED),
                                    spacing="0",
                                ),
                                align="start",
                                spacing="2",
                            ),
                            cursor="pointer",
                        )
                        for value, label, text in STRATEGIES
                    ],
                    spacing="2",
                ),
                value=S.strategy,
                on_change=S.set_strategy,
                custom_attrs={"aria-label": "Strategy"},
            ),
            rx.separator(size="4"),
            rx.el.label(
                rx.hstack(
                    rx.switch(checked=S.require_skills, on_change=S.set_require_skills, margin_top="2px"),
                    rx.vstack(
                        rx.text("Require skills", size="2", weight="medium"),
                        rx.text(
                            "Only agents with every skill a ticket needs (below) may get it.", size="1", color=MUTED
                        ),
                        spacing="0",
                    ),
                    align="start",
                    spacing="2",
                ),
                cursor="pointer",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _agent_row(agent) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text(agent.name, size="2", weight="medium"),
            rx.text(agent.email, size="1", color=MUTED, truncate=True, max_width="100%"),
            spacing="0",
            flex="1 1 180px",
            min_width="0",
        ),
        rx.el.label(
            rx.hstack(
                rx.switch(
                    checked=agent.available,
                    on_change=lambda on: S.set_available(agent.user_id, on),
                    color_scheme="green",
                    size="1",
                    custom_attrs={"aria-label": "Available: " + agent.name},
                ),
                rx.text(rx.cond(agent.available, "Available", "Away"), size="2", width="64px"),
                align="center",
                spacing="2",
            ),
            flex="0 0 auto",
        ),
        rx.input(
            key=S.revision.to_string() + "-cap-" + agent.user_id.to_string(),
            default_value=agent.capacity,
            placeholder="No limit",
            on_blur=lambda value: S.set_capacity(agent.user_id, value),
            custom_attrs={"aria-label": "Capacity of " + agent.name, "inputMode": "numeric"},
            width="96px",
            size="2",
        ),
        rx.input(
            key=S.revision.to_string() + "-skills-" + agent.user_id.to_string(),
            default_value=agent.skills,
            placeholder="Skills: billing, de",
            on_blur=lambda value: S.set_agent_skills(agent.user_id, value),
            custom_attrs={"aria-label": "Skills of " + agent.name},
            flex="2 1 180px",
            size="2",
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Working hours of " + agent.name, placeholder="Hours"),
            rx.select.content(
                rx.foreach(
                    S.calendars,
                    lambda key: rx.select.item(
                        rx.cond(key == ROUND_THE_CLOCK, "Round the clock", "Hours: " + key), value=key
                    ),
                )
            ),
            value=agent.hours,
            on_change=lambda key: S.set_hours(agent.user_id, key),
            size="2",
        ),
        rx.cond(
            agent.working,
            rx.fragment(),
            rx.badge("Outside hours", variant="soft", color_scheme="amber", flex="0 0 auto"),
        ),
        rx.badge(agent.open, " open", variant="soft", color_scheme="gray", flex="0 0 auto"),
        gap="3",
        align="center",
        wrap="wrap",
        width="100%",
        padding_y="10px",
        border_top=f"1px solid {rx.color('gray', 4)}",
    )


def _agents() -> rx.Component:
    return rx.card(
        rx.vstack(
            _heading(
                "users",
                "Agents",
                "Capacity is the most open tickets an agent holds at once (empty: no limit). "
                "Agents switch themselves between available and away in the sidebar. Working hours are one "
                "of the project's SLA calendars; outside them an agent is given no new tickets.",
            ),
            rx.cond(
                S.agents.length() > 0,
                rx.box(rx.foreach(S.agents, _agent_row), width="100%"),
                rx.text("The project has no agents yet: add them under Members.", size="2", color=MUTED),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _skill_row(line, index) -> rx.Component:
    is_type = line.field_key == ""
    return rx.flex(
        rx.text(
            line.label,
            size="2",
            weight=rx.cond(is_type, "medium", "regular"),
            color=rx.cond(is_type, rx.color("gray", 12), MUTED),
            flex="1 1 200px",
        ),
        rx.input(
            key=S.revision.to_string() + "-type-" + index.to_string(),
            default_value=line.skills,
            placeholder=rx.cond(is_type, "Every ticket needs…", "Adds skills…"),
            on_blur=lambda value: S.set_skills(index, value),
            custom_attrs={"aria-label": "Skills for " + line.label},
            flex="2 1 200px",
            size="2",
        ),
        gap="3",
        align="center",
        wrap="wrap",
        width="100%",
        padding_y="8px",
        padding_left=rx.cond(is_type, "0", "16px"),
        border_top=rx.cond(is_type, f"1px solid {rx.color('gray', 5)}", "none"),
    )


def _skills() -> rx.Component:
    return rx.card(
        rx.vstack(
            _heading(
                "tags",
                "Skills by ticket type",
                "The skills every ticket of a type needs, and those a select field's answer adds "
                "(for example Topic: Billing → billing). Used when Require skills is on.",
            ),
            rx.box(rx.foreach(S.skills, _skill_row), width="100%"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def assignment_page() -> rx.Component:
    return app_page(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Projects", size="2"), align="center", spacing="1"),
            href=routes.ADMIN_PROJECTS,
            color=MUTED,
        ),
        page_header("Assignment in " + S.project_name, "How new tickets find an agent."),
        rx.vstack(_rule(), _agents(), _skills(), spacing="4", width="100%"),
    )
