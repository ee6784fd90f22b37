"""Errors a service raises; callers turn them into messages, pages or HTTP answers."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every expected failure; `str(error)` is safe to show the user."""


class NotFound(ServiceError):
    """The object does not exist, or the actor may not know it does."""


class Unauthenticated(ServiceError):
    """The caller's credentials are missing, unknown or revoked."""


class PermissionDenied(ServiceError):
    """The actor is known but their role does not allow this."""


class Conflict(ServiceError):
    """Someone else changed the object first."""


class ValidationFailed(ServiceError):
    """Input is wrong; `errors` maps each field name to one message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {message}" for key, message in self.errors.items()))


class RateLimited(ServiceError):
    """Too many attempts; retry after `retry_after` seconds."""

    def __init__(self, retry_after: int, message: str = "Too many attempts", *, then: str = "try again"):
        self.retry_after = max(1, int(retry_after))
        super().__init__(f"{message}; {then} in {_duration(self.retry_after)}.")


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
