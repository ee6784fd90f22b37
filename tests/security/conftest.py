"""The security tests that drive the HTTP app share the API tests' settings fixture."""

from tests.api.conftest import fresh_settings  # noqa: F401
