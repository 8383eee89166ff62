"""Vendor Verification (verify with the checklist, reject with a reason) and account blocking."""

from __future__ import annotations

import pytest

from tests.e2e.client import CHECKLIST, PASSWORD, User

pytestmark = pytest.mark.events


def test_admin_lists_pending_vendors_oldest_first_in_pages(api, admin):
    vendors = [api.register("vendor", login=False) for _ in range(3)]
    seen, token = [], None
    while True:
        params = {"status": "pending_verification", "page_size": 2}
        if token:
            params["page_token"] = token
        page = api.get("/v1/admin/vendors", headers=admin.auth, params=params)
        assert page.status_code == 200
        seen += [item["id"] for item in page.json()["items"]]
        token = page.json()["next_page_token"]
        if token is None:
            break
    mine = [vendor.id for vendor in vendors]
    assert [vendor_id for vendor_id in seen if vendor_id in mine] == mine
    assert len(seen) == len(set(seen))


def test_admin_verifies_a_vendor_with_the_full_checklist_and_the_vendor_is_told(api, admin,
                                                                                pending_vendor):
    response = api.post(f"/v1/admin/vendors/{pending_vendor.id}:verify", headers=admin.auth,
                        json={"checklist": CHECKLIST, "note": "documents checked"})
    assert response.status_code == 200
    assert response.json()["status"] == "verified"
    mail = api.mail.wait_for(pending_vendor.email, subject_contains="verified", timeout=30)
    assert "list products" in mail.text
    me = api.get("/v1/me", headers=pending_vendor.auth).json()
    assert me["vendor"]["status"] == "verified"


def test_an_incomplete_checklist_verifies_nothing(api, admin, pending_vendor):
    response = api.post(f"/v1/admin/vendors/{pending_vendor.id}:verify", headers=admin.auth,
                        json={"checklist": {**CHECKLIST, "bank_account": False}})
    assert response.status_code == 422
    assert response.json()["code"] == "checklist_incomplete"
    assert response.json()["missing"] == ["bank_account"]
    me = api.get("/v1/me", headers=pending_vendor.auth).json()
    assert me["vendor"]["status"] == "pending_verification"


def test_admin_rejects_a_vendor_with_a_reason_that_is_mailed(api, admin, pending_vendor):
    reason = "The registration number does not match the trade register."
    response = api.post(f"/v1/admin/vendors/{pending_vendor.id}:reject", headers=admin.auth,
                        json={"reason": reason})
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    mail = api.mail.wait_for(pending_vendor.email, subject_contains="vendor application",
                             timeout=30)
    assert reason in mail.text
    me = api.get("/v1/me", headers=pending_vendor.auth).json()
    assert me["vendor"]["status"] == "rejected"
    assert me["vendor"]["rejection_reason"] == reason


@pytest.mark.parametrize("action", [":verify", ":reject"])
def test_a_reviewed_vendor_cannot_be_reviewed_again(api, admin, verified_vendor, action):
    body = {"checklist": CHECKLIST} if action == ":verify" else {"reason": "second thoughts"}
    response = api.post(f"/v1/admin/vendors/{verified_vendor.id}{action}", headers=admin.auth,
                        json=body)
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"


def test_reviewing_a_customer_or_unknown_id_is_404(api, admin, customer):
    for vendor_id in (customer.id, "00000000-0000-4000-8000-000000000000", "not-a-uuid"):
        response = api.post(f"/v1/admin/vendors/{vendor_id}:verify", headers=admin.auth,
                            json={"checklist": CHECKLIST})
        assert response.status_code == 404, vendor_id


def test_a_blocked_account_is_refused_at_once_even_with_an_earlier_token(api, admin, customer):
    # Given a signed-in customer holding an ID token and a refresh token
    assert api.get("/v1/me", headers=customer.auth).status_code == 200
    # When an admin blocks the account
    blocked = api.post(f"/v1/admin/accounts/{customer.id}:block", headers=admin.auth,
                       json={"reason": "chargeback fraud"})
    assert blocked.status_code == 200 and blocked.json()["state"] == "blocked"
    # Then the old token, a refresh and a new login are all refused
    for response in (
        api.get("/v1/me", headers=customer.auth),
        api.post("/v1/sessions:refresh", json={"refresh_token": customer.refresh_token}),
        api.post("/v1/sessions", json={"email": customer.email, "password": PASSWORD}),
    ):
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "account_blocked"
    # When the admin unblocks it, the customer can log in again
    unblocked = api.post(f"/v1/admin/accounts/{customer.id}:unblock", headers=admin.auth,
                         json={"reason": "resolved with the bank"})
    assert unblocked.status_code == 200 and unblocked.json()["state"] == "active"
    again = api.login(User(customer.id, customer.email, PASSWORD))
    assert api.get("/v1/me", headers=again.auth).status_code == 200


def test_blocking_disables_the_firebase_user_and_unblocking_enables_it(api, admin, customer,
                                                                       pubsub):
    from firebase_admin import auth

    from common import bootstrap

    api.post(f"/v1/admin/accounts/{customer.id}:block", headers=admin.auth, json={"reason": "spam"})
    pubsub.wait_until_idle(timeout=30)
    app = bootstrap.identity()._app
    assert auth.get_user(customer.id, app=app).disabled is True
    api.post(f"/v1/admin/accounts/{customer.id}:unblock", headers=admin.auth,
             json={"reason": "appeal granted"})
    pubsub.wait_until_idle(timeout=30)
    assert auth.get_user(customer.id, app=app).disabled is False


def test_a_late_blocked_delivery_after_an_unblock_leaves_the_user_enabled(api, admin, customer,
                                                                          pubsub):
    from firebase_admin import auth

    from common import bootstrap
    from common.services.account_blocking import sync_firebase_state

    api.post(f"/v1/admin/accounts/{customer.id}:block", headers=admin.auth, json={"reason": "spam"})
    api.post(f"/v1/admin/accounts/{customer.id}:unblock", headers=admin.auth,
             json={"reason": "appeal granted"})
    pubsub.wait_until_idle(timeout=30)
    # When the `account.blocked` event is handled again, late and out of order
    with bootstrap.unit_of_work() as tx:
        sync_firebase_state(customer.id, tx, identity=bootstrap.identity())
        tx.commit()
    # Then Firebase follows the committed state, not the event
    assert auth.get_user(customer.id, app=bootstrap.identity()._app).disabled is False
    assert api.login(customer).id_token


def test_blocking_twice_or_unblocking_an_active_account_is_409(api, admin, customer):
    first = api.post(f"/v1/admin/accounts/{customer.id}:block", headers=admin.auth,
                     json={"reason": "spam"})
    second = api.post(f"/v1/admin/accounts/{customer.id}:block", headers=admin.auth,
                      json={"reason": "spam"})
    assert (first.status_code, second.status_code) == (200, 409)
    api.post(f"/v1/admin/accounts/{customer.id}:unblock", headers=admin.auth,
             json={"reason": "ok now"})
    third = api.post(f"/v1/admin/accounts/{customer.id}:unblock", headers=admin.auth,
                     json={"reason": "again"})
    assert third.status_code == 409 and third.json()["code"] == "invalid_state"


def test_an_admin_cannot_block_an_admin(api, admin):
    from tests.e2e.conftest import make_admin

    other = make_admin(api)
    response = api.post(f"/v1/admin/accounts/{other.id}:block", headers=admin.auth,
                        json={"reason": "power struggle"})
    assert response.status_code == 409


def test_vendor_updates_its_payment_methods(api, verified_vendor):
    response = api.patch("/v1/vendors/me", headers=verified_vendor.auth,
                         json={"payment_methods": ["card", "paypal", "bank_transfer"]})
    assert response.status_code == 200
    assert response.json()["vendor"]["payment_methods"] == ["card", "paypal", "bank_transfer"]
