"""Buying promotions over HTTP: quotes, the fee paid from the vendor's payable balance or its
saved card (a SetupIntent on the Stripe twin), refusals that change nothing, idempotent
replays, and cancellations refunding the whole days not begun (the clock advanced)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from common import bootstrap
from tests.e2e.client import CHECKLIST
from tests.e2e.orders import RETURN_URL
from tests.integration.ledger.money import eventually, paid_order, settle
from tests.integration.refunds.orders import product

pytestmark = pytest.mark.events
DAY_S = 86400
RATE = 500  # PROMOTION_DAILY_RATE's default, in cents


def _promote(api, vendor, product_id, body, key=None):  # noqa: ANN001, ANN202
    headers = {**vendor.auth, "Idempotency-Key": key or f"promo-{uuid.uuid4()}"}
    return api.post(f"/v1/products/{product_id}/promotions", headers=headers, json=body)


def _payable(api, vendor) -> int:  # noqa: ANN001
    answer = api.get("/v1/vendors/me/balance", headers=vendor.auth)
    assert answer.status_code == 200, answer.text
    return answer.json()["payable"]["amount"]


def _journal(key: str) -> dict[str, int]:
    """The journal's entries summed per account (empty if it was never posted)."""
    with bootstrap.engine().connect() as db:
        rows = db.execute(text(
            "SELECT e.account, sum(e.amount) AS total FROM ledger_journals j "
            "JOIN ledger_entries e ON e.journal_id = j.id WHERE j.idempotency_key = :key "
            "GROUP BY e.account"), {"key": key})
        return {row.account: int(row.total) for row in rows}


def _promotions_of(product_id: str) -> list[dict]:
    with bootstrap.engine().connect() as db:
        rows = db.execute(text("SELECT id, status, paid_with, payment_ref, refund_ref, "
                               "refunded_amount FROM promotions WHERE product_id = :id"),
                          {"id": product_id}).mappings()
        return [dict(row) for row in rows]


@pytest.fixture
def seller(api, verified_vendor, customer, stack):  # noqa: ANN001, ANN201
    """A verified vendor whose sale of 123.45 is held for it: payable 111.11."""
    paid_order(api, customer, [(verified_vendor, 12345)])
    settle(stack.services["pubsub"])
    assert eventually(lambda: _payable(api, verified_vendor), lambda p: p == 11111) == 11111
    return verified_vendor


def _save_card(api, vendor, token: str) -> dict:  # noqa: ANN001
    answer = api.post("/v1/vendors/me/payment-card:setup", headers=vendor.auth,
                      json={"payment_method": token, "return_url": RETURN_URL})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_quote_is_the_daily_rate_times_whole_days(api, verified_vendor):
    product_id = product(api, verified_vendor, price=2000)

    answer = api.get("/v1/promotions:quote", headers=verified_vendor.auth,
                     params={"product_id": product_id, "days": 3})

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["fee"], body["daily_rate"], body["days"]) == (
        {"amount": 3 * RATE, "currency": "EUR"}, {"amount": RATE, "currency": "EUR"}, 3)


def test_a_vendor_pays_from_its_balance_and_a_replay_pays_once(api, seller):
    # Given a listed product of a vendor with 111.11 payable
    product_id = product(api, seller, price=2000)

    # When it promotes it for 4 days, and the client retries with the same key
    first = _promote(api, seller, product_id, {"days": 4}, key="promo-replayed-1")
    again = _promote(api, seller, product_id, {"days": 4}, key="promo-replayed-1")

    # Then one promotion is scheduled, paid from the balance: 20.00 of platform revenue
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["status"], body["paid_with"], body["fee"]["amount"], body["days"]) == (
        "scheduled", "balance", 4 * RATE, 4)
    assert (again.status_code, again.json()["id"], again.headers.get("Idempotent-Replayed")
            ) == (201, body["id"], "true")
    assert _journal(f"promotion:{body['id']}") == {"vendor_promotions": 2000,
                                                   "platform_promotions": -2000}
    assert _payable(api, seller) == 11111 - 2000
    assert len(_promotions_of(product_id)) == 1


def test_the_same_key_for_another_request_is_refused(api, seller):
    product_id = product(api, seller, price=2000)
    assert _promote(api, seller, product_id, {"days": 1}, key="promo-reused-1"
                    ).status_code == 201

    reused = _promote(api, seller, product_id, {"days": 2}, key="promo-reused-1")

    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")


def test_a_short_balance_is_paid_by_the_saved_card_and_a_cancel_refunds_it(api,
                                                                           verified_vendor):
    # Given a vendor with nothing payable and a card saved through the SetupIntent flow
    setup = _save_card(api, verified_vendor, "pm_card_visa")
    assert (setup["status"], setup["next_action"]) == ("ready", None)
    product_id = product(api, verified_vendor, price=2000)

    # When it promotes the product for 2 days from now, then cancels it
    promoted = _promote(api, verified_vendor, product_id, {"days": 2})
    assert promoted.status_code == 201, promoted.text
    promotion_id = promoted.json()["id"]
    cancelled = api.post(f"/v1/promotions/{promotion_id}:cancel", headers=verified_vendor.auth)

    # Then the card paid 10.00 (cash in), and the cancel refunded the day not begun to it
    # (a promotion from now has begun its first day)
    assert promoted.json()["paid_with"] == "card"
    assert _journal(f"promotion:{promotion_id}") == {"promotion_card_funds": 2 * RATE,
                                                     "platform_promotions": -2 * RATE}
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["refunded"]["amount"]) == (
        "cancelled", RATE)
    assert _journal(f"promotion_refund:{promotion_id}") == {"promotion_card_funds": -RATE,
                                                            "platform_promotions": RATE}
    (row,) = _promotions_of(product_id)
    assert row["payment_ref"].startswith("pi_") and row["refund_ref"].startswith("re_")


@pytest.mark.parametrize("token", ["pm_card_chargeCustomerFail", None])
def test_a_declined_card_or_no_card_is_402_and_nothing_is_scheduled(api, verified_vendor,
                                                                    token):
    if token:
        assert _save_card(api, verified_vendor, token)["status"] == "ready"
    product_id = product(api, verified_vendor, price=2000)

    refused = _promote(api, verified_vendor, product_id, {"days": 2})

    assert (refused.status_code, refused.json()["code"]) == (402, "payment_failed")
    assert _promotions_of(product_id) == []


def test_a_card_declined_at_setup_is_402(api, verified_vendor):
    answer = api.post("/v1/vendors/me/payment-card:setup", headers=verified_vendor.auth,
                      json={"payment_method": "pm_card_chargeDeclined"})

    assert (answer.status_code, answer.json()["code"]) == (402, "payment_failed")


def test_an_unverified_vendor_cannot_promote(api, pending_vendor):
    refused = _promote(api, pending_vendor, str(uuid.uuid4()), {"days": 1})

    assert (refused.status_code, refused.json()["code"]) == (403, "vendor_not_verified")


def _other_vendor(api, admin):  # noqa: ANN001, ANN202
    other = api.register("vendor")
    assert api.post(f"/v1/admin/vendors/{other.id}:verify", headers=admin.auth,
                    json={"checklist": CHECKLIST}).status_code == 200
    return other


def test_another_vendors_product_cannot_be_promoted(api, seller, admin):
    other = _other_vendor(api, admin)
    product_id = product(api, seller, price=2000)

    refused = _promote(api, other, product_id, {"days": 1})

    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert _promotions_of(product_id) == []


def test_an_unlisted_product_cannot_be_promoted(api, seller):
    product_id = product(api, seller, price=2000)
    assert api.delete(f"/v1/products/{product_id}", headers=seller.auth).status_code == 204

    refused = _promote(api, seller, product_id, {"days": 1})

    assert (refused.status_code, refused.json()["code"]) == (409, "product_not_listed")
    assert _payable(api, seller) == 11111


def test_an_overlapping_promotion_is_refused_and_costs_nothing(api, seller):
    product_id = product(api, seller, price=2000)
    assert _promote(api, seller, product_id, {"days": 3}).status_code == 201

    refused = _promote(api, seller, product_id, {"days": 1})

    assert (refused.status_code, refused.json()["code"]) == (422, "promotion_overlaps")
    assert _payable(api, seller) == 11111 - 3 * RATE


@pytest.mark.parametrize("body", [
    {"days": 1, "starts_at": "2020-01-01T00:00:00Z"},
    {"starts_at": "2099-01-02T00:00:00Z", "ends_at": "2099-01-01T00:00:00Z"},
    {"days": 91},
    {"days": 0},
    {},
])
def test_a_past_reversed_or_too_long_schedule_is_422(api, seller, body):
    product_id = product(api, seller, price=2000)

    refused = _promote(api, seller, product_id, body)

    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_request")
    assert _promotions_of(product_id) == []


def test_cancelling_a_scheduled_promotion_refunds_all_of_it_to_the_balance(api, seller):
    # Given a promotion of 3 days starting in two days, paid from the balance
    product_id = product(api, seller, price=2000)
    start = api.get("/v1/promotions:quote", headers=seller.auth, params={
        "product_id": product_id, "days": 1}).json()["starts_at"]
    later = (datetime.fromisoformat(start) + timedelta(days=2)).isoformat()
    promoted = _promote(api, seller, product_id, {"starts_at": later, "days": 3})
    assert promoted.status_code == 201, promoted.text
    assert _payable(api, seller) == 11111 - 3 * RATE

    # When the vendor cancels it
    cancelled = api.post(f"/v1/promotions/{promoted.json()['id']}:cancel", headers=seller.auth)

    # Then all of the fee is back in its balance
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["refunded"]["amount"] == 3 * RATE
    assert _payable(api, seller) == 11111


def test_cancelling_an_active_promotion_refunds_the_whole_days_not_begun(api, seller,
                                                                        advance_clock):
    # Given a 5-day promotion from now, paid from the balance
    product_id = product(api, seller, price=2000)
    promoted = _promote(api, seller, product_id, {"days": 5})
    assert promoted.status_code == 201, promoted.text

    # When two days and an hour have passed (the third day has begun) and the vendor cancels
    advance_clock(2 * DAY_S + 3600)
    cancelled = api.post(f"/v1/promotions/{promoted.json()['id']}:cancel", headers=seller.auth)

    # Then the two days not begun are refunded to its balance
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["refunded"]["amount"]) == (
        "cancelled", 2 * RATE)
    assert _payable(api, seller) == 11111 - 5 * RATE + 2 * RATE
    again = api.post(f"/v1/promotions/{promoted.json()['id']}:cancel", headers=seller.auth)
    assert (again.status_code, again.json()["refunded"]["amount"]) == (200, 2 * RATE)


def test_someone_elses_promotion_is_not_found(api, seller, admin):
    product_id = product(api, seller, price=2000)
    promoted = _promote(api, seller, product_id, {"days": 1})

    answer = api.post(f"/v1/promotions/{promoted.json()['id']}:cancel",
                      headers=_other_vendor(api, admin).auth)

    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")


def _concurrently(*calls):  # noqa: ANN002, ANN202
    with ThreadPoolExecutor(len(calls)) as pool:
        return [future.result() for future in [pool.submit(call) for call in calls]]


def test_concurrent_promotions_never_spend_the_balance_twice(api, seller):
    # Given 111.11 payable and two products, each promotion costing 100.00 (20 days)
    first, second = product(api, seller, price=2000), product(api, seller, price=2000)

    # When both are promoted at once (no card saved)
    answers = _concurrently(lambda: _promote(api, seller, first, {"days": 20}),
                            lambda: _promote(api, seller, second, {"days": 20}))

    # Then one is paid from the balance and the other refused: the balance covers one
    assert sorted(answer.status_code for answer in answers) == [201, 402]
    assert _payable(api, seller) == 11111 - 20 * RATE


def test_concurrent_overlapping_promotions_of_one_product_schedule_one(api, seller):
    product_id = product(api, seller, price=2000)

    answers = _concurrently(*[lambda: _promote(api, seller, product_id, {"days": 2})] * 4)

    assert sorted(answer.status_code for answer in answers) == [201, 422, 422, 422]
    assert {answer.json()["code"] for answer in answers if answer.status_code == 422} == {
        "promotion_overlaps"}
    assert _payable(api, seller) == 11111 - 2 * RATE


def test_a_card_refund_the_provider_could_not_take_is_made_later(api, verified_vendor):
    # Given a card-paid promotion, and the provider unreachable when the vendor cancels
    from common.adapters.stripe_payments import StripePayments
    from common.domain.identity import AccountState, Principal, Role, VendorStatus
    from common.services.promotion_purchase import Collaborators, cancel, settle_card_refunds
    from common.settings import from_environment
    from devstack.ports import free_port

    _save_card(api, verified_vendor, "pm_card_visa")
    product_id = product(api, verified_vendor, price=2000)
    promoted = _promote(api, verified_vendor, product_id, {"days": 3})
    assert promoted.status_code == 201, promoted.text
    unreachable = StripePayments.from_settings(from_environment({
        "BAZAAR_ENV": "test", "DATABASE_URL": "postgresql://unused@/x",
        "STRIPE_API_BASE": f"http://127.0.0.1:{free_port()}", "STRIPE_SECRET_KEY": "sk_test_x"}))
    vendor = Principal(verified_vendor.id, Role.VENDOR, AccountState.ACTIVE, True,
                       VendorStatus.VERIFIED)
    deps = Collaborators(uow=bootstrap.promotions_unit_of_work, payments=unreachable,
                         settings=bootstrap.settings())

    # When it cancels: the refund is recorded, but not yet made
    cancelled = cancel(vendor, promoted.json()["id"], deps)
    assert cancelled.refunded_amount == 2 * RATE
    assert _promotions_of(product_id)[0]["refund_ref"] is None

    # Then the next settling run makes it at the provider
    assert settle_card_refunds(uow=bootstrap.promotions_unit_of_work,
                               payments=bootstrap.payments()) >= 1
    assert _promotions_of(product_id)[0]["refund_ref"].startswith("re_")
