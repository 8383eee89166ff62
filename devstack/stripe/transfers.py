"""Transfers to connected accounts (separate charges and transfers) and their reversals."""

from __future__ import annotations

import copy
from typing import Any

from devstack.stripe.balances import platform_available
from devstack.stripe.created_filter import created_between
from devstack.stripe.errors import invalid, missing_param, no_such
from devstack.stripe.events import Events, previous_attributes
from devstack.stripe.object_lists import list_object
from devstack.stripe.payment_intents import parse_amount
from devstack.stripe.store import Store, new_id, now

NO_TRANSFERS = ("Your destination account needs to have at least one of the following "
                "capabilities enabled: transfers, crypto_transfers, legacy_payments")
INSUFFICIENT = ("You have insufficient funds in your Stripe account. One likely reason you have "
                "insufficient funds is that your funds are automatically being paid out; try "
                "enabling manual payouts by going to https://dashboard.stripe.com/account/payouts.")


def _metadata(params: dict[str, Any]) -> dict[str, str]:
    metadata = params.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise invalid("Invalid object", param="metadata")
    return {key: str(value) for key, value in metadata.items() if value != ""}


class Transfers:
    """/v1/transfers and /v1/transfers/{id}/reversals; callers hold store.lock and save."""

    def __init__(self, store: Store, events: Events) -> None:
        self.store, self.events = store, events

    def get(self, transfer_id: str) -> dict[str, Any]:
        """The transfer, or 404 resource_missing."""
        transfer = self.store.get(transfer_id, "transfer")
        if transfer is None:
            raise no_such("transfer", transfer_id)
        return transfer

    def create(self, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/transfers: to an account whose `transfers` capability is active."""
        amount = parse_amount(params.get("amount"), "amount")
        currency = str(params.get("currency") or "").lower()
        if not currency:
            raise missing_param("currency")
        destination = self._destination(params.get("destination"))
        source = params.get("source_transaction") or None
        if source is not None:
            self._check_source(source, amount, currency)
        elif platform_available(self.store).get(currency, 0) < amount:
            raise invalid(INSUFFICIENT, code="balance_insufficient", saved=True)
        transfer_id = new_id("tr")
        transfer = self.store.put({
            "id": transfer_id, "object": "transfer", "amount": amount, "amount_reversed": 0,
            "balance_transaction": None, "created": now(), "currency": currency,
            "description": params.get("description") or None, "destination": destination,
            "destination_payment": new_id("py"), "livemode": False,
            "metadata": _metadata(params),
            "reversals": {"object": "list", "data": [], "has_more": False, "total_count": 0,
                          "url": f"/v1/transfers/{transfer_id}/reversals"},
            "reversed": False, "source_transaction": source, "source_type": "card",
            "transfer_group": params.get("transfer_group") or None})
        self.events.emit("transfer.created", transfer)
        return transfer

    def update(self, transfer_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/transfers/{id}: description and metadata only, as Stripe allows."""
        transfer = self.get(transfer_id)
        before = copy.deepcopy(transfer)
        if "description" in params:
            transfer["description"] = params["description"] or None
        if "metadata" in params:
            metadata = {**transfer["metadata"], **(params["metadata"] or {})}
            transfer["metadata"] = {k: str(v) for k, v in metadata.items() if v != ""}
        changed = previous_attributes(before, transfer)
        if changed:
            self.events.emit("transfer.updated", transfer, previous=changed)
        return transfer

    def list(self, params: dict[str, Any]) -> dict[str, Any]:
        """GET /v1/transfers, newest first, by transfer_group and destination if given."""
        items = [t for t in self.store.of_kind("transfer")
                 if params.get("transfer_group") in (None, "", t["transfer_group"])
                 and params.get("destination") in (None, "", t["destination"])]
        return list_object(created_between(items, params.get("created")), params, "/v1/transfers",
                    "transfer")

    def reverse(self, transfer_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/transfers/{id}/reversals: all that is left, or `amount` of it."""
        transfer = self.get(transfer_id)
        left = transfer["amount"] - transfer["amount_reversed"]
        if left <= 0:
            raise invalid(f"Transfer {transfer_id} has already been fully reversed.",
                          saved=True)
        amount = parse_amount(params["amount"], "amount") if "amount" in params else left
        if amount > left:
            raise invalid(f"Reversal amount ({amount}) is greater than the amount left on "
                          f"transfer {transfer_id} ({left}).", param="amount",
                          code="amount_too_large", saved=True)
        reversal = self.store.put({
            "id": new_id("trr"), "object": "transfer_reversal", "amount": amount,
            "balance_transaction": None, "created": now(), "currency": transfer["currency"],
            "destination_payment_refund": new_id("pyr"), "metadata": _metadata(params),
            "source_refund": None, "transfer": transfer_id})
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        nested = transfer["reversals"]
        nested["data"] = [*nested["data"], copy.deepcopy(reversal)][-10:]
        nested["total_count"] += 1
        nested["has_more"] = nested["total_count"] > len(nested["data"])
        self.events.emit("transfer.reversed", transfer)
        return reversal

    def reversals(self, transfer_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """GET /v1/transfers/{id}/reversals, newest first."""
        self.get(transfer_id)
        items = [r for r in self.store.of_kind("transfer_reversal")
                 if r["transfer"] == transfer_id]
        return list_object(items, params, f"/v1/transfers/{transfer_id}/reversals",
                    "transfer_reversal")

    def reversal(self, path: str) -> dict[str, Any]:
        """GET /v1/transfers/{id}/reversals/{reversal}; path is "{id}/reversals/{reversal}"."""
        transfer_id, _, reversal_id = path.split("/")
        reversal = self.store.get(reversal_id, "transfer_reversal")
        if reversal is None or reversal["transfer"] != transfer_id:
            raise no_such("transfer_reversal", reversal_id)
        return reversal

    def _destination(self, account_id: Any) -> str:
        if not account_id:
            raise missing_param("destination")
        account = self.store.get(str(account_id), "account")
        if account is None:
            raise no_such("destination", str(account_id), param="destination")
        if account["capabilities"].get("transfers") != "active":
            raise invalid(NO_TRANSFERS, param="destination",
                          code="insufficient_capabilities_for_transfer", saved=True)
        return account["id"]

    def _check_source(self, charge_id: str, amount: int, currency: str) -> None:
        """A captured charge in the same currency with `amount` not yet transferred from it."""
        charge = self.store.get(charge_id, "charge")
        if charge is None:
            raise no_such("charge", charge_id, param="source_transaction")
        if charge["status"] != "succeeded" or not charge["captured"]:
            raise invalid(f"The source_transaction {charge_id} has not been captured.",
                          param="source_transaction", saved=True)
        if charge["currency"] != currency:
            raise invalid(f"The currency of source_transaction {charge_id} "
                          f"({charge['currency']}) must be the transfer's ({currency}).",
                          param="currency", saved=True)
        sent = sum(t["amount"] - t["amount_reversed"] for t in self.store.of_kind("transfer")
                   if t["source_transaction"] == charge_id)
        left = charge["amount_captured"] - sent
        if amount > left:
            raise invalid(f"Transfer amount ({amount}) exceeds what is left to transfer from "
                          f"source_transaction {charge_id} ({left}).", param="amount",
                          code="amount_too_large", saved=True)
