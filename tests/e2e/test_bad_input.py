"""Bad input gets the contract's 4xx problem response and changes nothing."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import unique_email
from tests.e2e.client import BUSINESS, CHECKLIST, PASSWORD


def _account_exists(email: str) -> bool:
    from common import bootstrap

    with bootstrap.unit_of_work() as tx:
        return tx.accounts.by_email(email.lower()) is not None


def _customer(**overrides):
    body = {"name": "Val", "email": unique_email("val"), "password": PASSWORD}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not ...}


REGISTRATIONS = [
    ("missing-name", "/v1/customers", _customer(name=...), "name"),
    ("missing-password", "/v1/customers", _customer(password=...), "password"),
    ("name-wrong-type", "/v1/customers", _customer(name=123), "name"),
    ("name-empty", "/v1/customers", _customer(name="   "), "name"),
    ("name-too-long", "/v1/customers", _customer(name="n" * 101), "name"),
    ("extra-field-role", "/v1/customers", _customer(role="admin"), "role"),
    ("malformed-email", "/v1/customers", _customer(email="not-an-email"), "email"),
    ("email-too-long", "/v1/customers", _customer(email="a" * 250 + "@ex.com"), "email"),
    ("password-short", "/v1/customers", _customer(password="Ab1!"), "body"),
    ("password-no-digit", "/v1/customers", _customer(password="onlyletterspassword"), "body"),
    ("password-too-long", "/v1/customers", _customer(password="Ab1" * 50), "password"),
    ("password-contains-email", "/v1/customers",
     _customer(email="margaret@example.com", password="margaret-1234"), "body"),
    ("vendor-missing-business", "/v1/vendors", _customer(), "business"),
    ("vendor-lowercase-country", "/v1/vendors",
     _customer(business={**BUSINESS, "country": "de"}), "business.country"),
    ("vendor-script-website", "/v1/vendors",
     _customer(business={**BUSINESS, "website": "javascript:alert(1)"}), "business.website"),
    ("vendor-extra-business-field", "/v1/vendors",
     _customer(business={**BUSINESS, "iban": "DE00"}), "business.iban"),
]


@pytest.mark.parametrize("path,body,field", [pytest.param(p, b, f, id=i)
                                             for i, p, b, f in REGISTRATIONS])
def test_invalid_registration_is_422_and_creates_nothing(api, path, body, field):
    response = api.post(path, json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "invalid_request"
    assert field in [error["field"] for error in problem["errors"]]
    assert "Traceback" not in response.text
    if isinstance(body.get("email"), str) and "@" in body["email"]:
        assert not _account_exists(body["email"])


@pytest.mark.parametrize("data,content_type,status,code", [
    pytest.param("{not json", "application/json", 422, "invalid_request", id="malformed-json"),
    pytest.param("[]", "application/json", 422, "invalid_request", id="array-body"),
    pytest.param("name=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type",
                 id="form-body"),
    pytest.param("{" + " " * 70000 + "}", "application/json", 413, "payload_too_large",
                 id="huge-body"),
])
def test_unparseable_bodies_get_a_problem(api, data, content_type, status, code):
    response = api.post("/v1/customers", data=data, headers={"Content-Type": content_type})
    assert response.status_code == status
    assert response.json()["code"] == code


@pytest.mark.parametrize("params,field", [
    ({"page_size": "0"}, "page_size"), ({"page_size": "101"}, "page_size"),
    ({"page_size": "many"}, "page_size"), ({"status": "approved"}, "status"),
    ({"page_token": "bm90LWEtdG9rZW4"}, "page_token"), ({"color": "red"}, "color"),
])
def test_invalid_list_queries_are_422(api, admin, params, field):
    response = api.get("/v1/admin/vendors", headers=admin.auth, params=params)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize("body", [
    pytest.param({"checklist": {"identity": True}}, id="checklist-missing-items"),
    pytest.param({"checklist": {**CHECKLIST, "identity": "yes"}}, id="checklist-not-bool"),
    pytest.param({"checklist": CHECKLIST, "note": "n" * 1001}, id="note-too-long"),
    pytest.param({}, id="empty"),
])
def test_invalid_verification_is_422_and_leaves_the_vendor_pending(api, admin, pending_vendor,
                                                                    body):
    response = api.post(f"/v1/admin/vendors/{pending_vendor.id}:verify", headers=admin.auth,
                        json=body)
    assert response.status_code == 422
    me = api.get("/v1/me", headers=pending_vendor.auth).json()
    assert me["vendor"]["status"] == "pending_verification"


@pytest.mark.parametrize("reason", ["", "no", "r" * 1001, None])
def test_a_rejection_needs_a_sane_reason(api, admin, pending_vendor, reason):
    response = api.post(f"/v1/admin/vendors/{pending_vendor.id}:reject", headers=admin.auth,
                        json={"reason": reason})
    assert response.status_code == 422


@pytest.mark.parametrize("body", [
    pytest.param({}, id="nothing-to-change"),
    pytest.param({"payment_methods": []}, id="no-method"),
    pytest.param({"payment_methods": ["cash"]}, id="unknown-method"),
    pytest.param({"payment_methods": ["card", "card"]}, id="repeated-method"),
    pytest.param({"status": "verified"}, id="self-verification"),
])
def test_invalid_vendor_profile_changes_are_422(api, verified_vendor, body):
    response = api.patch("/v1/vendors/me", headers=verified_vendor.auth, json=body)
    assert response.status_code == 422
    me = api.get("/v1/me", headers=verified_vendor.auth).json()
    assert me["vendor"]["status"] == "verified"
    assert me["vendor"]["payment_methods"] == ["card"]


def test_unknown_paths_and_methods_get_problems(api):
    missing = api.get("/v1/nothing-here")
    wrong_method = api.http.delete(api.base_url + "/v1/me", timeout=30)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")


def test_a_retried_registration_with_the_same_key_replays_the_first_answer(api):
    key = str(uuid.uuid4())
    body = _customer()
    first = api.post("/v1/customers", json=body, headers={"Idempotency-Key": key})
    again = api.post("/v1/customers", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers


def test_the_same_key_with_another_body_is_422(api):
    key = str(uuid.uuid4())
    api.post("/v1/customers", json=_customer(), headers={"Idempotency-Key": key})
    other = _customer()
    response = api.post("/v1/customers", json=other, headers={"Idempotency-Key": key})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert not _account_exists(other["email"])
