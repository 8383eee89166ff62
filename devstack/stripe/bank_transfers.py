"""EU bank transfers through customer_balance: instructions, funding and reconciliation."""

from __future__ import annotations

import secrets
from typing import Any

from devstack.stripe.errors import invalid, missing_param, no_such
from devstack.stripe.events import Events
from devstack.stripe.forms import parse_amount
from devstack.stripe.outcomes import Outcomes
from devstack.stripe.store import Store, new_id, now

COUNTRIES = {"BE": 12, "DE": 18, "ES": 20, "FR": 23, "IE": 14, "NL": 10}  # BBAN digits
BANK_LETTERS = {"IE": "BZRT", "NL": "BZRT"}  # these IBANs start their BBAN with a bank code
OPTIONS = "payment_method_options[customer_balance]"
HOLDER = "Bazaar test account"
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def iban(country: str) -> str:
    """A random IBAN of the country's length with valid ISO 13616 check digits."""
    bban = BANK_LETTERS.get(country, "") + "".join(
        secrets.choice("0123456789") for _ in range(COUNTRIES[country]))
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def parse_options(options: Any, currency: str) -> dict[str, Any]:
    """payment_method_options[customer_balance] for an EU bank transfer; 400 when invalid."""
    options = options if isinstance(options, dict) else {}
    if options.get("funding_type") != "bank_transfer":
        raise missing_param(f"{OPTIONS}[funding_type]")
    transfer = options.get("bank_transfer") or {}
    if transfer.get("type") != "eu_bank_transfer":
        raise invalid("The twin supports bank_transfer[type] eu_bank_transfer only.",
                      param=f"{OPTIONS}[bank_transfer][type]")
    country = (transfer.get("eu_bank_transfer") or {}).get("country")
    if country not in COUNTRIES:
        raise invalid(f"Invalid country: must be one of {', '.join(COUNTRIES)}.",
                      param=f"{OPTIONS}[bank_transfer][eu_bank_transfer][country]")
    if currency != "eur":
        raise invalid("eu_bank_transfer only supports the currency eur.", param="currency")
    return {"funding_type": "bank_transfer", "bank_transfer": {
        "type": "eu_bank_transfer", "eu_bank_transfer": {"country": country},
        "requested_address_types": ["iban"]}}


class BankTransfers:
    """Cash balances per customer, applied to their waiting intents; callers hold store.lock."""

    def __init__(self, store: Store, events: Events, outcomes: Outcomes, base_url: str) -> None:
        self.store, self.events, self.outcomes = store, events, outcomes
        self.base_url = base_url

    def confirm(self, pi: dict[str, Any], pm: dict[str, Any]) -> dict[str, Any]:
        """Wait in requires_action with transfer instructions; apply what the balance holds."""
        options = parse_options(pi["payment_method_options"].get("customer_balance"),
                                pi["currency"])
        country = options["bank_transfer"]["eu_bank_transfer"]["country"]
        applied = self.store.state["funds_applied"].get(pi["id"], 0)
        pi["status"] = "requires_action"
        pi["next_action"] = {"type": "display_bank_transfer_instructions",
                             "display_bank_transfer_instructions": {
                                 "amount_remaining": pi["amount"] - applied,
                                 "currency": pi["currency"],
                                 "financial_addresses": [self._address(pi["customer"], country)],
                                 "hosted_instructions_url": (
                                     f"{self.base_url}/redirect/bank_transfer_instructions/"
                                     f"{pi['id']}?client_secret={pi['client_secret']}"),
                                 "reference": "".join(secrets.choice(REFERENCE_ALPHABET)
                                                      for _ in range(12)),
                                 "type": "eu_bank_transfer"}}
        self.events.emit("payment_intent.requires_action", pi)
        self.reconcile(pi["customer"], pi["currency"])
        return pi

    def _address(self, customer: str, country: str) -> dict[str, Any]:
        """The customer's virtual IBAN for a country: made once, the same for every intent."""
        accounts = self.store.state["test_behaviour"]
        key = f"iban:{customer}:{country}"
        accounts.setdefault(key, iban(country))
        place = {"city": None, "country": country, "line1": None, "line2": None,
                 "postal_code": None, "state": None}
        return {"type": "iban", "supported_networks": ["sepa"], "iban": {
            "account_holder_name": HOLDER, "account_holder_address": dict(place),
            "bank_address": dict(place), "bic": f"BZRT{country}22XXX", "country": country,
            "iban": accounts[key]}}

    def fund(self, customer: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/test_helpers/customers/{id}/fund_cash_balance: an incoming transfer."""
        if self.store.get(customer, "customer") is None:
            raise no_such("customer", customer)
        amount = parse_amount(params.get("amount"), "amount")
        currency = str(params.get("currency") or "").lower()
        if not currency:
            raise missing_param("currency")
        reference = params.get("reference") or None
        funded = self._transaction(customer, currency, amount, "funded", {"bank_transfer": {
            "type": "eu_bank_transfer", "reference": reference, "eu_bank_transfer": {
                "bic": None, "iban_last4": None, "sender_name": None}}})
        self.reconcile(customer, currency, reference)
        return funded

    def balance(self, customer: str, currency: str) -> int:
        """The customer's available cash balance in a currency."""
        return self.store.state["cash_balances"].get(customer, {}).get(currency, 0)

    def reconcile(self, customer: str, currency: str, reference: str | None = None) -> None:
        """Apply the balance: to the intent named by reference, else to one waiting for the
        exact amount, else to the oldest waiting intents in turn (the last one partly)."""
        for pi in self._waiting(customer, currency):
            if reference and _instructions(pi)["reference"] == reference:
                self._apply_available(pi)
        exact = [pi for pi in self._waiting(customer, currency)
                 if _instructions(pi)["amount_remaining"] == self.balance(customer, currency)]
        for pi in exact[:1] + self._waiting(customer, currency):
            self._apply_available(pi)

    def _waiting(self, customer: str, currency: str) -> list[dict[str, Any]]:
        """The customer's intents awaiting a transfer in this currency, oldest first."""
        return [pi for pi in self.store.of_kind("payment_intent")
                if pi["customer"] == customer and pi["currency"] == currency
                and pi["status"] == "requires_action"
                and pi["next_action"]["type"] == "display_bank_transfer_instructions"]

    def _apply_available(self, pi: dict[str, Any]) -> None:
        available = self.balance(pi["customer"], pi["currency"])
        if available and pi["status"] == "requires_action":
            self._apply(pi, min(available, _instructions(pi)["amount_remaining"]))

    def _apply(self, pi: dict[str, Any], amount: int) -> None:
        applied = self.store.state["funds_applied"]
        applied[pi["id"]] = applied.get(pi["id"], 0) + amount
        self._transaction(pi["customer"], pi["currency"], -amount, "applied_to_payment",
                          {"payment_intent": pi["id"]})
        remaining = pi["amount"] - applied[pi["id"]]
        if remaining:
            _instructions(pi)["amount_remaining"] = remaining
            self.events.emit("payment_intent.partially_funded", pi)
            return
        pm = self.store.objects[pi["payment_method"]]
        self.outcomes.pay(pi, pm)

    def release(self, pi: dict[str, Any]) -> None:
        """A canceled intent gives back the funds applied to it (unapplied_from_payment)."""
        amount = self.store.state["funds_applied"].pop(pi["id"], 0)
        if amount:
            self._transaction(pi["customer"], pi["currency"], amount, "unapplied_from_payment",
                              {"payment_intent": pi["id"]})

    def _transaction(self, customer: str, currency: str, net: int, kind: str,
                     details: dict[str, Any]) -> dict[str, Any]:
        balances = self.store.state["cash_balances"].setdefault(customer, {})
        balances[currency] = balances.get(currency, 0) + net
        transaction = self.store.put({
            "id": new_id("ccsbtxn"), "object": "customer_cash_balance_transaction",
            "created": now(), "currency": currency, "customer": customer,
            "ending_balance": balances[currency], "livemode": False, "net_amount": net,
            "type": kind, kind: details})
        self.events.emit("customer_cash_balance_transaction.created", transaction)
        return transaction


def cash_balance(store: Store, customer: str) -> dict[str, Any]:
    """The cash_balance object: what the customer sent and is not yet applied, per currency."""
    return {"object": "cash_balance", "customer": customer, "livemode": False,
            "available": dict(store.state["cash_balances"].get(customer, {})),
            "settings": {"reconciliation_mode": "automatic", "using_merchant_default": True}}


def _instructions(pi: dict[str, Any]) -> dict[str, Any]:
    return pi["next_action"]["display_bank_transfer_instructions"]
