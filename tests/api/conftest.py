"""Fixtures for tests that run the HTTP app against the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tickit import config, db


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """Settings and engine read from the environment this test sets, and forgotten after it."""
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    yield
    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
