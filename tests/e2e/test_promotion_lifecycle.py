"""A promotion's lifecycle over HTTP under the test clock: the minute job activates it at its
start and ends it at its end; unlisting the product or blocking the vendor ends it at once
with its unused whole days refunded to the balance; the vendor's list shows spend, and
another vendor sees none of it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from common import clock
from tests.e2e.catalog import list_product
from tests.e2e.client import CHECKLIST, PASSWORD, Api, User
from tests.integration.ledger.money import eventually, paid_order, settle

pytestmark = pytest.mark.events

DAY_S = 24 * 3600
RATE = 500  # PROMOTION_DAILY_RATE's default: the local stack sets no category rate
SALE, COMMISSION = 10_000, 1_000


def _vendor_with_payable(api: Api, admin: User, customer: User, stack) -> User:  # noqa: ANN001
    """A verified vendor whose one paid sale leaves 90.00 payable (fees come out of it)."""
    vendor = api.register("vendor")
    verified = api.post(f"/v1/admin/vendors/{vendor.id}:verify", headers=admin.auth,
                        json={"checklist": CHECKLIST})
    assert verified.status_code == 200, verified.text
    paid_order(api, customer, [(vendor, SALE)])
    settle(stack.services["pubsub"])
    payable = eventually(lambda: _payable(api, vendor), lambda amount: amount > 0)
    assert payable == SALE - COMMISSION
    return vendor


def _promote(api: Api, vendor: User, body: dict) -> dict:
    product = list_product(api, vendor, name=f"Speaker {uuid.uuid4().hex[:6]}")
    response = api.post(f"/v1/products/{product['id']}/promotions", json=body,
                        headers={**vendor.auth, "Idempotency-Key": f"promo-{uuid.uuid4()}"})
    assert response.status_code == 201, response.text
    assert response.json()["paid_with"] == "balance"
    return response.json()


def _listed(api: Api, vendor: User) -> dict[str, dict]:
    response = api.get("/v1/vendors/me/promotions", headers=vendor.auth)
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()["items"]}


def _payable(api: Api, vendor: User) -> int:
    response = api.get("/v1/vendors/me/balance", headers=vendor.auth)
    assert response.status_code == 200, response.text
    return response.json()["payable"]["amount"]


def _advance(stack) -> None:  # noqa: ANN001
    run = stack.services["scheduler"].trigger("advance_promotions")
    assert run.last_status == 200
    settle(stack.services["pubsub"])


def _money(amount: int) -> dict:
    return {"amount": amount, "currency": "EUR"}


def _figures(item: dict) -> tuple:
    return (item["status"], item["end_reason"], item["fee"], item["refunded"], item["spend"],
            item["impressions"], item["clicks"])


def test_a_promotion_for_tomorrow_activates_at_its_start_and_ends_on_schedule(
        api, admin, customer, stack, advance_clock):
    # Given a promotion of 2 days that starts tomorrow, paid from the balance
    vendor = _vendor_with_payable(api, admin, customer, stack)
    tomorrow = (clock.now() + timedelta(days=1)).isoformat()
    promotion = _promote(api, vendor, {"starts_at": tomorrow, "days": 2})
    _advance(stack)
    assert _listed(api, vendor)[promotion["id"]]["status"] == "scheduled"

    # When the clock passes its start and the minute job runs, Then it is active
    advance_clock(DAY_S + 60)
    _advance(stack)
    assert _listed(api, vendor)[promotion["id"]]["status"] == "active"

    # When the clock passes its end, Then it ended, having spent its whole fee
    advance_clock(3 * DAY_S + 60)
    _advance(stack)
    ended = _listed(api, vendor)[promotion["id"]]
    assert _figures(ended) == ("ended", "completed", _money(2 * RATE), _money(0),
                               _money(2 * RATE), 0, 0)
    assert datetime.fromisoformat(ended["ended_at"]) == datetime.fromisoformat(ended["ends_at"])
    assert _payable(api, vendor) == SALE - COMMISSION - 2 * RATE


def test_unlisting_the_product_ends_its_promotion_at_once_refunding_the_days_not_begun(
        api, admin, customer, stack):
    # Given an active promotion of 3 days, its first day begun
    vendor = _vendor_with_payable(api, admin, customer, stack)
    promotion = _promote(api, vendor, {"days": 3})
    _advance(stack)
    assert _listed(api, vendor)[promotion["id"]]["status"] == "active"

    # When the vendor unlists the product
    unlisted = api.delete(f"/v1/products/{promotion['product_id']}", headers=vendor.auth)
    assert unlisted.status_code == 204
    settle(stack.services["pubsub"])

    # Then the promotion ended at once, the 2 days not begun back in the balance
    ended = _listed(api, vendor)[promotion["id"]]
    assert _figures(ended) == ("ended", "product_unlisted", _money(3 * RATE), _money(2 * RATE),
                               _money(RATE), 0, 0)
    assert _payable(api, vendor) == SALE - COMMISSION - RATE


def test_blocking_the_vendor_ends_its_promotions_at_once_with_their_unused_days_refunded(
        api, admin, customer, stack):
    # Given an active promotion of 3 days and one of 2 days that starts tomorrow
    vendor = _vendor_with_payable(api, admin, customer, stack)
    running = _promote(api, vendor, {"days": 3})
    later = _promote(api, vendor, {"starts_at": (clock.now() + timedelta(days=1)).isoformat(),
                                   "days": 2})
    _advance(stack)

    # When an admin blocks the vendor (and unblocks it later, so that it can look)
    blocked = api.post(f"/v1/admin/accounts/{vendor.id}:block", headers=admin.auth,
                       json={"reason": "counterfeit goods"})
    assert blocked.status_code == 200, blocked.text
    settle(stack.services["pubsub"])
    unblocked = api.post(f"/v1/admin/accounts/{vendor.id}:unblock", headers=admin.auth,
                         json={"reason": "appeal granted"})
    assert unblocked.status_code == 200, unblocked.text
    settle(stack.services["pubsub"])
    vendor = api.login(User(vendor.id, vendor.email, PASSWORD))

    # Then both ended at the block: the running one refunds 2 days, the later one all
    listed = _listed(api, vendor)
    assert _figures(listed[running["id"]]) == (
        "ended", "vendor_blocked", _money(3 * RATE), _money(2 * RATE), _money(RATE), 0, 0)
    assert _figures(listed[later["id"]]) == (
        "ended", "vendor_blocked", _money(2 * RATE), _money(2 * RATE), _money(0), 0, 0)
    assert _payable(api, vendor) == SALE - COMMISSION - RATE


def test_a_vendor_sees_only_its_own_promotions(api, admin, customer, stack):
    # Given a vendor with a promotion
    vendor = _vendor_with_payable(api, admin, customer, stack)
    promotion = _promote(api, vendor, {"days": 1})
    other = api.register("vendor")

    # When another vendor lists its promotions, Then it sees none of them
    assert list(_listed(api, vendor)) == [promotion["id"]]
    assert _listed(api, other) == {}
    assert api.get("/v1/vendors/me/promotions", headers=customer.auth).status_code == 403


def test_a_finished_promotion_stays_as_it_ended_when_the_job_runs_again(
        api, admin, customer, stack):
    # Given a promotion ended by unlisting its product
    vendor = _vendor_with_payable(api, admin, customer, stack)
    promotion = _promote(api, vendor, {"days": 2})
    assert api.delete(f"/v1/products/{promotion['product_id']}",
                      headers=vendor.auth).status_code == 204
    settle(stack.services["pubsub"])
    before = _listed(api, vendor)[promotion["id"]]

    # When the minute job runs again, Then nothing about it changes
    _advance(stack)
    assert _listed(api, vendor)[promotion["id"]] == before
    assert before["status"] == "ended" and before["end_reason"] == "product_unlisted"

