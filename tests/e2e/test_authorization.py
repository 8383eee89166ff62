"""Every endpoint called as anonymous, customer, vendor, pending vendor, admin and blocked."""

from __future__ import annotations

import base64
import json
import time

import pytest

from tests.e2e.client import CHECKLIST, User

NOBODY = "00000000-0000-4000-8000-000000000000"
CALLERS = ("anonymous", "customer", "vendor", "pending_vendor", "admin", "blocked")

# (method, path, body) -> expected status per caller, in CALLERS order. Public endpoints get
# a body that fails validation, to show that no role is needed and nothing is changed.
TABLE = [
    ("GET", "/healthz", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/openapi.json", None, (200, 200, 200, 200, 200, 200)),
    ("POST", "/v1/customers", {}, (422, 422, 422, 422, 422, 422)),
    ("POST", "/v1/vendors", {}, (422, 422, 422, 422, 422, 422)),
    ("POST", "/v1/sessions", {}, (422, 422, 422, 422, 422, 422)),
    ("POST", "/v1/sessions:refresh", {}, (422, 422, 422, 422, 422, 422)),
    ("POST", "/v1/password-resets", {}, (422, 422, 422, 422, 422, 422)),
    ("GET", "/v1/email-verification", None, (422, 422, 422, 422, 422, 422)),
    ("GET", "/v1/me", None, (401, 200, 200, 200, 200, 403)),
    ("PATCH", "/v1/vendors/me", {"website": "https://shop.example"},
     (401, 403, 200, 200, 403, 403)),
    ("GET", "/v1/admin/vendors", None, (401, 403, 403, 403, 200, 403)),
    ("POST", f"/v1/admin/vendors/{NOBODY}:verify", {"checklist": CHECKLIST},
     (401, 403, 403, 403, 404, 403)),
    ("POST", f"/v1/admin/vendors/{NOBODY}:reject", {"reason": "not legit"},
     (401, 403, 403, 403, 404, 403)),
    ("POST", f"/v1/admin/accounts/{NOBODY}:block", {"reason": "fraud"},
     (401, 403, 403, 403, 404, 403)),
    ("POST", f"/v1/admin/accounts/{NOBODY}:unblock", {"reason": "fine"},
     (401, 403, 403, 403, 404, 403)),
]
CODES = {401: "unauthenticated", 404: "not_found", 422: "invalid_request"}


@pytest.fixture(scope="module")
def callers(api, admin) -> dict[str, User | None]:
    customer, blocked = api.register("customer"), api.register("customer")
    pending = api.register("vendor")
    vendor = api.register("vendor")
    api.post(f"/v1/admin/vendors/{vendor.id}:verify", headers=admin.auth,
             json={"checklist": CHECKLIST})
    api.post(f"/v1/admin/accounts/{blocked.id}:block", headers=admin.auth, json={"reason": "x" * 5})
    return {"anonymous": None, "customer": customer, "vendor": vendor,
            "pending_vendor": pending, "admin": admin, "blocked": blocked}


def _cases():
    for method, path, body, expected in TABLE:
        for caller, status in zip(CALLERS, expected, strict=True):
            yield pytest.param(method, path, body, caller, status,
                               id=f"{method} {path} as {caller}")


@pytest.mark.parametrize("method,path,body,caller,status", list(_cases()))
def test_endpoint_answers_each_caller(api, callers, method, path, body, caller, status):
    user = callers[caller]
    headers = user.auth if user else {}
    response = api.http.request(method, api.base_url + path, json=body, headers=headers,
                                timeout=30)
    assert response.status_code == status, response.text
    if status >= 400:
        problem = response.json()
        assert response.headers["Content-Type"] == "application/problem+json"
        assert set(problem) >= {"type", "title", "status", "detail", "code"}
        if status == 403:
            expected = "account_blocked" if caller == "blocked" else "forbidden"
            assert problem["code"] == expected
        else:
            assert problem["code"] == CODES[status]


def _unsigned_token(claims: dict) -> str:
    """An `alg: none` token as the Auth emulator issues them."""
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _claims(uid: str, *, issued: int, expires: int) -> dict:
    project = "demo-bazaar"
    return {"iss": f"https://securetoken.google.com/{project}", "aud": project, "sub": uid,
            "user_id": uid, "iat": issued, "exp": expires, "auth_time": issued, "role": "admin"}


@pytest.mark.parametrize("token", [
    pytest.param("garbage", id="garbage"),
    pytest.param("a.b.c", id="three-garbage-parts"),
    pytest.param("x" * 5000, id="over-long"),
    pytest.param(_unsigned_token(_claims(NOBODY, issued=int(time.time()) - 60,
                                         expires=int(time.time()) + 3600)), id="unknown-account"),
])
def test_bad_tokens_are_401(api, token):
    response = api.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_an_expired_token_of_a_real_account_is_401(api, admin):
    now = int(time.time())
    token = _unsigned_token(_claims(admin.id, issued=now - 7200, expires=now - 3600))
    response = api.get("/v1/admin/vendors", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_a_token_claiming_a_role_the_account_does_not_have_is_refused(api, customer):
    now = int(time.time())
    forged = _unsigned_token(_claims(customer.id, issued=now - 10, expires=now + 3600))
    response = api.get("/v1/admin/vendors", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize("scheme", ["Basic abc", "Bearer", "Token abc", ""])
def test_a_malformed_authorization_header_is_401(api, scheme):
    response = api.get("/v1/me", headers={"Authorization": scheme})
    assert response.status_code == 401
