"""Source rows of the export tests, written straight into PostgreSQL as its owner: paid
orders (one line per category) and anonymized events, in a month of their own far in the
future, so no other test's data falls in the export's window."""

from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timezone

from sqlalchemy import text

from common import bootstrap
from tests.integration.order_rows import add_card_payment
from tests.integration.reviews.purchases import new_account

ROLE = "bazaar_analytics_export"
_ORDER = text("""
INSERT INTO orders (id, buyer_id, status, total_amount, payment_method, shipping_address,
                    idempotency_key, request_hash, reservation_expires_at, created_at, paid_at)
VALUES (:id, :buyer, 'paid', :total, 'card', CAST(:address AS jsonb), :id, 'h', :at, :at, :at)""")
_PART = text("""
INSERT INTO order_parts (id, order_id, vendor_id, status, subtotal_amount, commission_amount)
VALUES (:id, :order, :vendor, 'paid', :total, 0)""")
_LINE = text("""
INSERT INTO order_lines (id, order_id, part_id, product_id, product_name, quantity,
                         unit_price_amount, line_amount, commission_rate_bp, commission_amount)
VALUES (:id, :order, :part, :product, 'Thing', 1, :amount, :amount, 0, 0)""")
_EVENT = text("""
INSERT INTO analytics_events (id, pseudonym, zone, type, at_hour, country, device_class,
                              product_id, category_id, received_at)
VALUES (:id, :pseudonym, 'eu', :type, :at, :country, :device, :product, :category, :at)""")


def far_month() -> datetime:
    """The 5th of a random month in 2200..2899, noon UTC: this test's own period."""
    rng = random.Random(uuid.uuid4().int)
    return datetime(rng.randint(2200, 2899), rng.randint(1, 12), 5, 12, tzinfo=timezone.utc)


def products_of_two_categories() -> dict[str, str]:
    """{category_id: product_id}: a new vendor's listed product in each of two categories."""
    vendor = new_account("vendor")
    with bootstrap.engine().begin() as db:
        pairs = db.execute(text(
            "SELECT DISTINCT ON (category_id) category_id, id FROM subcategories "
            "ORDER BY category_id, position LIMIT 2")).all()
        products = {}
        for category, subcategory in pairs:
            products[category] = str(uuid.uuid4())
            db.execute(text(
                "INSERT INTO products (id, vendor_id, name, description, price_amount, "
                "currency, category_id, subcategory_id, stock, status) VALUES (:id, :vendor, "
                "'Thing', '', 3000, 'EUR', :category, :subcategory, 10, 'listed')"),
                {"id": products[category], "vendor": vendor, "category": category,
                 "subcategory": subcategory})
    products["vendor"] = vendor
    return products


def paid_order(buyer: str, vendor: str, product: str, *, at: datetime, country: str = "DE",
               total: int = 3_000) -> str:
    """A paid order of `buyer` placed at `at`, shipped to `country`; its id."""
    order_id, part_id = str(uuid.uuid4()), str(uuid.uuid4())
    address = json.dumps({"name": "Erika Mustermann", "line1": "Hauptstr. 1", "city": "Berlin",
                          "postal_code": "10115", "country": country})
    with bootstrap.engine().begin() as db:
        db.execute(_ORDER, {"id": order_id, "buyer": buyer, "total": total, "address": address,
                            "at": at})
        add_card_payment(db, order_id, total, paid=True)
        db.execute(_PART, {"id": part_id, "order": order_id, "vendor": vendor, "total": total})
        db.execute(_LINE, {"id": str(uuid.uuid4()), "order": order_id, "part": part_id,
                           "product": product, "amount": total})
    return order_id


def event(pseudonym: str, *, at: datetime, category: str | None, country: str | None = "DE",
          device: str | None = "mobile", type_: str = "view", product: str | None = None) -> str:
    """An anonymized event row; an interaction's has a product and no category or country."""
    event_id = str(uuid.uuid4())
    with bootstrap.engine().begin() as db:
        db.execute(_EVENT, {"id": event_id, "pseudonym": pseudonym, "type": type_,
                            "at": at.replace(minute=0, second=0, microsecond=0),
                            "country": country, "device": device, "category": category,
                            "product": product})
    return event_id
