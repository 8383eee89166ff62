"""The interaction pipeline over real PostgreSQL, as the consumers' own database role: a
batch becomes exactly the features the domain computes, a redelivered batch changes
nothing, a signed-in device merges once, and a paid order adds its purchases."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from common import bootstrap
from common.adapters.interaction_publisher import message_of
from common.domain.events import Event, OrderPaid
from common.domain.preferences import Preferences, ProductFacts, folded, merged
from common.domain.pseudonyms import pseudonym
from common.events import consumer
from common.services import interactions as use_cases
from tests.integration.reviews.purchases import new_account, paid_buyer
from tests.interaction_batches import batch_event

ROLE = "bazaar_interactions"
KEY = b"local-pseudonym-key: not a secret, do not use"


def product(vendor: str, subcategory: str, price: int) -> ProductFacts:
    """A listed product of `subcategory`, written as the database owner."""
    product_id = str(uuid.uuid4())
    with bootstrap.engine().begin() as db:
        category = db.execute(text("SELECT category_id FROM subcategories WHERE id = :id"),
                              {"id": subcategory}).scalar_one()
        db.execute(text(
            "INSERT INTO products (id, vendor_id, name, description, price_amount, currency, "
            "category_id, subcategory_id, stock, status) VALUES (:id, :vendor, 'Thing', '', "
            ":price, 'EUR', :category, :subcategory, 10, 'listed')"),
            {"id": product_id, "vendor": vendor, "price": price, "category": category,
             "subcategory": subcategory})
    return ProductFacts(product_id, vendor, category, subcategory, price)


def subcategories() -> list[str]:
    with bootstrap.engine().connect() as db:
        return list(db.execute(text("SELECT id FROM subcategories ORDER BY id LIMIT 2")).scalars())


def deliver(name: str, handle, event: Event) -> None:  # noqa: ANN001
    """Push the event's Pub/Sub message (as published) to the consumer, as its role."""
    envelope = {"message": {"data": base64.b64encode(
        json.dumps(message_of(event).body).encode()).decode()}}
    with bootstrap.database_role(ROLE):
        consumer(name, unit_of_work=bootstrap.preferences_unit_of_work)(handle)(envelope)


def stored(who: str) -> Preferences | None:
    with bootstrap.database_role(ROLE):
        return bootstrap.preference_reads().features_of(who)


def view(facts: ProductFacts, at: datetime, kind: str = "view") -> dict:
    return {"type": kind, "at": at, "product_id": facts.product_id, "query": None,
            "dwell_ms": None}


def test_a_batch_becomes_the_features_the_domain_computes_once(stack):
    # Given a device that viewed and clicked products of two vendors over the last day
    now = datetime.now(timezone.utc).replace(microsecond=0)
    audio, other = subcategories()
    a, b = product(new_account("vendor"), audio, 4_999), product(new_account("vendor"), other,
                                                                 45_000)
    device = f"device-{uuid.uuid4().hex}"
    sent = [view(a, now - timedelta(hours=20)), view(a, now, "click"), view(b, now)]
    event = batch_event(None, device, sent, now=now, key=KEY)

    # When its batch is delivered, then delivered again
    deliver("update_preferences", use_cases.update_preferences, event)
    first = stored(pseudonym("device", device, KEY))
    deliver("update_preferences", use_cases.update_preferences, event)

    # Then the row holds exactly the domain's features, and the duplicate changed nothing
    expected = folded(Preferences(event.pseudonym), event.events,
                      {a.product_id: a, b.product_id: b})
    assert first == expected
    assert stored(event.pseudonym) == expected


def test_a_signed_in_batch_merges_the_devices_features_into_the_accounts_once(stack):
    # Given a device's anonymous view, then the same device signed in
    now = datetime.now(timezone.utc).replace(microsecond=0)
    audio, _ = subcategories()
    a = product(new_account("vendor"), audio, 2_500)
    account, device = new_account("customer"), f"device-{uuid.uuid4().hex}"
    anonymous = batch_event(None, device, [view(a, now)], now=now,
                                   key=KEY)
    deliver("update_preferences", use_cases.update_preferences, anonymous)
    signed_in = [batch_event(account, device,
                                    [view(a, now + timedelta(seconds=s), "click")], now=now,
                                    key=KEY) for s in (1, 2)]

    # When two signed-in batches arrive
    for event in signed_in:
        deliver("update_preferences", use_cases.update_preferences, event)

    # Then the device's view counts once in the account's features, plus its two clicks
    facts = {a.product_id: a}
    device_features = folded(Preferences(anonymous.pseudonym), anonymous.events, facts)
    expected = folded(folded(merged(Preferences(signed_in[0].pseudonym), device_features),
                             signed_in[0].events, facts), signed_in[1].events, facts)
    assert stored(pseudonym("account", account, KEY)) == expected
    assert expected.vendor_weights == {a.vendor_id: pytest.approx(5.0, abs=1e-4)}  # 2 s of decay
    assert stored(anonymous.pseudonym) == device_features


def test_a_paid_order_adds_its_products_to_the_buyers_bought_and_weights(stack):
    # Given a buyer with a paid order of one product
    audio, _ = subcategories()
    vendor = new_account("vendor")
    a = product(vendor, audio, 2_500)
    buyer = paid_buyer(a.product_id, vendor)
    with bootstrap.engine().connect() as db:
        order_id = str(db.execute(text("SELECT order_id FROM order_lines WHERE product_id = :p"),
                                  {"p": a.product_id}).scalar_one())
    paid = OrderPaid(order_id=order_id, buyer_id=buyer.account_id, payment_id="pi_test",
                     total=2_500, parts=())

    # When its order.paid is delivered (twice)
    handle = lambda event, tx: use_cases.record_purchase_features(event, tx, key=KEY)  # noqa: E731
    deliver("record_purchase_features", handle, paid)
    deliver("record_purchase_features", handle, paid)

    # Then the product is bought, with purchase weight 8 once
    features = stored(pseudonym("account", buyer.account_id, KEY))
    assert features is not None
    assert features.bought == (a.product_id,)
    assert features.vendor_weights == {vendor: 8.0}
    assert features.category_weights == {a.category_id: 8.0, a.subcategory_id: 8.0}
