"""Who is signed in, and the one way a handler reaches the services.

Reflex runs a plain `def` handler inline on the asyncio loop, so a query there freezes every tab
this worker serves. Handlers that need the database are `async` and go through `SessionState.run`
(or `read` when it only reads, `admit` on a page load): the work runs in a worker thread, in one
transaction, for the user behind the session cookie, checked again on every event (the token
itself stays out of the state: see `socket_session`). A `ServiceError`
comes back as an `Outcome` carrying its toast and its field errors instead of an exception.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

import reflex as rx
from sqlmodel import Session

from tickit import routes
from tickit.db import session_scope
from tickit.models import Role
from tickit.services import access, audit, auth
from tickit.services.actors import UserPublic
from tickit.services.errors import PermissionDenied, ServiceError, ValidationFailed
from tickit.state import socket_session
from tickit.state.arguments import checked

T = TypeVar("T")


def form_errors(exc: ServiceError) -> dict[str, str]:
    """Errors keyed by form field; failures not tied to one field go under "form"."""
    return exc.errors if isinstance(exc, ValidationFailed) else {"form": str(exc)}


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a use case run for a handler came to.

    `ok` with its `value`; otherwise `event` is what the handler returns (a redirect to sign in for
    a signed-out visitor, a toast naming a refusal), `errors` holds a refusal's field errors (or its
    message under "form") for a form to show beside its inputs, and `value` is None.
    """

    result: T | None = None
    event: Any = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.event is None

    @property
    def value(self) -> T:
        """What the use case returned; typed for the `ok` case, which is the only one that has it."""
        return cast(T, self.result)


# Handler work gets threads of its own: asyncio's default executor has min(32, cores + 4), six on a
# two-core host, and a few slow searches there would leave every other tab's events queued. Twelve
# stays below the 15 connections of the SQLite pool (SQLAlchemy's default size and overflow), so a
# handler thread does not wait for a connection either.
HANDLER_THREADS = 12
_handler_threads = ThreadPoolExecutor(max_workers=HANDLER_THREADS, thread_name_prefix="tickit-handler")

UseCase = Callable[[Session, UserPublic], T]


async def _in_handler_thread(work: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_handler_threads, functools.partial(work, *args))


def _resolve_and_run(token: str | None, use_case: UseCase[T]) -> tuple[UserPublic | None, T | None]:
    """In a worker thread: the actor behind `token`, then the use case in the same transaction."""
    with session_scope() as session:
        actor = auth.resolve_session(session=session, token=token)
        return (actor, use_case(session, actor)) if actor is not None else (None, None)


def _check_and_read(token: str | None, use_case: UseCase[T]) -> tuple[UserPublic | None, T | None]:
    """In a worker thread: the actor behind `token`, then the use case, in one read-only transaction.

    The session's rare bookkeeping write (see `auth.check_session`) follows in a short write
    transaction of its own: a read-only one cannot write, and should not wait for the write lock.
    """
    with session_scope(read_only=True) as session:
        check = auth.check_session(session=session, token=token)
        value = use_case(session, check.actor) if check.actor is not None else None
    if check.write_due:
        with session_scope() as session:
            auth.resolve_session(session=session, token=token)
    return check.actor, value


def _refused(exc: ServiceError) -> Outcome[Any]:
    return Outcome(event=rx.toast.error(str(exc)), errors=form_errors(exc))


# Who may open a project's settings pages: staff; the services then admit only the project's admins
# (and global admins), and `admit_and_read` refuses the page to anyone else.
PROJECT_SETTINGS_ROLES = (Role.AGENT, Role.ADMIN)


def _configures_projects(session: Session, actor: UserPublic) -> bool:
    # Admins reach every project through the admin tree; an agent sees "Project settings" when they configure one.
    return actor.role == Role.AGENT and bool(access.configured_projects(session, actor))


def _read_public(use_case: Callable[[Session], T]) -> T:
    """In a worker thread: a read that needs no signed-in user, in a read-only transaction."""
    with session_scope(read_only=True) as session:
        return use_case(session)


def _nothing(_session: Session, _actor: UserPublic) -> None:
    return None


class SessionState(rx.State):
    """The signed-in user as the layout shows them, and whether this page admits them."""

    user_name: str = ""
    user_email: str = ""
    user_role: str = ""
    # pending until the page's load handler has checked; then allowed or denied.
    access: str = "pending"
    configures_projects: bool = False  # an agent who is a project admin somewhere (the sidebar links their settings)

    @classmethod
    def _create_event_handler(cls, fn: Any, *args: Any, **kwargs: Any):
        # Every handler a page state defines (or takes from a mixin such as CommentThread) is
        # called with what a browser sent: gate it (see state/arguments.py). This class's own
        # methods are helpers the handlers call, never sent from a page.
        if cls.__qualname__ != "SessionState" or cls.__module__ != __name__:
            fn = checked(fn)
        return super()._create_event_handler(fn, *args, **kwargs)

    # Reflex refuses a method that shadows one of its own unless it is marked as meant to.
    setattr(_create_event_handler.__func__, "__override_base_method__", True)  # noqa: B010

    def session_token(self) -> str | None:
        """This tab's session token, found afresh for each event: the state never holds it (see `socket_session`)."""
        return socket_session.session_token(self.router.headers.cookie)

    async def actor(self) -> UserPublic | None:
        """The user behind this browser's session cookie, checked against the database now."""
        actor, _ = await _in_handler_thread(_check_and_read, self.session_token(), lambda _session, _actor: None)
        return actor

    async def admit(self, *roles: str) -> UserPublic | None:
        """Resolve the actor for a page load; record whether `roles` may see the page.

        Returns the actor when admitted. Otherwise returns None, and the caller should
        return `self.refusal()`, so no page data is loaded for them.
        """
        actor, configures = await _in_handler_thread(_check_and_read, self.session_token(), _configures_projects)
        self.configures_projects = bool(configures)
        return self._admitted(actor, roles)

    async def admit_and_read(self, roles: tuple[str, ...], use_case: UseCase[T]) -> Outcome[T] | None:
        """`admit(*roles)`, then `read(use_case)` for the admitted user, in one trip to a worker thread.

        None when not admitted: the caller returns `self.refusal()`, as after `admit`. A use case
        that refuses the user (PermissionDenied: a project page an agent does not configure) makes
        the page refused too, so the role alone never decides who sees a page.
        """

        def admitted_read(session: Session, actor: UserPublic) -> tuple[T | ServiceError | None, bool]:
            configures = _configures_projects(session, actor)
            if actor.role not in roles:
                return None, configures
            try:
                return use_case(session, actor), configures
            except ServiceError as exc:  # the admission stands; the page shows the refusal
                return exc, configures

        actor, read = await _in_handler_thread(_check_and_read, self.session_token(), admitted_read)
        value, configures = read if read is not None else (None, False)
        self.configures_projects = configures
        if self._admitted(actor, roles) is None:
            return None
        if isinstance(value, PermissionDenied):
            self.access = "denied"
            return None
        if isinstance(value, ServiceError):
            return _refused(value)
        return Outcome(result=value)

    def _admitted(self, actor: UserPublic | None, roles: tuple[str, ...]) -> UserPublic | None:
        self.user_name = actor.name if actor else ""
        self.user_email = actor.email if actor else ""
        self.user_role = actor.role if actor else ""
        self.access = "allowed" if actor and actor.role in roles else "denied"
        return actor if self.access == "allowed" else None

    async def run(self, use_case: UseCase[T]) -> Outcome[T]:
        """Run `use_case(session, actor)` for the signed-in user in a worker thread, in one transaction.

        The transaction commits when the use case returns and rolls back when it raises. A signed-out
        (or deactivated) visitor gets an outcome that redirects to sign in; a `ServiceError` an
        outcome with its toast and field errors.
        """
        return await self._outcome(_resolve_and_run, use_case)

    async def read(self, use_case: UseCase[T]) -> Outcome[T]:
        """Like `run`, for a use case that only reads: its transaction is read-only.

        On SQLite it does not take the write lock, so a slow read (a search, a board) holds up no one
        else's writes; a write in it fails.
        """
        return await self._outcome(_check_and_read, use_case)

    async def read_public(self, use_case: Callable[[Session], T]) -> T:
        """Run `use_case(session)`, a read for anyone (what a public page shows), in a worker thread."""
        return await _in_handler_thread(_read_public, use_case)

    async def _outcome(
        self, work: Callable[[str | None, UseCase[T]], tuple[Any, T | None]], use_case: UseCase[T]
    ) -> Outcome[T]:
        address = self.router.session.client_ip

        def at_address(session: Session, actor: UserPublic) -> T:
            # Set inside the worker thread: audit entries the use case records carry this browser's address.
            with audit.from_address(address):
                return use_case(session, actor)

        try:
            actor, value = await _in_handler_thread(work, self.session_token(), at_address)
        except ServiceError as exc:
            return _refused(exc)
        if actor is None:
            return Outcome(event=rx.redirect(routes.login_url(next=self.router.url.path), replace=True))
        return Outcome(result=value)

    def refusal(self):
        """Signed-out visitors go to the sign-in page and come back afterwards."""
        if not self.user_role:
            return rx.redirect(routes.login_url(next=self.router.url.path), replace=True)
        return None

    @rx.var
    def home_path(self) -> str:
        return routes.home_for(self.user_role)

    @rx.var
    def initials(self) -> str:
        parts = self.user_name.split()
        return "".join(p[0] for p in parts[:2]).upper() or "?"
