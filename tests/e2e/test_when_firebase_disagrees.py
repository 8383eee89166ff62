"""Firebase Auth holding what our database does not expect: answers stay 4xx or 200, never 500."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.conftest import unique_email
from tests.e2e.client import PASSWORD


def _admin_app():  # noqa: ANN202
    from common import bootstrap

    return bootstrap.identity()._app


def _emulator_sign_in(email: str) -> dict:
    from common import bootstrap

    host = bootstrap.settings().firebase_auth_emulator_host
    response = requests.post(
        f"http://{host}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=k",
        json={"email": email, "password": PASSWORD, "returnSecureToken": True}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def foreign_user() -> dict:
    """Tokens of a Firebase user whose uid is not a UUID (not made by our registration)."""
    from firebase_admin import auth

    uid, email = f"abc-{uuid.uuid4().hex[:8]}", unique_email("foreign")
    auth.create_user(uid=uid, email=email, password=PASSWORD, app=_admin_app())
    auth.set_custom_user_claims(uid, {"role": "customer"}, app=_admin_app())
    return _emulator_sign_in(email)


def test_an_id_token_for_a_non_uuid_uid_is_401(api, foreign_user):
    response = api.get("/v1/me", headers={"Authorization": f"Bearer {foreign_user['idToken']}"})
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


def test_refreshing_a_token_of_a_non_uuid_uid_is_401(api, foreign_user):
    response = api.post("/v1/sessions:refresh",
                        json={"refresh_token": foreign_user["refreshToken"]})
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


@pytest.mark.events
def test_blocking_an_account_whose_firebase_user_is_gone_answers_200(api, admin, customer):
    from firebase_admin import auth

    # Given a customer whose Firebase user has gone (Firebase will refuse to disable it)
    auth.delete_user(customer.id, app=_admin_app())
    # When an admin blocks and then unblocks the account
    path = f"/v1/admin/accounts/{customer.id}"
    blocked = api.post(f"{path}:block", headers=admin.auth, json={"reason": "fraud check"})
    me = api.get("/v1/me", headers=customer.auth)
    unblocked = api.post(f"{path}:unblock", headers=admin.auth, json={"reason": "cleared"})
    # Then both committed changes answer 200, and the block took effect at once
    assert (blocked.status_code, blocked.json()) == (200, {"id": customer.id, "state": "blocked"})
    assert (me.status_code, me.json()["code"]) == (403, "account_blocked")
    assert (unblocked.status_code, unblocked.json()["state"]) == (200, "active")
