"""Fixtures of the end-to-end tests: an API client and signed-in users of each kind."""

from __future__ import annotations

import pytest

from tests.conftest import unique_email
from tests.e2e.client import CHECKLIST, PASSWORD, Api, User


@pytest.fixture(scope="session")
def api(stack, mail) -> Api:
    return Api(stack.base_url, mail)


def make_admin(api: Api) -> User:
    """Admins are not self-registered: they are created with the use case (as an operator would)."""
    from common import bootstrap
    from common.domain.identity import Role
    from common.services.registration import NewAccount, register

    email = unique_email("admin")
    account = register(NewAccount("Test admin", email, PASSWORD, Role.ADMIN),
                       bootstrap.unit_of_work, bootstrap.identity(), email_verified=True)
    return api.login(User(account.id, email, PASSWORD))


@pytest.fixture(scope="session")
def admin(api) -> User:
    return make_admin(api)


@pytest.fixture
def customer(api) -> User:
    return api.register("customer")


@pytest.fixture
def pending_vendor(api) -> User:
    return api.register("vendor")


@pytest.fixture
def verified_vendor(api, admin) -> User:
    vendor = api.register("vendor")
    response = api.post(f"/v1/admin/vendors/{vendor.id}:verify", headers=admin.auth,
                        json={"checklist": CHECKLIST})
    assert response.status_code == 200, response.text
    return vendor


@pytest.fixture
def advance_clock(stack):
    """`advance_clock(seconds)` moves every function's "now" (common/clock.py) forward; the
    clock goes back to where it was when the test ends."""
    from common import clock

    path = stack.env["BAZAAR_CLOCK_OFFSET_FILE"]
    start = clock.offset_seconds()

    def advance(seconds: float) -> None:
        clock.write_offset(path, clock.offset_seconds() + seconds)

    yield advance
    clock.write_offset(path, start)
