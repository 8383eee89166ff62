"""Charges behind PaymentIntents: one per attempt, succeeded (captured or not) or failed."""

from __future__ import annotations

from typing import Any

from devstack.stripe.store import Store, new_id, now


def make_charge(store: Store, pi: dict[str, Any], pm: dict[str, Any], *, captured: bool,
                failure: tuple[str, str, str] | None = None) -> dict[str, Any]:
    """Create the charge of one payment attempt; failure is (code, decline_code, message)."""
    failed = failure is not None
    return store.put({
        "id": new_id("ch"), "object": "charge", "amount": pi["amount"],
        "amount_captured": pi["amount"] if captured and not failed else 0,
        "amount_refunded": 0, "balance_transaction": None, "captured": captured and not failed,
        "created": now(), "currency": pi["currency"], "description": pi["description"],
        "failure_code": failure[0] if failed else None,
        "failure_message": failure[2] if failed else None, "livemode": False,
        "metadata": dict(pi["metadata"]),
        "outcome": {"type": "issuer_declined" if failed else "authorized",
                    "network_status": "declined_by_network" if failed else "approved_by_network",
                    "reason": failure[1] if failed else None,
                    "seller_message": "The bank did not return any further details with this "
                    "decline." if failed else "Payment complete."},
        "paid": not failed, "payment_intent": pi["id"], "payment_method": pm["id"],
        "payment_method_details": {"type": "card", "card": dict(pm["card"])},
        "refunded": False, "refunds": None, "status": "failed" if failed else "succeeded",
        "transfer_group": pi["transfer_group"]})
