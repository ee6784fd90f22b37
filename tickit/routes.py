"""Every route path and URL builder, in one place."""

from __future__ import annotations

from urllib.parse import urlencode

from tickit.models import Role

LOGIN = "/login"
HOME = "/"
PORTAL = "/portal"
PORTAL_NEW_TICKET = "/portal/new"
TICKETS = "/tickets"
TICKETS_NEW = "/tickets/new"
ADMIN = "/admin"
ADMIN_USERS = "/admin/users"
ADMIN_PROJECTS = "/admin/projects"
PROFILE = "/profile"
ADMIN_PROJECT_WORKFLOW = "/admin/projects/[project]"

AUTH_LOGIN = "/auth/login"
AUTH_LOGOUT = "/auth/logout"
GOOGLE_LOGIN = "/auth/google/login"
GOOGLE_CALLBACK = "/auth/google/callback"

_HOMES = {Role.CLIENT: PORTAL, Role.AGENT: TICKETS, Role.ADMIN: ADMIN}


def home_for(role: str) -> str:
    """Where a user of `role` lands after signing in."""
    return _HOMES.get(role, LOGIN)


def safe_next(path: str | None) -> str | None:
    """`path` when it is a local path; None for anything that could lead off-site."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    return path


def login_url(**params: str) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{LOGIN}?{query}" if query else LOGIN
