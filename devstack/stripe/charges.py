"""Charges behind PaymentIntents: one per attempt, succeeded (captured or not) or failed."""

from __future__ import annotations

import secrets
from typing import Any

from devstack.stripe.store import Store, new_id, now


def method_details(pm: dict[str, Any]) -> dict[str, Any]:
    """The charge's payment_method_details for a PaymentMethod of any supported type."""
    if pm["type"] == "card":
        return {"type": "card", "card": dict(pm["card"])}
    if pm["type"] == "paypal":
        return {"type": "paypal", "paypal": {
            "country": "DE", "payer_email": None, "payer_id": f"TESTPAYER{secrets.token_hex(4)}",
            "payer_name": None, "transaction_id": secrets.token_hex(8).upper(),
            "seller_protection": {"status": "eligible",
                                  "dispute_categories": ["product_not_received", "fraudulent"]}}}
    return {"type": pm["type"], pm["type"]: {}}


def make_charge(store: Store, pi: dict[str, Any], pm: dict[str, Any], *, captured: bool,
                failure: tuple[str, str, str] | None = None) -> dict[str, Any]:
    """Create the charge of one payment attempt; failure is (code, decline_code, message)."""
    failed = failure is not None
    code, decline_code, message = failure or (None, None, None)
    return store.put({
        "id": new_id("ch"), "object": "charge", "amount": pi["amount"],
        "amount_captured": pi["amount"] if captured and not failed else 0,
        "amount_refunded": 0, "balance_transaction": None, "captured": captured and not failed,
        "created": now(), "currency": pi["currency"], "customer": pi.get("customer"),
        "description": pi["description"],
        "failure_code": code,
        "failure_message": message, "livemode": False,
        "metadata": dict(pi["metadata"]),
        "outcome": {"type": "issuer_declined" if failed else "authorized",
                    "network_status": "declined_by_network" if failed else "approved_by_network",
                    "reason": decline_code,
                    "seller_message": "The bank did not return any further details with this "
                    "decline." if failed else "Payment complete."},
        "paid": not failed, "payment_intent": pi["id"], "payment_method": pm["id"],
        "payment_method_details": method_details(pm),
        "refunded": False, "refunds": None, "status": "failed" if failed else "succeeded",
        "transfer_group": pi["transfer_group"]})
