"""The fraud cases' integration tests use the session stack and the e2e tests' users."""

from tests.e2e.conftest import admin, api, customer, verified_vendor  # noqa: F401
