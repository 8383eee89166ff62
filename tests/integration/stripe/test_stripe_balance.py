"""GET /v1/balance for the platform and, with Stripe-Account, for a connected account."""

from __future__ import annotations

from typing import Any

import pytest
import stripe


def _amounts(balance: stripe.Balance) -> tuple[dict[str, int], dict[str, int]]:
    return ({e.currency: e.amount for e in balance.available},
            {e.currency: e.amount for e in balance.pending})


def test_a_fresh_platform_has_nothing_in_its_default_currency(
        own_client: stripe.StripeClient) -> None:
    balance = own_client.v1.balance.retrieve()

    assert (balance.object, balance.livemode) == ("balance", False)
    assert _amounts(balance) == ({"eur": 0}, {"eur": 0})


def test_only_captured_money_less_refunds_is_available(own_client: stripe.StripeClient) -> None:
    held = own_client.v1.payment_intents.create(params={
        "amount": 3_000, "currency": "eur", "payment_method": "pm_card_visa", "confirm": True,
        "capture_method": "manual"})
    with pytest.raises(stripe.CardError):
        own_client.v1.payment_intents.create(params={
            "amount": 7_000, "currency": "eur", "payment_method": "pm_card_chargeDeclined",
            "confirm": True})
    uncaptured = _amounts(own_client.v1.balance.retrieve())

    own_client.v1.payment_intents.capture(held.id, params={"amount_to_capture": 1_200})
    captured = _amounts(own_client.v1.balance.retrieve())
    own_client.v1.refunds.create(params={"payment_intent": held.id, "amount": 200})
    refunded = _amounts(own_client.v1.balance.retrieve())

    assert [uncaptured[0], captured[0], refunded[0]] == [{"eur": 0}, {"eur": 1_200},
                                                         {"eur": 1_000}]
    assert refunded[1] == {"eur": 0}  # funds are available at once in the twin


def test_each_currency_has_its_own_entry(own_client: stripe.StripeClient) -> None:
    for amount, currency in ((500, "usd"), (700, "eur"), (300, "gbp")):
        own_client.v1.payment_intents.create(params={
            "amount": amount, "currency": currency, "payment_method": "pm_card_visa",
            "confirm": True})

    available, _ = _amounts(own_client.v1.balance.retrieve())

    assert list(available.items()) == [("eur", 700), ("gbp", 300), ("usd", 500)]


def test_a_connected_account_balance_is_read_with_its_stripe_account_header(
        own_client: stripe.StripeClient, onboard: Any) -> None:
    vendor = onboard(own_client)
    pi = own_client.v1.payment_intents.create(params={
        "amount": 1_000, "currency": "eur", "payment_method": "pm_card_visa", "confirm": True})
    own_client.v1.transfers.create(params={
        "amount": 700, "currency": "eur", "destination": vendor.id,
        "source_transaction": pi.latest_charge})

    vendor_balance = own_client.v1.balance.retrieve(options={"stripe_account": vendor.id})
    platform_balance = own_client.v1.balance.retrieve()

    assert _amounts(vendor_balance) == ({"eur": 700}, {"eur": 0})
    assert _amounts(platform_balance) == ({"eur": 300}, {"eur": 0})


def test_an_unknown_stripe_account_is_a_403_account_invalid(
        own_client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.PermissionError) as raised:
        own_client.v1.balance.retrieve(options={"stripe_account": "acct_missing"})

    assert (raised.value.http_status, raised.value.error.code) == (403, "account_invalid")


def test_a_stripe_account_header_where_the_twin_does_not_serve_it_is_refused(
        own_client: stripe.StripeClient, onboard: Any) -> None:
    vendor = onboard(own_client)

    with pytest.raises(stripe.InvalidRequestError) as raised:
        own_client.v1.payment_intents.create(
            params={"amount": 100, "currency": "eur"}, options={"stripe_account": vendor.id})

    assert raised.value.http_status == 400
    assert own_client.v1.payment_intents.list().data == []
