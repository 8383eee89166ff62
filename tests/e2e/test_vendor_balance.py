"""GET /v1/vendors/me/balance after a two-vendor order is paid, shipped, delivered and
transferred: every figure a sum over the ledger, payable falling to zero at transfer."""

from __future__ import annotations

import pytest

from tests.e2e.client import CHECKLIST
from tests.integration.ledger.money import paid_order, payment_account, settle
from tests.integration.payments.conftest import act_on_page

pytestmark = pytest.mark.events


def _onboarded_vendor(api, admin, stack):  # noqa: ANN001, ANN202
    vendor = api.register("vendor")
    verified = api.post(f"/v1/admin/vendors/{vendor.id}:verify", headers=admin.auth,
                        json={"checklist": CHECKLIST})
    assert verified.status_code == 200, verified.text
    settle(stack.services["pubsub"])
    link = api.post("/v1/vendors/me/payment-account/onboarding-link", headers=vendor.auth)
    assert link.status_code == 200, link.text
    assert act_on_page(link.json()["url"], "complete").status_code == 303
    return vendor


def _balance(api, vendor) -> dict[str, int]:  # noqa: ANN001
    answer = api.get("/v1/vendors/me/balance", headers=vendor.auth)
    assert answer.status_code == 200, answer.text
    assert {money["currency"] for money in answer.json().values()} == {"EUR"}
    return {name: money["amount"] for name, money in answer.json().items()}


def test_balances_follow_a_two_vendor_order_to_its_transfers(api, admin, stack, customer):
    # Given two onboarded vendors and an order paid through the API for 123.45 and 20.00:
    # 10 % commission, half-even per line, is 12.34 (12.345 rounds to even) and 2.00
    pubsub = stack.services["pubsub"]
    first, second = _onboarded_vendor(api, admin, stack), _onboarded_vendor(api, admin, stack)
    stack.services["stripe"].wait_until_idle(30)
    stack.services["scheduler"].trigger("pay_out_vendors")
    assert payment_account(first.id)["status"] == payment_account(second.id)["status"] == "active"
    paid = paid_order(api, customer, [(first, 12345), (second, 2000)])
    settle(pubsub)

    # Then the money is held for them until delivery
    assert _balance(api, first) == {"sales": 12345, "commission": 1234, "refunds": 0,
                                    "transferred": 0, "payable": 11111}

    # When both ship and the buyer confirms delivery
    for vendor in (first, second):
        shipped = api.post(f"/v1/orders/{paid.order_id}:ship", headers=vendor.auth, json={})
        assert shipped.status_code == 200, shipped.text
    delivered = api.post(f"/v1/orders/{paid.order_id}:deliver", headers=customer.auth, json={})
    assert delivered.status_code == 200, delivered.text
    settle(pubsub)

    # Then each vendor's share reached its account: nothing is payable any more
    assert _balance(api, first) == {"sales": 12345, "commission": 1234, "refunds": 0,
                                    "transferred": 11111, "payable": 0}
    assert _balance(api, second) == {"sales": 2000, "commission": 200, "refunds": 0,
                                     "transferred": 1800, "payable": 0}


def test_a_vendor_without_a_payment_account_gets_no_onboarding_link(api, pending_vendor):
    answer = api.post("/v1/vendors/me/payment-account/onboarding-link",
                      headers=pending_vendor.auth)

    assert (answer.status_code, answer.json()["code"]) == (409, "payment_account_missing")


def test_a_customer_has_no_vendor_balance(api, customer):
    assert api.get("/v1/vendors/me/balance", headers=customer.auth).status_code == 403
