"""Balances derived from the store at read time, so that they always add up.

Platform: captured charges − refunds − transfers + their reversals. A connected account:
transfers to it − their reversals. Funds are `available` at once (Stripe keeps card funds
`pending` for days, except for the 4000000000000077 test card); Stripe's fees are not taken.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from devstack.stripe.accounts import PLATFORM_COUNTRY, currency_of
from devstack.stripe.store import Store


def platform_available(store: Store) -> dict[str, int]:
    """The platform's available funds by currency."""
    totals: dict[str, int] = defaultdict(int)
    for charge in store.of_kind("charge"):
        if charge.get("status") == "succeeded" and charge.get("captured"):
            totals[charge["currency"]] += charge["amount_captured"] - charge["amount_refunded"]
    for transfer in store.of_kind("transfer"):
        totals[transfer["currency"]] -= transfer["amount"] - transfer["amount_reversed"]
    return dict(totals)


def account_available(store: Store, account_id: str) -> dict[str, int]:
    """A connected account's available funds by currency (it never pays out in the twin)."""
    totals: dict[str, int] = defaultdict(int)
    for transfer in store.of_kind("transfer"):
        if transfer["destination"] == account_id:
            totals[transfer["currency"]] += transfer["amount"] - transfer["amount_reversed"]
    return dict(totals)


def balance(store: Store, account_id: str | None) -> dict[str, Any]:
    """GET /v1/balance: the platform's, or with Stripe-Account a connected account's."""
    if account_id is None:
        totals, default = platform_available(store), currency_of(PLATFORM_COUNTRY)
    else:
        totals = account_available(store, account_id)
        default = store.objects[account_id]["default_currency"]
    currencies = [default, *sorted(set(totals) - {default})]
    body: dict[str, Any] = {
        "object": "balance", "livemode": False,
        "available": [{"amount": totals.get(c, 0), "currency": c,
                       "source_types": {"card": totals.get(c, 0)}} for c in currencies],
        "pending": [{"amount": 0, "currency": c, "source_types": {"card": 0}}
                    for c in currencies]}
    if account_id is None:
        body["connect_reserved"] = [{"amount": 0, "currency": c} for c in currencies]
    return body
