"""The e2e fixtures (API client, admin, verified vendors, customers) for the refund tests."""

from tests.e2e.conftest import admin, api, customer, verified_vendor  # noqa: F401
