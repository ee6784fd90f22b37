"""Every route path and URL builder, in one place."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlencode

from tickit.config import get_settings
from tickit.models import Role

LOGIN = "/login"
HOME = "/"
PORTAL = "/portal"
PORTAL_NEW_TICKET = "/portal/new"
PORTAL_TICKETS = "/portal/tickets"  # a ticket's page is beneath it
PORTAL_TICKET = "/portal/tickets/[number]"
TICKETS = "/tickets"
TICKETS_NEW = "/tickets/new"
TICKETS_BOARD = "/tickets/board"
TICKETS_WORKLOAD = "/tickets/workload"
TICKETS_REPLIES = "/tickets/replies"  # canned replies and macros
ANALYTICS = "/analytics"
TICKET_PAGE = "/tickets/[number]"
ADMIN = "/admin"
ADMIN_USERS = "/admin/users"
ADMIN_PROJECTS = "/admin/projects"
ADMIN_AUDIT = "/admin/audit"
ADMIN_ORGANISATIONS = "/admin/organisations"
PROFILE = "/profile"
CHOOSE_PASSWORD = "/choose-password"
ADMIN_PROJECT_WORKFLOW = "/admin/projects/[project]"
ADMIN_PROJECT_API_CLIENTS = "/admin/projects/[project]/api-clients"
ADMIN_PROJECT_LIFECYCLE = "/admin/projects/[project]/lifecycle"
ADMIN_PROJECT_ASSIGNMENT = "/admin/projects/[project]/assignment"
ADMIN_PROJECT_SLA = "/admin/projects/[project]/sla"
ADMIN_PROJECT_INTAKE = "/admin/projects/[project]/intake"
ADMIN_PROJECT_MAIL = "/admin/projects/[project]/mail"
ADMIN_PROJECT_TAGS = "/admin/projects/[project]/tags"
ADMIN_PROJECT_WEBHOOKS = "/admin/projects/[project]/webhooks"
ADMIN_PROJECT_EXPORT = "/admin/projects/[project]/export"
NOT_FOUND = "404"  # Reflex's slug for the page of any address it has no page for

AUTH_LOGIN = "/auth/login"
AUTH_LOGOUT = "/auth/logout"
AUTH_CHOOSE_PASSWORD = "/auth/choose-password"
FORGOT_PASSWORD = "/auth/forgot-password"
RESET_PASSWORD = "/auth/reset-password/{token}"  # the page a reset mail links to (tickit/api/accounts.py)
INVITATION = "/auth/invitation/{token}"  # the page an invitation mail links to
SET_PASSWORD = "/auth/set-password/{token}"  # a requester's first password, linked from their acknowledgement
SIGN_IN_LINK = "/auth/sign-in-link"  # the form that mails a one-time sign-in link
SIGN_IN_WITH_LINK = "/auth/sign-in-link/{token}"  # the page that link opens
SIGN_UP = "/auth/sign-up"  # "Create an account", for projects that take sign-ups
SIGN_UP_CONFIRM = "/auth/sign-up/{token}"  # the page a sign-up mail links to
GOOGLE_LOGIN = "/auth/google/login"
GOOGLE_CALLBACK = "/auth/google/callback"
SURVEY = "/survey/{token}"  # the satisfaction survey a requester's mail links to (tickit/api/survey.py)

API_PREFIX = "/integrations/v1"
API_TICKETS = "/tickets"  # under API_PREFIX, like every API path below
API_TICKET = "/tickets/{number}"
API_TICKET_COMMENTS = "/tickets/{number}/comments"
API_TICKET_TYPES = "/ticket-types"
API_PROBLEM = "/problems/{slug}"

_HOMES: dict[str, str] = {Role.CLIENT: PORTAL, Role.AGENT: TICKETS, Role.ADMIN: ADMIN}


def home_for(role: str) -> str:
    """Where a user of `role` lands after signing in."""
    return _HOMES.get(role, LOGIN)


def safe_next(path: str | None) -> str | None:
    """`path` when it is a path on this site; None for anything that could lead off-site.

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so "/<tab>/evil.example"
    or "/<backslash>evil.example" would take them to another host: any control or invisible character
    (a plain space aside) and any backslash is refused, as is anything not starting with exactly one "/"
    (which also rules out a scheme or a host).
    """
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    if any(unicodedata.category(char)[0] in "CZ" and char != " " for char in path):
        return None
    return path


def login_url(**params: str) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{LOGIN}?{query}" if query else LOGIN


def tickets_board(**params: str) -> str:
    """The board with its choice and filters in the query (`project`, `type`, `assignee`, `priority`, `q`)."""
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{TICKETS_BOARD}?{query}" if query else TICKETS_BOARD


# A bare /tickets opens on "My open tickets" (services/views.py); every ticket is this explicit address.
TICKETS_ALL = TICKETS + "?view=all"


def ticket_list(query_string: str) -> str:
    """The staff list showing the list query `query_string`; with no filters at all that is every ticket."""
    return f"{TICKETS}?{query_string}" if query_string else TICKETS_ALL


def ticket_page(number: str) -> str:
    """The staff page of a ticket."""
    return f"{TICKETS}/{number}"


def admin_project_webhooks(project_key: str) -> str:
    """A project's webhooks admin page."""
    return ADMIN_PROJECT_WEBHOOKS.replace("[project]", project_key)


def reset_password_url(token: str) -> str:
    """The full link of a password reset mail."""
    return get_settings().app_url + RESET_PASSWORD.format(token=token)


def set_password_url(token: str) -> str:
    """The full link that lets a requester choose their first password."""
    return get_settings().app_url + SET_PASSWORD.format(token=token)


def sign_in_link_url(token: str) -> str:
    """The full link of a one-time sign-in mail."""
    return get_settings().app_url + SIGN_IN_WITH_LINK.format(token=token)


def sign_up_url(token: str) -> str:
    """The full link of a sign-up mail, which confirms the address."""
    return get_settings().app_url + SIGN_UP_CONFIRM.format(token=token)


def invitation_url(token: str) -> str:
    """The full link of an invitation mail."""
    return get_settings().app_url + INVITATION.format(token=token)


def survey_url(token: str, rating: str) -> str:
    """The survey page with `rating` (good or bad) chosen in advance."""
    return f"{SURVEY.format(token=token)}?{urlencode({'rating': rating})}"


def portal_ticket(number: str) -> str:
    """The client portal page of a ticket."""
    return f"{PORTAL_TICKETS}/{number}"


def api_ticket_comments(number: str) -> str:
    """The API path of a ticket's comments."""
    return API_PREFIX + API_TICKET_COMMENTS.format(number=number)


def api_ticket(number: str) -> str:
    """The integration API's URL path of a ticket (its `Location`)."""
    return API_PREFIX + API_TICKET.format(number=number)


def api_problem(slug: str) -> str:
    """The `type` of a problem+json error: a stable path that documents the problem."""
    return API_PREFIX + API_PROBLEM.format(slug=slug)


# Attachments: plain HTTP routes beside the sign-in routes, outside Reflex's public /_upload.
INBOUND_EMAIL = "/inbound/email/{mailbox}"  # a relay posts one raw mail (tickit/api/inbound_mail.py)
INBOUND_ORIGINAL = "/inbound/original/{inbound_id}"  # "show original": the raw mail behind a ticket or comment


def inbound_original(inbound_id: int) -> str:
    return INBOUND_ORIGINAL.format(inbound_id=inbound_id)


def inbound_email(mailbox_key: str) -> str:
    return INBOUND_EMAIL.format(mailbox=mailbox_key)


TICKETS_CSV = "/lists/tickets.csv"  # ?<the ticket list's query string>


def tickets_csv(query_string: str) -> str:
    """The CSV download of the ticket list shown with `query_string`."""
    return f"{TICKETS_CSV}?{query_string}" if query_string else TICKETS_CSV


PROJECT_EXPORT_DOWNLOAD = "/exports/{export_id}/download"  # a project archive, for admins


def project_export_download(export_id: int) -> str:
    return PROJECT_EXPORT_DOWNLOAD.format(export_id=export_id)


ATTACHMENTS_UPLOAD = "/attachments/upload"  # ?ticket=HH-1[&comment=ID]
ATTACHMENTS_STAGE = "/attachments/stage"  # files for a ticket a form is about to file
ATTACHMENT_DOWNLOAD = "/attachments/{attachment_id}/download"
ATTACHMENT_THUMBNAIL = "/attachments/{attachment_id}/thumbnail"


def attachment_download(attachment_id: int) -> str:
    return ATTACHMENT_DOWNLOAD.format(attachment_id=attachment_id)


def attachment_thumbnail(attachment_id: int) -> str:
    return ATTACHMENT_THUMBNAIL.format(attachment_id=attachment_id)


def attachments_upload(number: str, comment_id: int | None = None) -> str:
    """Where the browser posts files for ticket `number` (or for its comment `comment_id`)."""
    params = {"ticket": number, **({"comment": str(comment_id)} if comment_id is not None else {})}
    return f"{ATTACHMENTS_UPLOAD}?{urlencode(params)}"
