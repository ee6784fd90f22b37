"""Fixed-window counters for rate limits when no Redis is configured."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class RateLimitCounter(SQLModel, table=True):
    __tablename__ = "rate_limit_counters"

    key: str = Field(max_length=200, primary_key=True)
    window_start: int = Field(primary_key=True)  # unix seconds, a multiple of the window
    count: int = Field(default=0)


class SignInThrottle(SQLModel, table=True):
    """Failed sign-ins of one (account, address) pair or one address, when no Redis is configured."""

    __tablename__ = "sign_in_throttles"

    key: str = Field(max_length=100, primary_key=True)  # holds a hash, never the email or address itself
    failures: int = Field(default=0)
    blocked_until: float = Field(default=0)  # unix seconds before which no attempt is checked
    forget_at: float = Field(default=0, index=True)  # unix seconds after which the failures no longer count
