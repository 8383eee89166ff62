"""Register as Customer / Vendor, email verification, Login and its alternative flows."""

from __future__ import annotations

import pytest

from tests.conftest import unique_email
from tests.e2e.client import BUSINESS, PASSWORD, User, oob_code

pytestmark = pytest.mark.events


def test_customer_registers_verifies_email_and_logs_in(api):
    # Given a new customer
    email = unique_email("ann")
    # When they register
    response = api.post("/v1/customers", json={"name": "Ann", "email": email, "password": PASSWORD})
    # Then the account exists, unverified, and a verification mail is on its way
    assert response.status_code == 201
    body = response.json()
    assert body["role"] == "customer" and body["email_verified"] is False
    assert body["email"] == email
    link = api.verification_link(email)
    # When they follow the link (as a browser does)
    page = api.http.get(link, headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and "verified" in page.text
    # Then they can log in, and their profile says verified
    user = api.login(User(body["id"], email, PASSWORD))
    me = api.get("/v1/me", headers=user.auth)
    assert me.status_code == 200
    assert me.json() == {"id": body["id"], "name": "Ann", "email": email, "role": "customer",
                         "email_verified": True, "vendor": None}


def test_vendor_registers_pending_verification_with_business_details(api):
    email = unique_email("shop")
    response = api.post("/v1/vendors", json={"name": "Sam", "email": email, "password": PASSWORD,
                                             "business": BUSINESS})
    assert response.status_code == 201
    assert response.json()["status"] == "pending_verification"
    assert response.json()["role"] == "vendor"
    user = api.login(User(response.json()["id"], email, PASSWORD))
    vendor = api.get("/v1/me", headers=user.auth).json()["vendor"]
    assert vendor["status"] == "pending_verification"
    assert vendor["business"]["legal_name"] == BUSINESS["legal_name"]
    assert vendor["payment_methods"] == ["card"]


@pytest.mark.parametrize("path", ["/v1/customers", "/v1/vendors"])
def test_registering_a_taken_email_asks_to_log_in_or_reset(api, customer, path):
    body = {"name": "Again", "email": customer.email.upper(), "password": PASSWORD}
    if path == "/v1/vendors":
        body["business"] = BUSINESS
    response = api.post(path, json=body)
    assert response.status_code == 409
    problem = response.json()
    assert response.headers["Content-Type"] == "application/problem+json"
    assert problem["code"] == "email_taken"
    assert "log in" in problem["detail"] and "reset" in problem["detail"]


def test_login_with_unknown_email_asks_to_register(api):
    response = api.post("/v1/sessions", json={"email": unique_email(), "password": PASSWORD})
    assert response.status_code == 404
    assert response.json()["code"] == "email_not_registered"
    assert "register" in response.json()["detail"]


def test_login_with_wrong_password_asks_to_try_again(api, customer):
    response = api.post("/v1/sessions", json={"email": customer.email, "password": "Wrong-pass-1"})
    assert response.status_code == 401
    assert response.json()["code"] == "wrong_password"
    assert "try again" in response.json()["detail"]


def test_repeated_failed_logins_are_throttled_per_email(api):
    user = api.register("customer", login=False, verify=False)
    codes = [api.post("/v1/sessions", json={"email": user.email, "password": "Wrong-pass-1"})
             for _ in range(6)]
    assert [r.status_code for r in codes] == [401] * 5 + [429]
    assert codes[-1].json()["code"] == "too_many_attempts"
    assert 0 < int(codes[-1].headers["Retry-After"]) <= 900
    # The right password is throttled too until the window passes.
    right = api.post("/v1/sessions", json={"email": user.email, "password": PASSWORD})
    assert right.status_code == 429


def test_refresh_gives_a_working_id_token(api, customer):
    response = api.post("/v1/sessions:refresh", json={"refresh_token": customer.refresh_token})
    assert response.status_code == 200
    fresh = response.json()["id_token"]
    me = api.get("/v1/me", headers={"Authorization": f"Bearer {fresh}"})
    assert me.status_code == 200 and me.json()["id"] == customer.id


def test_refresh_with_a_garbage_token_is_401(api):
    response = api.post("/v1/sessions:refresh", json={"refresh_token": "not-a-token"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_refresh_token"


def test_a_used_or_forged_verification_link_is_refused(api):
    response = api.get("/v1/email-verification", params={"oob_code": "forged-code"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_verification_link"


def test_password_reset_is_accepted_for_any_email_and_mails_a_working_link(api, customer):
    unknown = api.post("/v1/password-resets", json={"email": unique_email()})
    known = api.post("/v1/password-resets", json={"email": customer.email})
    assert unknown.status_code == known.status_code == 202
    mail = api.mail.wait_for(customer.email, subject_contains="Reset your", timeout=30)
    code = oob_code(next(link for link in mail.links if "oobCode" in link))
    # The link's page (Firebase's action handler) sets the new password with the code.
    from common import bootstrap

    host = bootstrap.settings().firebase_auth_emulator_host
    reset = api.http.post(
        f"http://{host}/identitytoolkit.googleapis.com/v1/accounts:resetPassword?key=k",
        json={"oobCode": code, "newPassword": "Brand-new-pass-7"}, timeout=30)
    assert reset.status_code == 200, reset.text
    login = api.post("/v1/sessions", json={"email": customer.email, "password": "Brand-new-pass-7"})
    assert login.status_code == 200


def test_each_event_mails_exactly_once(api, pubsub):
    user = api.register("customer", verify=False, login=False)
    api.mail.wait_for(user.email, subject_contains="Confirm your email", timeout=30)
    pubsub.wait_until_idle(timeout=30)
    assert len(api.mail.messages(to=user.email)) == 1
