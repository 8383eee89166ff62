"""Refunds: never above what was captured less what was already refunded."""

from __future__ import annotations

from typing import Any

from devstack.stripe.errors import invalid, no_such
from devstack.stripe.events import Events
from devstack.stripe.forms import parse_amount
from devstack.stripe.store import Store, new_id, now

REASONS = ("duplicate", "fraudulent", "requested_by_customer")


class Refunds:
    """POST /v1/refunds and GET /v1/refunds/{id}; callers hold store.lock and save after."""

    def __init__(self, store: Store, events: Events) -> None:
        self.store, self.events = store, events

    def get(self, refund_id: str) -> dict[str, Any]:
        """The refund, or 404 resource_missing."""
        refund = self.store.get(refund_id, "refund")
        if refund is None:
            raise no_such("refund", refund_id)
        return refund

    def create(self, params: dict[str, Any]) -> dict[str, Any]:
        """Refund all that is left of a charge, or `amount` of it."""
        charge = self._charge(params)
        reason = params.get("reason") or None
        if reason is not None and reason not in REASONS:
            raise invalid(f"Invalid reason: must be one of {', '.join(REASONS)}", param="reason")
        left = charge["amount_captured"] - charge["amount_refunded"]
        if charge["refunded"] or (charge["captured"] and left <= 0):
            raise invalid(f"Charge {charge['id']} has already been refunded.",
                          code="charge_already_refunded", saved=True)
        amount = parse_amount(params["amount"], "amount") if "amount" in params else left
        email = self._instructions_email(charge, params)
        if amount > left:
            raise invalid(f"Refund amount ({amount}) is greater than unrefunded amount on "
                          f"charge ({left})", param="amount", code="amount_too_large",
                          saved=True)
        refund = self.store.put({
            "id": new_id("re"), "object": "refund", "amount": amount,
            "balance_transaction": None, "charge": charge["id"], "created": now(),
            "currency": charge["currency"], "destination_details": _destination(charge),
            "instructions_email": email, "metadata": dict(params.get("metadata") or {}),
            "payment_intent": charge["payment_intent"], "reason": reason,
            "status": "succeeded"})
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
        self.events.emit("refund.created", refund)
        self.events.emit("charge.refunded", charge)
        return refund

    def _instructions_email(self, charge: dict[str, Any], params: dict[str, Any]) -> str | None:
        """A bank-transfer refund goes to the customer's bank: Stripe asks them by email."""
        if charge["payment_method_details"]["type"] != "customer_balance":
            return params.get("instructions_email") or None
        customer = self.store.get(charge.get("customer") or "", "customer") or {}
        email = params.get("instructions_email") or customer.get("email")
        if not email:
            raise invalid("This refund needs the customer's bank details, which Stripe asks "
                          "for by email: set the Customer's email or pass instructions_email.",
                          param="instructions_email")
        return str(email)

    def _charge(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("charge"):
            charge = self.store.get(params["charge"], "charge")
            if charge is None:
                raise no_such("charge", params["charge"], param="charge")
        elif params.get("payment_intent"):
            pi = self.store.get(params["payment_intent"], "payment_intent")
            if pi is None:
                raise no_such("payment_intent", params["payment_intent"], param="payment_intent")
            charge = self.store.objects.get(pi["latest_charge"] or "")
            if pi["status"] != "succeeded" or charge is None:
                raise invalid(f"This PaymentIntent ({pi['id']}) does not have a successful "
                              "charge to refund.", param="payment_intent")
        else:
            raise invalid("One of the following params should be provided for this request: "
                          "payment_intent or charge.")
        if not charge["captured"]:
            raise invalid(f"Charge {charge['id']} has not been captured; cancel its "
                          "PaymentIntent instead.", param="charge")
        return charge


def _destination(charge: dict[str, Any]) -> dict[str, Any]:
    """Where the money goes: the card or PayPal account, or the payer's bank (EU transfer)."""
    kind = charge["payment_method_details"]["type"]
    if kind == "customer_balance":
        return {"type": "eu_bank_transfer", "eu_bank_transfer": {
            "reference": new_id("ref")[4:16].upper(), "reference_status": "available"}}
    return {"type": kind, kind: {"reference": None, "reference_status": "pending",
                                 "reference_type": None, "type": "refund"} if kind == "card"
            else {}}
