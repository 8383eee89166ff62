"""The e2e fixtures (API client, admin) for the chat moderation tests."""

from tests.e2e.conftest import admin, api  # noqa: F401
