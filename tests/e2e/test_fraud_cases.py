"""Fraud cases end to end: a case the detector opens blocks the account through the admin
block path (tokens refused at once) and the blocked buyer's paid, unshipped order is
refunded through the payment saga; admins list cases and resolve each once (clearing
unblocks); six resolutions at once make one; bad input is a 4xx that changes nothing."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from common import bootstrap, clock
from common.domain.fraud import CaseDraft
from common.domain.fraud_cases import FRAUD_DETECTOR_ID
from common.services.fraud_cases import open_case
from tests.integration.refunds.orders import events, eventually, paid_order, place, product, stock

CASES = "/v1/admin/fraud-cases"


def opened_case(account_id: str, action: str = "account_blocked") -> str:
    """The worker's finding, opened as it does: the case and fraud.case_opened in one
    transaction (published through the outbox)."""
    draft = CaseDraft("registration", f"device-{uuid.uuid4()}", account_id, 0.97,
                      ("4 accounts on this device in 1 h",), "rules-1", action,  # type: ignore[arg-type]
                      {"accounts_on_device": 4})
    from common.adapters.postgres_fraud_cases import FraudCasesUnitOfWork

    with FraudCasesUnitOfWork(bootstrap.engine(), bootstrap.relay()) as tx:
        case_id = open_case(tx.fraud_cases, tx.record, draft, clock.now())
        tx.commit()
    assert case_id is not None
    return case_id


def order_status(order_id: str) -> str:
    with bootstrap.engine().connect() as db:
        return db.execute(text("SELECT status FROM orders WHERE id = :id"),
                          {"id": order_id}).scalar_one()


def listed(api, admin, case_id: str, **query) -> dict | None:  # noqa: ANN001
    response = api.get(CASES, headers=admin.auth, params={"page_size": 100, **query})
    assert response.status_code == 200, response.text
    return next((item for item in response.json()["items"] if item["id"] == case_id), None)


@pytest.mark.events
def test_a_block_case_blocks_the_buyer_refunds_the_unshipped_order_and_clearing_unblocks(
        api, admin, customer, verified_vendor):
    # Given a customer with a paid order not shipped yet
    lamp = product(api, verified_vendor, price=2500)
    paid = paid_order(api, customer, [(lamp, 1)])

    # When the detector opens a case that blocks them
    case_id = opened_case(customer.id)

    # Then the account is blocked as the fraud-detector (tokens refused at once) and the
    # order refunded through the payment saga
    me = eventually(lambda: api.get("/v1/me", headers=customer.auth),
                    lambda r: r.status_code == 403)
    assert me.json()["code"] == "account_blocked"
    assert eventually(lambda: order_status(paid["id"]), lambda s: s == "refunded") == "refunded"
    with bootstrap.engine().connect() as db:
        assert db.execute(text(
            "SELECT admin_id, reason FROM admin_actions WHERE action = 'account.block' "
            "AND target_id = :id"), {"id": customer.id}).all() == [
            (uuid.UUID(FRAUD_DETECTOR_ID), "fraud")]
    case = listed(api, admin, case_id, status="open", kind="registration")
    assert case is not None
    assert {k: case[k] for k in ("account_id", "action", "score", "reasons", "model_version",
                                 "evidence", "status", "resolved_at")} == {
        "account_id": customer.id, "action": "account_blocked", "score": 0.97,
        "reasons": ["4 accounts on this device in 1 h"], "model_version": "rules-1",
        "evidence": {"accounts_on_device": 4}, "status": "open", "resolved_at": None}

    # When an admin clears the case, then tries again
    cleared = api.post(f"{CASES}/{case_id}:resolve", headers=admin.auth,
                       json={"resolution": "cleared", "note": "shared family tablet"})
    again = api.post(f"{CASES}/{case_id}:resolve", headers=admin.auth,
                     json={"resolution": "confirmed"})

    # Then the account works again, the label is kept, and the second answer is 409
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["status"], cleared.json()["resolution_note"]) == (
        "cleared", "shared family tablet")
    assert api.get("/v1/me", headers=customer.auth).status_code == 200
    assert again.status_code == 409 and again.json()["code"] == "case_already_resolved"
    assert listed(api, admin, case_id, status="cleared")["status"] == "cleared"


@pytest.mark.events
def test_any_block_cancels_the_buyer_s_unpaid_order_once_and_releases_its_stock(
        api, admin, customer, verified_vendor):
    # Given an order waiting for 3-D Secure (stock reserved)
    lamp = product(api, verified_vendor, price=2500, stock=5)
    placed = place(api, customer, [(lamp, 2)], card="pm_card_threeDSecure2Required")
    assert placed["status"] == "pending_payment" and stock(lamp) == 3

    # When an admin blocks the buyer for another reason than fraud
    blocked = api.post(f"/v1/admin/accounts/{customer.id}:block", headers=admin.auth,
                       json={"reason": "abusive messages"})

    # Then the order is cancelled, its payment voided and the stock back, once
    assert blocked.status_code == 200, blocked.text
    assert eventually(lambda: order_status(placed["id"]), lambda s: s == "cancelled") == (
        "cancelled")
    assert stock(lamp) == 5
    assert len(events(placed["id"], "order.cancelled")) == 1


def test_six_admins_resolving_at_once_get_one_200_and_five_409(api, admin, customer):
    case_id = opened_case(customer.id, action="none")

    def resolve(_: int) -> int:
        return api.post(f"{CASES}/{case_id}:resolve", headers=admin.auth,
                        json={"resolution": "cleared"}).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(resolve, range(6)))

    assert statuses == [200, 409, 409, 409, 409, 409]


@pytest.mark.parametrize("body,field", [
    ({"resolution": "maybe"}, "resolution"),
    ({}, "resolution"),
    ({"resolution": "cleared", "note": "x" * 501}, "note"),
    ({"resolution": "cleared", "note": "bad\u0000note"}, "note"),
    ({"resolution": "cleared", "extra": 1}, "extra"),
], ids=["unknown-resolution", "missing", "note-too-long", "control-character", "unknown-field"])
def test_a_bad_resolution_is_422_and_leaves_the_case_open(api, admin, customer, body, field):
    case_id = opened_case(customer.id, action="none")

    response = api.post(f"{CASES}/{case_id}:resolve", headers=admin.auth, json=body)

    assert response.status_code == 422, response.text
    assert field in {error["field"] for error in response.json()["errors"]}
    assert listed(api, admin, case_id, status="open")["status"] == "open"


@pytest.mark.parametrize("case_id", ["not-a-uuid", str(uuid.uuid4())], ids=["malformed", "unknown"])
def test_resolving_no_case_is_404(api, admin, case_id):
    response = api.post(f"{CASES}/{case_id}:resolve", headers=admin.auth,
                        json={"resolution": "cleared"})

    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("query", [{"status": "pending"}, {"kind": "refund"},
                                   {"page_size": 0}, {"page_token": "forged.token"}],
                         ids=["status", "kind", "page-size", "token"])
def test_a_bad_list_query_is_422(api, admin, query):
    assert api.get(CASES, headers=admin.auth, params=query).status_code == 422


def test_only_admins_see_or_resolve_cases(api, customer):
    case_id = opened_case(customer.id, action="none")

    listing = api.get(CASES, headers=customer.auth)
    resolving = api.post(f"{CASES}/{case_id}:resolve", headers=customer.auth,
                         json={"resolution": "cleared"})
    anonymous = api.get(CASES)

    assert (listing.status_code, resolving.status_code, anonymous.status_code) == (403, 403, 401)
