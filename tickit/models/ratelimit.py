"""Fixed-window counters for rate limits when no Redis is configured."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class RateLimitCounter(SQLModel, table=True):
    __tablename__ = "rate_limit_counters"

    key: str = Field(max_length=200, primary_key=True)
    window_start: int = Field(primary_key=True)  # unix seconds, a multiple of the window
    count: int = Field(default=0)
