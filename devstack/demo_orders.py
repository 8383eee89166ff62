"""Demo orders, made through the real order and payment path: the demo vendors accept all
three methods, Carla has a card order (paid once the saga hears from the Stripe twin) and a
bank transfer waiting for her money (with its IBAN and reference).

Idempotent: each order has a fixed Idempotency-Key, so a second start replays it.
"""

from __future__ import annotations

from sqlalchemy import text

from common import bootstrap
from common.domain.identity import PAYMENT_METHODS, Account, Principal, Role, VendorStatus
from common.domain.orders import OrderItem
from common.services.ordering import Collaborators, OrderRequest, place_order
from common.services.profiles import update_vendor_profile

ADDRESS = {"name": "Carla Customer", "line1": "5 Demo Street", "postal_code": "10115",
           "city": "Berlin", "country": "DE"}
RETURN_URL = "https://bazaar.example/orders/return"


def load_demo_orders(accounts: list[Account]) -> list[str]:
    """Let every verified demo vendor accept every method, then place Carla's two orders."""
    with bootstrap.unit_of_work() as tx:  # re-read: verification happened after registering
        current = [tx.accounts.get(account.id) for account in accounts]
    vendors = [a for a in current if a and a.vendor and a.vendor.status is VendorStatus.VERIFIED]
    for vendor in vendors:
        update_vendor_profile(vendor.id, {"payment_methods": list(PAYMENT_METHODS)},
                              uow=bootstrap.unit_of_work)
    buyer = next(a for a in accounts if a.role is Role.CUSTOMER)
    products = _two_products([vendor.id for vendor in vendors])
    deps = Collaborators(bootstrap.orders_unit_of_work, bootstrap.payments(),
                         bootstrap.workflow_executions(), bootstrap.settings())
    principal = Principal(buyer.id, Role.CUSTOMER, buyer.state, True)
    card = OrderRequest((OrderItem(products[0], 1),), "card", ADDRESS, "demo-card-order",
                        "demo-card-order", payment_method_token="pm_card_visa",
                        return_url=RETURN_URL)
    transfer = OrderRequest((OrderItem(products[1], 1),), "bank_transfer", ADDRESS,
                            "demo-bank-transfer", "demo-bank-transfer")
    return [place_order(principal, request, deps).order.id for request in (card, transfer)]


def _two_products(vendor_ids: list[str]) -> list[str]:
    """The demo vendors' first two products (a stable choice, so a replay matches)."""
    with bootstrap.engine().connect() as db:
        return [str(row.id) for row in db.execute(text(
            "SELECT id FROM products WHERE vendor_id = ANY(CAST(:vendors AS uuid[])) "
            "ORDER BY created_at, id LIMIT 2"), {"vendors": vendor_ids})]
