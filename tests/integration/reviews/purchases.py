"""Buyers who paid for a product, written straight into PostgreSQL (as its owner): the
review use cases' integration tests need many of them, faster than the purchase saga."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from common import bootstrap
from common.domain.identity import AccountState, Principal, Role
from tests.integration.order_rows import add_card_payment

_ACCOUNT = ("INSERT INTO accounts (id, email, name, role, state, email_verified) "
            "VALUES (:id, :email, :name, :role, 'active', true)")


def new_account(role: str) -> str:
    account_id = str(uuid.uuid4())
    with bootstrap.engine().begin() as db:
        db.execute(text(_ACCOUNT), {"id": account_id, "email": f"{account_id}@example.com",
                                    "name": f"Test {role}", "role": role})
    return account_id


def new_product(vendor_id: str) -> str:
    product_id = str(uuid.uuid4())
    with bootstrap.engine().begin() as db:
        category, subcategory = db.execute(text(
            "SELECT category_id, id FROM subcategories ORDER BY position LIMIT 1")).one()
        db.execute(text(
            "INSERT INTO products (id, vendor_id, name, description, price_amount, currency, "
            "category_id, subcategory_id, stock, status) VALUES (:id, :vendor, 'Lamp', '', "
            "2500, 'EUR', :category, :subcategory, 10, 'listed')"),
            {"id": product_id, "vendor": vendor_id, "category": category,
             "subcategory": subcategory})
    return product_id


def paid_buyer(product_id: str, vendor_id: str) -> Principal:
    """A new customer with one paid order of one unit of the product."""
    buyer_id = new_account("customer")
    order_id, part_id = str(uuid.uuid4()), str(uuid.uuid4())
    with bootstrap.engine().begin() as db:
        db.execute(text(
            "INSERT INTO orders (id, buyer_id, status, total_amount, payment_method, "
            "shipping_address, idempotency_key, request_hash, reservation_expires_at, paid_at) "
            "VALUES (:id, :buyer, 'paid', 2500, 'card', '{}', :id, 'h', now(), now())"),
            {"id": order_id, "buyer": buyer_id})
        add_card_payment(db, order_id, 2500, paid=True)
        db.execute(text(
            "INSERT INTO order_parts (id, order_id, vendor_id, status, subtotal_amount, "
            "commission_amount) VALUES (:id, :order, :vendor, 'paid', 2500, 0)"),
            {"id": part_id, "order": order_id, "vendor": vendor_id})
        db.execute(text(
            "INSERT INTO order_lines (id, order_id, part_id, product_id, product_name, quantity, "
            "unit_price_amount, line_amount, commission_rate_bp, commission_amount) "
            "VALUES (:id, :order, :part, :product, 'Lamp', 1, 2500, 2500, 0, 0)"),
            {"id": str(uuid.uuid4()), "order": order_id, "part": part_id,
             "product": product_id})
    return Principal(buyer_id, Role.CUSTOMER, AccountState.ACTIVE, email_verified=True)
