"""The Reflex app: pages, and the FastAPI app (sign-in routes, API) mounted beneath it."""

from __future__ import annotations

import reflex as rx

from tickit import routes
from tickit.api import create_app
from tickit.pages.admin.api_clients import api_clients_page
from tickit.pages.admin.assignment import assignment_page
from tickit.pages.admin.audit import audit_page
from tickit.pages.admin.exports import exports_page
from tickit.pages.admin.intake import intake_page
from tickit.pages.admin.lifecycle import lifecycle_page
from tickit.pages.admin.mail import mail_page
from tickit.pages.admin.organisations import organisations_page
from tickit.pages.admin.overview import overview_page
from tickit.pages.admin.projects import projects_page
from tickit.pages.admin.sla import sla_page
from tickit.pages.admin.tags import tags_page
from tickit.pages.admin.type_editor import type_editor_page
from tickit.pages.admin.users import users_page
from tickit.pages.admin.webhooks import webhooks_page
from tickit.pages.analytics import analytics_page
from tickit.pages.board import board_page
from tickit.pages.canned_replies import canned_replies_page
from tickit.pages.choose_password import choose_password_page
from tickit.pages.login import login_page
from tickit.pages.not_found import not_found_page
from tickit.pages.portal import my_tickets_page, new_ticket_page
from tickit.pages.portal_ticket import portal_ticket_page
from tickit.pages.profile import profile_page
from tickit.pages.ticket_page import ticket_page
from tickit.pages.tickets import staff_new_ticket_page, tickets_page
from tickit.pages.workload import workload_page
from tickit.state.admin_api_clients import AdminApiClientsState
from tickit.state.admin_assignment import AdminAssignmentState
from tickit.state.admin_audit import AdminAuditState
from tickit.state.admin_exports import AdminExportsState
from tickit.state.admin_intake import AdminIntakeState
from tickit.state.admin_invitations import AdminInvitationsState
from tickit.state.admin_lifecycle import AdminLifecycleState
from tickit.state.admin_mail import AdminMailState
from tickit.state.admin_organisations import AdminOrganisationsState
from tickit.state.admin_overview import AdminOverviewState
from tickit.state.admin_projects import AdminProjectsState
from tickit.state.admin_sla import AdminSlaState
from tickit.state.admin_tags import AdminTagsState
from tickit.state.admin_users import AdminUsersState
from tickit.state.admin_webhooks import AdminWebhooksState
from tickit.state.analytics import AnalyticsState
from tickit.state.board import BoardState
from tickit.state.bulk_actions import BulkState
from tickit.state.canned_replies import CannedRepliesState
from tickit.state.choose_password import ChoosePasswordState
from tickit.state.home import HomeState
from tickit.state.login import LoginState
from tickit.state.new_ticket import NewTicketState
from tickit.state.portal_lifecycle import PortalLifecycleState
from tickit.state.portal_ticket import PortalCommentsState, PortalTicketState
from tickit.state.profile import ProfileState
from tickit.state.socket_session import hide_session_cookie
from tickit.state.ticket_page import TicketCommentsState, TicketState
from tickit.state.tickets import MyTicketsState, StaffTicketsState
from tickit.state.type_editor import TypeEditorState
from tickit.state.workload import WorkloadState


def _redirecting() -> rx.Component:
    return rx.center(rx.spinner(size="3"), min_height="100vh")


# Every page's head: the favicon and app icons (assets/), the web app manifest, the browser bar's colour.
_HEAD = [
    rx.el.link(rel="icon", href="/favicon.ico", sizes="32x32"),
    rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
    rx.el.link(rel="apple-touch-icon", href="/apple-touch-icon.png"),
    rx.el.link(rel="manifest", href="/manifest.webmanifest"),
    rx.el.meta(name="theme-color", content="#3e63dd"),
    rx.el.script(src="/keyboard.js", defer=True),  # the keyboard shortcuts, on every page
]

# The FastAPI routes mounted beneath the app, then the whole app wrapped so that no websocket's
# session cookie reaches Reflex's (pickled) state.
app = rx.App(api_transformer=[create_app(), hide_session_cookie], head_components=_HEAD, stylesheets=["/tickit.css"])
app.add_page(_redirecting, route=routes.HOME, title="TickIt", on_load=HomeState.load)
app.add_page(not_found_page, route=routes.NOT_FOUND, title="Page not found · TickIt")
app.add_page(login_page, route=routes.LOGIN, title="Sign in · TickIt", on_load=LoginState.load)
app.add_page(
    choose_password_page,
    route=routes.CHOOSE_PASSWORD,
    title="Choose your password · TickIt",
    on_load=ChoosePasswordState.load,
)
app.add_page(my_tickets_page, route=routes.PORTAL, title="My tickets · TickIt", on_load=MyTicketsState.load)
app.add_page(new_ticket_page, route=routes.PORTAL_NEW_TICKET, title="New ticket · TickIt", on_load=NewTicketState.load)
app.add_page(
    portal_ticket_page,
    route=routes.PORTAL_TICKET,
    title="Ticket · TickIt",
    on_load=[PortalTicketState.load, PortalCommentsState.load, PortalLifecycleState.load],
)
app.add_page(
    tickets_page,
    route=routes.TICKETS,
    title="Tickets · TickIt",
    on_load=[StaffTicketsState.load, BulkState.follow_list],
)
app.add_page(board_page, route=routes.TICKETS_BOARD, title="Board · TickIt", on_load=BoardState.load)
app.add_page(workload_page, route=routes.TICKETS_WORKLOAD, title="Workload · TickIt", on_load=WorkloadState.load)
app.add_page(
    canned_replies_page,
    route=routes.TICKETS_REPLIES,
    title="Canned replies · TickIt",
    on_load=CannedRepliesState.load,
)
app.add_page(analytics_page, route=routes.ANALYTICS, title="Analytics · TickIt", on_load=AnalyticsState.load)
app.add_page(staff_new_ticket_page, route=routes.TICKETS_NEW, title="New ticket · TickIt", on_load=NewTicketState.load)
app.add_page(
    ticket_page,
    route=routes.TICKET_PAGE,
    title="Ticket · TickIt",
    on_load=[TicketState.load, TicketCommentsState.load],
)
app.add_page(overview_page, route=routes.ADMIN, title="Admin · TickIt", on_load=AdminOverviewState.load)
app.add_page(
    users_page,
    route=routes.ADMIN_USERS,
    title="Users · TickIt",
    on_load=[AdminUsersState.load, AdminInvitationsState.load],
)
app.add_page(audit_page, route=routes.ADMIN_AUDIT, title="Audit log · TickIt", on_load=AdminAuditState.load)
app.add_page(projects_page, route=routes.ADMIN_PROJECTS, title="Projects · TickIt", on_load=AdminProjectsState.load)
app.add_page(
    organisations_page,
    route=routes.ADMIN_ORGANISATIONS,
    title="Organisations · TickIt",
    on_load=AdminOrganisationsState.load,
)
app.add_page(profile_page, route=routes.PROFILE, title="Profile · TickIt", on_load=ProfileState.load)
app.add_page(
    type_editor_page, route=routes.ADMIN_PROJECT_WORKFLOW, title="Workflow · TickIt", on_load=TypeEditorState.load
)
app.add_page(sla_page, route=routes.ADMIN_PROJECT_SLA, title="SLA · TickIt", on_load=AdminSlaState.load)
app.add_page(
    api_clients_page,
    route=routes.ADMIN_PROJECT_API_CLIENTS,
    title="API clients · TickIt",
    on_load=AdminApiClientsState.load,
)
app.add_page(exports_page, route=routes.ADMIN_PROJECT_EXPORT, title="Export · TickIt", on_load=AdminExportsState.load)
app.add_page(
    lifecycle_page, route=routes.ADMIN_PROJECT_LIFECYCLE, title="Lifecycle · TickIt", on_load=AdminLifecycleState.load
)
app.add_page(
    assignment_page,
    route=routes.ADMIN_PROJECT_ASSIGNMENT,
    title="Assignment · TickIt",
    on_load=AdminAssignmentState.load,
)
app.add_page(intake_page, route=routes.ADMIN_PROJECT_INTAKE, title="Intake · TickIt", on_load=AdminIntakeState.load)
app.add_page(tags_page, route=routes.ADMIN_PROJECT_TAGS, title="Tags · TickIt", on_load=AdminTagsState.load)
app.add_page(mail_page, route=routes.ADMIN_PROJECT_MAIL, title="Mail · TickIt", on_load=AdminMailState.load)
app.add_page(
    webhooks_page, route=routes.ADMIN_PROJECT_WEBHOOKS, title="Webhooks · TickIt", on_load=AdminWebhooksState.load
)
