"""The money consumers on the real Pub/Sub stand-in and the Stripe twin: a connected account
per verified vendor, the sale journal, the transfer after delivery, its reversal after a
refund, and a vendor paid once its onboarding is complete."""

from __future__ import annotations

import uuid

import pytest
import stripe

from common.domain.events import OrderPartDelivered, OrderRefunded, RefundedPart, VendorVerified
from tests.integration.ledger.money import (
    eventually,
    journals,
    paid_order,
    payment_account,
    publish,
    settle,
    transfer_row,
)
from tests.integration.payments.conftest import act_on_page

pytestmark = pytest.mark.events


def _account_of(vendor_id: str) -> dict:
    account = eventually(lambda: payment_account(vendor_id), lambda found: found is not None)
    assert account is not None, "no connected account was opened"
    return account


def _onboard(api, stack, vendor) -> None:  # noqa: ANN001
    """The vendor completes the twin's onboarding page; the payout sweep then sees it."""
    _account_of(vendor.id)
    link = api.post("/v1/vendors/me/payment-account/onboarding-link", headers=vendor.auth)
    assert link.status_code == 200, link.text
    assert act_on_page(link.json()["url"], "complete").status_code == 303
    stack.services["stripe"].wait_until_idle(30)
    stack.services["scheduler"].trigger("pay_out_vendors")
    assert payment_account(vendor.id)["status"] == "active"


def test_a_verified_vendor_gets_one_connected_account_even_when_verified_twice(
        stack, pubsub, verified_vendor):
    first = _account_of(verified_vendor.id)

    # When vendor.verified comes again (a new event for the same vendor)
    publish(VendorVerified(vendor_id=verified_vendor.id))
    settle(pubsub)

    # Then it is the same account, onboarding, and the twin holds exactly one for the vendor
    assert payment_account(verified_vendor.id) == first
    assert first["status"] == "onboarding"
    twin = stack.services["stripe"]
    sdk = stripe.StripeClient(twin.secret_key, base_addresses={"api": twin.base_url})
    mine = [account.id for account in sdk.v1.accounts.list({"limit": 100}).auto_paging_iter()
            if (account.to_dict().get("metadata") or {}).get("vendor_id") == verified_vendor.id]
    assert mine == [first["provider_account_ref"]]


def test_a_delivered_part_is_transferred_and_a_later_refund_reverses_the_vendors_share(
        api, stack, pubsub, verified_vendor, customer):
    # Given an onboarded vendor and a paid order of 100.00 with 10.00 commission
    _onboard(api, stack, verified_vendor)
    paid = paid_order(api, customer, [(verified_vendor, 10000)])
    part = paid.parts[0]
    settle(pubsub)
    assert part.commission == 1000
    assert transfer_row(part.part_id)["status"] == "held"

    # When the part is delivered
    publish(OrderPartDelivered(order_id=paid.order_id, part_id=part.part_id,
                               vendor_id=verified_vendor.id))
    settle(pubsub)

    # Then 90.00 went to the vendor's account, journalled
    made = transfer_row(part.part_id)
    assert (made["status"], made["amount"]) == ("made", 9000)
    assert journals(paid.order_id) == {f"sale:{paid.order_id}": 0,
                                       f"transfer:{part.part_id}": 0}

    # When 25.00 is refunded (2.50 commission returned)
    refund_id = str(uuid.uuid4())
    publish(OrderRefunded(order_id=paid.order_id, refund_id=refund_id, amount=2500, parts=(
        RefundedPart(part.part_id, verified_vendor.id, 2500, 250),)))
    settle(pubsub)

    # Then the vendor's 22.50 share is reversed at the provider and in the ledger
    after = transfer_row(part.part_id)
    assert (after["status"], after["amount_reversed"]) == ("partially_reversed", 2250)
    assert set(journals(paid.order_id)) == {
        f"sale:{paid.order_id}", f"transfer:{part.part_id}", f"refund:{refund_id}",
        f"reversal:{refund_id}:{part.part_id}"}
    balance = api.get("/v1/vendors/me/balance", headers=verified_vendor.auth).json()
    assert {k: v["amount"] for k, v in balance.items()} == {
        "sales": 10000, "commission": 750, "refunds": 2500, "transferred": 6750, "payable": 0}


def test_a_vendor_not_onboarded_keeps_its_money_payable_until_onboarding_completes(
        api, stack, pubsub, verified_vendor, customer):
    # Given a vendor whose connected account is still onboarding, and its delivered part
    _account_of(verified_vendor.id)
    paid = paid_order(api, customer, [(verified_vendor, 4000)])
    part = paid.parts[0]
    settle(pubsub)
    publish(OrderPartDelivered(order_id=paid.order_id, part_id=part.part_id,
                               vendor_id=verified_vendor.id))
    settle(pubsub)
    stack.services["scheduler"].trigger("pay_out_vendors")

    # Then nothing is transferred: 36.00 is payable
    assert transfer_row(part.part_id)["status"] == "pending"
    balance = api.get("/v1/vendors/me/balance", headers=verified_vendor.auth).json()
    assert (balance["payable"]["amount"], balance["transferred"]["amount"]) == (3600, 0)

    # When the vendor completes onboarding and the payout sweep runs
    _onboard(api, stack, verified_vendor)
    stack.services["scheduler"].trigger("pay_out_vendors")

    # Then the 36.00 is transferred, once
    assert (transfer_row(part.part_id)["status"], transfer_row(part.part_id)["amount"]) == (
        "made", 3600)
    balance = api.get("/v1/vendors/me/balance", headers=verified_vendor.auth).json()
    assert (balance["payable"]["amount"], balance["transferred"]["amount"]) == (0, 3600)
