"""Separate charges and transfers: one payment pays two vendors, refunds reverse their transfers.

Each test has a twin of its own, so the platform's balance starts at zero and every step's
balances can be asserted exactly.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import stripe

from devstack.stripe import LocalStripe


def _pay(client: stripe.StripeClient, amount: int, currency: str = "eur",
         group: str | None = None) -> stripe.PaymentIntent:
    params = {"amount": amount, "currency": currency, "payment_method": "pm_card_visa",
              "confirm": True, **({"transfer_group": group} if group else {})}
    return client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]


def _available(client: stripe.StripeClient, account: str | None = None) -> int:
    options = {"stripe_account": account} if account else {}
    available = client.v1.balance.retrieve(options=options).available  # type: ignore[arg-type]
    return sum(entry.amount for entry in available if entry.currency == "eur")


def _transfer(client: stripe.StripeClient, amount: int, destination: str,
              **params: Any) -> stripe.Transfer:
    return client.v1.transfers.create(params={  # type: ignore[arg-type]
        "amount": amount, "currency": "eur", "destination": destination, **params})


def test_one_payment_pays_two_vendors_and_a_refund_reverses_their_transfers(
        own_client: stripe.StripeClient, own_twin: LocalStripe, onboard: Any) -> None:
    # Given an order paid 10 000 and two onboarded vendors
    client, group = own_client, f"order-{uuid.uuid4()}"
    shoes, hats = onboard(client).id, onboard(client).id
    pi = _pay(client, 10_000, group=group)
    assert _available(client) == 10_000

    # When the platform pays each vendor its share and keeps the commission
    to_shoes = _transfer(client, 6_000, shoes, transfer_group=group,
                         source_transaction=pi.latest_charge, metadata={"order": group})
    to_hats = _transfer(client, 2_500, hats, transfer_group=group,
                        source_transaction=pi.latest_charge)

    # Then balances add up: 10 000 = 1 500 kept + 6 000 + 2 500
    assert (_available(client), _available(client, shoes), _available(client, hats)) == (
        1_500, 6_000, 2_500)
    assert (to_shoes.object, to_shoes.amount, to_shoes.amount_reversed, to_shoes.reversed) == (
        "transfer", 6_000, 0, False)
    assert (to_shoes.destination, to_shoes.source_transaction, to_shoes.transfer_group) == (
        shoes, pi.latest_charge, group)
    assert to_shoes.id.startswith("tr_") and to_shoes.destination_payment.startswith("py_")
    listed = client.v1.transfers.list(params={"transfer_group": group})
    assert [t.id for t in listed.data] == [to_hats.id, to_shoes.id]
    assert [t.id for t in client.v1.transfers.list(params={"destination": hats}).data] == [
        to_hats.id]

    # When the shoes (3 000 of them) are returned: refund, then reverse that part
    client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 3_000})
    assert _available(client) == -1_500
    reversal = client.v1.transfers.reversals.create(to_shoes.id, params={"amount": 3_000})

    # Then the vendor gives its part back
    assert (reversal.object, reversal.amount, reversal.transfer) == (
        "transfer_reversal", 3_000, to_shoes.id)
    assert (_available(client), _available(client, shoes)) == (1_500, 3_000)

    # When the rest of the order is refunded and both transfers reversed in full
    client.v1.refunds.create(params={"payment_intent": pi.id})
    client.v1.transfers.reversals.create(to_shoes.id)
    client.v1.transfers.reversals.create(to_hats.id)

    # Then everyone is back to zero
    assert (_available(client), _available(client, shoes), _available(client, hats)) == (
        0, 0, 0)
    shoes_transfer = client.v1.transfers.retrieve(to_shoes.id)
    assert (shoes_transfer.amount_reversed, shoes_transfer.reversed,
            shoes_transfer.reversals.total_count) == (6_000, True, 2)
    reversals = client.v1.transfers.reversals.list(to_shoes.id)
    assert [r.amount for r in reversals.data] == [3_000, 3_000]
    assert client.v1.transfers.reversals.retrieve(to_shoes.id, reversal.id).amount == 3_000
    types = [e.type for e in client.v1.events.list(params={"limit": 100}).data
             if e.type.startswith("transfer.")]
    assert types == ["transfer.reversed"] * 3 + ["transfer.created"] * 2


def test_a_transfer_to_an_account_not_onboarded_is_refused(
        own_client: stripe.StripeClient) -> None:
    pi = _pay(own_client, 5_000)
    account = own_client.v1.accounts.create(params={
        "type": "express", "capabilities": {"transfers": {"requested": True}}})

    with pytest.raises(stripe.InvalidRequestError) as raised:
        _transfer(own_client, 1_000, account.id, source_transaction=pi.latest_charge)

    error = raised.value
    assert (error.http_status, error.code, error.param) == (
        400, "insufficient_capabilities_for_transfer", "destination")
    assert error.user_message == (
        "Your destination account needs to have at least one of the following capabilities "
        "enabled: transfers, crypto_transfers, legacy_payments")
    assert _available(own_client) == 5_000


def test_a_transfer_above_what_is_left_of_its_charge_is_refused(
        own_client: stripe.StripeClient, onboard: Any) -> None:
    pi, vendor = _pay(own_client, 5_000), onboard(own_client).id
    _transfer(own_client, 3_000, vendor, source_transaction=pi.latest_charge)

    with pytest.raises(stripe.InvalidRequestError) as raised:
        _transfer(own_client, 2_001, vendor, source_transaction=pi.latest_charge)
    last = _transfer(own_client, 2_000, vendor, source_transaction=pi.latest_charge)

    assert (raised.value.http_status, raised.value.code, raised.value.param) == (
        400, "amount_too_large", "amount")
    assert (last.amount, _available(own_client), _available(own_client, vendor)) == (
        2_000, 0, 5_000)


def test_a_transfer_in_another_currency_than_its_charge_is_refused(
        own_client: stripe.StripeClient, onboard: Any) -> None:
    pi, vendor = _pay(own_client, 5_000, currency="usd"), onboard(own_client).id

    with pytest.raises(stripe.InvalidRequestError) as raised:
        _transfer(own_client, 1_000, vendor, source_transaction=pi.latest_charge)

    assert (raised.value.http_status, raised.value.param) == (400, "currency")


def test_a_transfer_without_source_transaction_needs_the_available_balance(
        own_client: stripe.StripeClient, onboard: Any) -> None:
    vendor = onboard(own_client).id
    with pytest.raises(stripe.InvalidRequestError) as empty:
        _transfer(own_client, 1, vendor)
    _pay(own_client, 1_000)

    paid = _transfer(own_client, 800, vendor)
    with pytest.raises(stripe.InvalidRequestError) as short:
        _transfer(own_client, 201, vendor)

    assert (empty.value.http_status, empty.value.code) == (400, "balance_insufficient")
    assert short.value.code == "balance_insufficient"
    assert (paid.source_transaction, _available(own_client), _available(own_client, vendor)) == (
        None, 200, 800)


def test_a_reversal_above_what_is_left_of_the_transfer_is_refused(
        own_client: stripe.StripeClient, onboard: Any) -> None:
    pi, vendor = _pay(own_client, 2_000), onboard(own_client).id
    transfer = _transfer(own_client, 1_500, vendor, source_transaction=pi.latest_charge)
    own_client.v1.transfers.reversals.create(transfer.id, params={"amount": 1_000})

    with pytest.raises(stripe.InvalidRequestError) as over:
        own_client.v1.transfers.reversals.create(transfer.id, params={"amount": 501})
    rest = own_client.v1.transfers.reversals.create(transfer.id)
    with pytest.raises(stripe.InvalidRequestError) as again:
        own_client.v1.transfers.reversals.create(transfer.id)

    assert (over.value.http_status, over.value.code, over.value.param) == (
        400, "amount_too_large", "amount")
    assert (rest.amount, again.value.http_status) == (500, 400)
    assert (_available(own_client), _available(own_client, vendor)) == (2_000, 0)


def test_updating_a_transfers_metadata_sends_transfer_updated(
        own_client: stripe.StripeClient, onboard: Any) -> None:
    pi, vendor = _pay(own_client, 900), onboard(own_client).id
    transfer = _transfer(own_client, 900, vendor, source_transaction=pi.latest_charge,
                         metadata={"order": "o-1"})

    updated = own_client.v1.transfers.update(transfer.id, params={
        "metadata": {"payout_batch": "b-7"}, "description": "order o-1"})

    assert updated.metadata.to_dict() == {"order": "o-1", "payout_batch": "b-7"}
    event = own_client.v1.events.list(params={"type": "transfer.updated"}).data[0]
    assert event.data.previous_attributes.to_dict() == {
        "description": None, "metadata": {"payout_batch": None}}


def test_an_unknown_destination_is_a_400_resource_missing(
        own_client: stripe.StripeClient) -> None:
    _pay(own_client, 500)

    with pytest.raises(stripe.InvalidRequestError) as raised:
        _transfer(own_client, 100, "acct_missing")

    assert (raised.value.http_status, raised.value.code, raised.value.param) == (
        400, "resource_missing", "destination")
