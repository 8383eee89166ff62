"""Order mails through send_notification, over the real order path: a paid order mails the
buyer once and each vendor once (however often order.paid is delivered), a failed payment
and a cancel mail the buyer, a shipped part mails the buyer its tracking. The unpaid
cancel's order.cancelled refunds nothing and the money consumer posts nothing for it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from common import bootstrap
from tests.e2e.client import CHECKLIST
from tests.integration.refunds.orders import events, paid_order, place, product

pytestmark = pytest.mark.events

CONFIRMED, TO_SHIP = "Your Bazaar order is confirmed", "to ship"


@pytest.fixture
def other_vendor(api, admin):
    vendor = api.register("vendor")
    verified = api.post(f"/v1/admin/vendors/{vendor.id}:verify", headers=admin.auth,
                        json={"checklist": CHECKLIST})
    assert verified.status_code == 200, verified.text
    return vendor


def _mails(mail, to: str, subject: str) -> list:
    return [m for m in mail.messages(to) if subject in m.subject]


def _settled(stack) -> None:
    stack.services["pubsub"].wait_until_idle(timeout=30)


def _redeliver(event_id: str) -> None:
    """Publish an outbox event again, as a relay racing the sweep would: same id."""
    with bootstrap.engine().begin() as db:
        db.execute(text("UPDATE outbox_events SET published_at = NULL WHERE id = :id"),
                   {"id": event_id})
    assert bootstrap.relay().publish_now([event_id]) == 1


def _event_id(order_id: str, event_type: str) -> str:
    with bootstrap.engine().connect() as db:
        return str(db.execute(text(
            "SELECT id FROM outbox_events WHERE type = :type AND payload->>'order_id' = :id"),
            {"type": event_type, "id": order_id}).scalar_one())


def test_a_paid_order_mails_the_buyer_and_each_vendor_once_even_when_delivered_again(
        api, stack, mail, customer, verified_vendor, other_vendor):
    # Given a two-vendor order paid by card: 2 × 19.99 (commission 4.00) and 1 × 45.00 (4.50)
    lamp = product(api, verified_vendor, price=1999)
    rug = product(api, other_vendor, price=4500)
    paid = paid_order(api, customer, [(lamp, 2), (rug, 1)])
    _settled(stack)

    # When order.paid is delivered once more with the same id
    _redeliver(_event_id(paid["id"], "order.paid"))
    _settled(stack)

    # Then the buyer has one confirmation with every line and the total
    [confirmation] = _mails(mail, customer.email, CONFIRMED)
    assert paid["id"] in confirmation.text
    assert "2 × " in confirmation.text and "EUR 39.98" in confirmation.text
    assert "Total: EUR 84.98" in confirmation.text
    # And each vendor one mail with only its part: lines, subtotal, commission, share
    [lamps] = _mails(mail, verified_vendor.email, TO_SHIP)
    [rugs] = _mails(mail, other_vendor.email, TO_SHIP)
    assert ("Subtotal: EUR 39.98\nPlatform commission: EUR 4.00\nYour share: EUR 35.98"
            in lamps.text)
    assert "Subtotal: EUR 45.00\nPlatform commission: EUR 4.50" in rugs.text
    assert "EUR 45.00" not in lamps.text and "EUR 39.98" not in rugs.text


def test_a_declined_payment_mails_the_buyer_once(api, stack, mail, customer, verified_vendor):
    # Given an order whose card is declined
    lamp = product(api, verified_vendor, price=2500)
    response = api.post("/v1/orders", headers={**customer.auth, "Idempotency-Key": "k-" + lamp},
                        json={"items": [{"product_id": lamp, "quantity": 1}],
                              "payment": {"method": "card",
                                          "payment_method": "pm_card_visa_chargeDeclined",
                                          "return_url": "https://bazaar.example/return"},
                              "shipping_address": {"name": "Ada", "line1": "1 Test Street",
                                                   "postal_code": "10115", "city": "Berlin",
                                                   "country": "DE"}})
    assert response.status_code == 402, response.text
    order_id = response.json()["order_id"]
    _settled(stack)

    # Then the buyer is told once, with the order and why; nothing confirmed
    [failed] = _mails(mail, customer.email, "could not be paid")
    assert order_id in failed.text and "your payment was declined" in failed.text
    assert _mails(mail, customer.email, CONFIRMED) == []


def test_an_unpaid_cancel_emits_order_cancelled_that_refunds_and_posts_nothing(
        api, stack, mail, customer, verified_vendor):
    # Given an order waiting for 3-D Secure
    lamp = product(api, verified_vendor, price=2500)
    placed = place(api, customer, [(lamp, 1)], card="pm_card_threeDSecure2Required")

    # When the buyer cancels it
    cancelled = api.post(f"/v1/orders/{placed['id']}:cancel", headers=customer.auth)
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    _settled(stack)

    # Then order.cancelled was recorded once, with nothing refunded and no parts
    assert events(placed["id"], "order.cancelled") == [{
        "order_id": placed["id"], "buyer_id": customer.id, "refunded_amount": 0, "parts": [],
        "refund_id": None}]
    assert events(placed["id"], "order.payment_failed") == []
    # And the money consumer handled it without posting anything
    event_id = _event_id(placed["id"], "order.cancelled")
    with bootstrap.engine().connect() as db:
        handled = db.execute(text("SELECT count(*) FROM inbox_events WHERE consumer = "
                                  "'post_refund' AND event_id = :id"), {"id": event_id})
        journals = db.execute(text("SELECT count(*) FROM ledger_journals WHERE order_id = :id"),
                              {"id": placed["id"]})
        assert (handled.scalar_one(), journals.scalar_one()) == (1, 0)
    # And the buyer is told once that nothing was charged
    [told] = _mails(mail, customer.email, "is cancelled")
    assert placed["id"] in told.text and "Nothing was charged." in told.text


def test_a_shipped_part_mails_the_buyer_its_tracking(api, stack, mail, customer,
                                                     verified_vendor):
    # Given a paid order
    lamp = product(api, verified_vendor, price=1500)
    paid = paid_order(api, customer, [(lamp, 1)])

    # When the vendor ships it with a tracking reference
    shipped = api.post(f"/v1/orders/{paid['id']}:ship", headers=verified_vendor.auth,
                       json={"tracking": "DHL-4711"})
    assert shipped.status_code == 200, shipped.text
    _settled(stack)

    # Then the buyer gets one mail naming the shop, the line and the tracking
    [on_its_way] = _mails(mail, customer.email, "is on its way")
    assert "Tracking: DHL-4711" in on_its_way.text
    assert "Test vendor shipped its part" in on_its_way.text
    assert paid["id"] in on_its_way.text and "1 × " in on_its_way.text
