"""/admin/projects: projects, creating one from a template, and their members."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.components.confirm import confirm
from tickit.components.forms import dialog_actions, field, form_error, option_select
from tickit.components.layout import app_page, empty_state, page_header
from tickit.components.link_button import link_button
from tickit.components.local_time import local_time
from tickit.state.admin_projects import AdminProjectsState as S


def _create_error(key: str) -> rx.Var:
    return S.create_errors.get(key, "")


def _create_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("folder-plus", size=16), "New project"), on_click=S.open_create),
        rx.dialog.content(
            rx.dialog.title("New project"),
            rx.dialog.description(
                "A template sets up ticket types, statuses, transitions and fields; you can change all of them later.",
                size="2",
                margin_bottom="12px",
            ),
            rx.form(
                rx.vstack(
                    form_error(_create_error("form")),
                    field(
                        "Name",
                        rx.input(id="project-name", name="name", width="100%", placeholder="Help Hub"),
                        _create_error("name"),
                        "project-name",
                    ),
                    field(
                        "Key",
                        rx.input(id="project-key", name="key", width="100%", placeholder="HH", max_length=10),
                        _create_error("key"),
                        "project-key",
                        hint="2–10 capital letters or digits; ticket numbers read KEY-42.",
                    ),
                    field(
                        "Template",
                        option_select(S.template_options, S.template, S.set_template, "project-template", size="2"),
                        _create_error("template"),
                        "project-template",
                    ),
                    dialog_actions("Create project"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.create,
                reset_on_submit=False,
            ),
            max_width="480px",
        ),
        open=S.create_open,
        on_open_change=S.set_create_open,
    )


def _member_row(member) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(member.name, size="2", weight="medium"),
            rx.text(member.email, size="1", color=rx.color("gray", 11)),
            spacing="0",
        ),
        rx.spacer(),
        rx.badge(
            member.project_role,
            color_scheme=rx.match(member.project_role, ("agent", "blue"), ("admin", "purple"), "green"),
            variant="soft",
        ),
        confirm(
            rx.icon_button(
                rx.icon("x", size=14),
                size="1",
                variant="ghost",
                color_scheme="gray",
                aria_label="Remove " + member.name,
            ),
            title=["Remove ", member.name, " from ", S.members_project_name, "?"],
            consequence=[
                member.name,
                rx.cond(
                    member.project_role != "client",
                    " stops working this project: its board, its tickets and news of new ones.",
                    " can no longer file tickets in this project.",
                ),
                " Tickets and comments stay as they are; you can add them again at any time.",
            ],
            action="Remove member",
            on_confirm=S.remove_member(member.user_id),
        ),
        align="center",
        width="100%",
        padding_y="6px",
    )


def _invited_row(invited) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text(invited.email, size="2", weight="medium"),
            rx.text(
                rx.cond(invited.expired, "Expired ", "Expires "),
                local_time(invited.expires_at),
                size="1",
                color=rx.cond(invited.expired, rx.color("red", 11), rx.color("gray", 11)),
            ),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        rx.badge(invited.role, variant="outline"),
        rx.button("Resend", size="1", variant="soft", on_click=S.resend_invitation(invited.id)),
        rx.button(
            "Revoke",
            size="1",
            variant="ghost",
            color_scheme="red",
            on_click=S.revoke_invitation(invited.id),
            aria_label="Revoke the invitation of " + invited.email,
        ),
        align="center",
        gap="2",
        wrap="wrap",  # on a phone the actions go under the address
        width="100%",
        padding_y="4px",
    )


def _members_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Members of ", S.members_project_name),
            rx.dialog.description(
                "Agents work the project's tickets; admins also configure the project; clients file and follow "
                "their own.",
                size="2",
                margin_bottom="12px",
            ),
            rx.flex(
                rx.input(
                    value=S.member_email,
                    on_change=S.set_member_email,
                    type="email",
                    placeholder="person@company.com",
                    flex="1 1 200px",
                    aria_label="Member email",
                ),
                rx.select(
                    ["agent", "admin", "client"],
                    value=S.member_role,
                    on_change=S.set_member_role,
                    custom_attrs={"aria-label": "Project role"},
                ),
                rx.button("Add", on_click=S.add_member),
                rx.button(
                    rx.icon("send", size=14),
                    "Invite",
                    variant="soft",
                    on_click=S.invite_member,
                    title="No account yet: mail them a link to join this project in this role",
                ),
                gap="2",
                wrap="wrap",
                width="100%",
            ),
            rx.text(
                "Add someone who has an account, or invite a new person by email.",
                size="1",
                color=rx.color("gray", 11),
                margin_top="4px",
            ),
            rx.cond(
                S.member_errors.length() > 0,
                rx.foreach(
                    S.member_errors.values(), lambda e: rx.text(e, size="1", color=rx.color("red", 11), role="alert")
                ),
            ),
            rx.scroll_area(
                rx.cond(
                    S.members.length() > 0,
                    rx.vstack(rx.foreach(S.members, _member_row), spacing="0", width="100%"),
                    rx.text("No members yet.", size="2", color=rx.color("gray", 11), padding_y="12px"),
                ),
                max_height="320px",
                margin_top="12px",
            ),
            rx.cond(
                S.invited.length() > 0,
                rx.vstack(
                    rx.heading("Invited", size="2", as_="h3"),
                    rx.foreach(S.invited, _invited_row),
                    spacing="1",
                    width="100%",
                    margin_top="12px",
                ),
            ),
            rx.hstack(rx.dialog.close(rx.button("Done", variant="soft")), justify="end", margin_top="12px"),
            max_width="520px",
        ),
        open=S.members_open,
        on_open_change=S.set_members_open,
    )


def _project_card(project) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(project.key, size="2", variant="solid", radius="medium"),
                rx.heading(project.name, size="4", as_="h2"),
                rx.spacer(),
                rx.hstack(
                    link_button(
                        rx.icon("workflow", size=14),
                        "Workflow",
                        href=routes.ADMIN_PROJECTS + "/" + project.key,
                        size="1",
                        variant="soft",
                        aria_label="Workflow of " + project.name,
                    ),
                    link_button(
                        rx.icon("timer", size=14),
                        "SLA",
                        href=routes.ADMIN_PROJECTS + "/" + project.key + "/sla",
                        size="1",
                        variant="soft",
                        aria_label="SLA of " + project.name,
                    ),
                    link_button(
                        rx.icon("plug", size=14),
                        "API clients",
                        href=routes.ADMIN_PROJECTS + "/" + project.key + "/api-clients",
                        size="1",
                        variant="soft",
                        aria_label="API clients of " + project.name,
                    ),
                    link_button(
                        rx.icon("webhook", size=14),
                        "Webhooks",
                        href=routes.ADMIN_PROJECTS + "/" + project.key + "/webhooks",
                        size="1",
                        variant="soft",
                        aria_label="Webhooks of " + project.name,
                    ),
                    link_button(
                        rx.icon("recycle", size=14),
                        "Lifecycle",
                        href=routes.ADMIN_PROJECTS + "/" + project.key + "/lifecycle",
                        size="1",
                        variant="soft",
                        aria_label="Lifecycle of " + project.name,
                    ),
                    link_button(
                        rx.icon("shuffle", size=14),
                        "Assignment",
                        href=routes.ADMIN_PROJECTS + "/" + project.key + "/assignment",
                        size="1",
                        variant="soft",
                        aria_label="Assignment of " + project.name,
                    ),
                    link_button(
                        rx.icon("inbox", size=14),
                        "Intake",
                        href=routes.ADMIN_PROJECTS + "/" + project.key + "/intake",
                        size="1",
                        variant="soft",
                        aria_label="Intake of " + project.name,
                    ),
                    link_button(
                        rx.icon("tags", size=14),
                        "Tags",
                        href=routes.ADMIN_PROJECTS + "/" + project.key + "/tags",
                        size="1",
                        variant="soft",
                        aria_label="Tags of " + project.name,
                    ),
                    link_button(
                        rx.icon("mail", size=14),
                        "Mail",
                        href=routes.ADMIN_PROJECTS + "/" + project.key + "/mail",
                        size="1",
                        variant="soft",
                        aria_label="Mail of " + project.name,
                    ),
                    rx.cond(
                        S.may_create,  # global admins: an export carries every user the project names
                        link_button(
                            rx.icon("package", size=14),
                            "Export",
                            href=routes.ADMIN_PROJECTS + "/" + project.key + "/export",
                            size="1",
                            variant="soft",
                            aria_label="Export of " + project.name,
                        ),
                    ),
                    rx.button(
                        rx.icon("users", size=14),
                        "Members",
                        size="1",
                        variant="soft",
                        aria_label="Members of " + project.name,
                        on_click=S.open_members(project.key, project.name),
                    ),
                    spacing="2",
                    # May shrink to the card's width on a phone, so its four buttons wrap rather than overflow.
                    min_width="0",
                    white_space="nowrap",
                    wrap="wrap",
                ),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.text(project.description, size="2", color=rx.color("gray", 11)),
            rx.text(rx.text.strong("Types: "), project.types, size="2"),
            rx.hstack(
                rx.text(project.agents, " agents", size="1", color=rx.color("gray", 11)),
                rx.text("·", size="1", color=rx.color("gray", 11)),
                rx.text(project.clients, " clients", size="1", color=rx.color("gray", 11)),
                rx.text("·", size="1", color=rx.color("gray", 11)),
                rx.text(project.tickets, " tickets", size="1", color=rx.color("gray", 11)),
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        size="2",
    )


def projects_page() -> rx.Component:
    return app_page(
        page_header(
            "Projects",
            "Each project has its own ticket types, workflow and people.",
            rx.cond(S.may_create, _create_dialog()),
        ),
        rx.cond(
            S.rows.length() > 0,
            rx.grid(
                rx.foreach(S.rows, _project_card),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            empty_state(
                "folder-kanban",
                "No projects yet",
                "Create your first project from a template; it comes with ticket types, statuses and fields "
                "a team like yours uses.",
            ),
        ),
        _members_dialog(),
    )
