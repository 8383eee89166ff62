"""Refunds never above what was captured; auth, unknown ids and validation errors."""

from __future__ import annotations

import pytest
import stripe

from devstack.stripe import LocalStripe


def _paid(client: stripe.StripeClient, amount: int = 3000) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(params={
        "amount": amount, "currency": "eur", "payment_method": "pm_card_visa", "confirm": True})


def test_partial_then_full_refund_then_refuse_more(client: stripe.StripeClient) -> None:
    pi = _paid(client)

    first = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1000,
                                             "reason": "requested_by_customer"})
    rest = client.v1.refunds.create(params={"payment_intent": pi.id})

    assert (first.object, first.amount, first.status, first.reason) == (
        "refund", 1000, "succeeded", "requested_by_customer")
    assert first.id.startswith("re_") and rest.amount == 2000
    assert client.v1.refunds.retrieve(first.id).charge == pi.latest_charge
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (3000, True)
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1})
    assert (raised.value.http_status, raised.value.code) == (400, "charge_already_refunded")


def test_refund_above_the_captured_amount_is_refused(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(params={
        "amount": 3000, "currency": "eur", "payment_method": "pm_card_visa", "confirm": True,
        "capture_method": "manual"})
    client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 1200})

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1201})

    assert (raised.value.http_status, raised.value.code, raised.value.param) == (
        400, "amount_too_large", "amount")
    assert client.v1.refunds.create(params={"payment_intent": pi.id}).amount == 1200


def test_an_uncaptured_intent_has_nothing_to_refund(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(params={
        "amount": 900, "currency": "eur", "payment_method": "pm_card_visa", "confirm": True,
        "capture_method": "manual"})

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.refunds.create(params={"payment_intent": pi.id})

    assert raised.value.error.param == "payment_intent"


def test_a_wrong_api_key_is_a_401(twin: LocalStripe) -> None:
    other = stripe.StripeClient("sk_test_wrong0000", base_addresses={"api": twin.base_url},
                                max_network_retries=0)

    with pytest.raises(stripe.AuthenticationError) as raised:
        other.v1.payment_intents.list()

    assert raised.value.http_status == 401
    assert raised.value.user_message == "Invalid API Key provided: sk_test_****0000"


def test_an_unknown_id_is_a_404_resource_missing(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.retrieve("pi_doesnotexist")

    assert (raised.value.http_status, raised.value.code, raised.value.user_message) == (
        404, "resource_missing", "No such payment_intent: 'pi_doesnotexist'")


@pytest.mark.parametrize(("params", "param", "code"), [
    ({"currency": "eur"}, "amount", "parameter_missing"),
    ({"amount": 0, "currency": "eur"}, "amount", None),
    ({"amount": 100}, "currency", "parameter_missing"),
    ({"amount": 100, "currency": "eur", "payment_method": "pm_nope"}, "payment_method",
     "resource_missing"),
], ids=["no-amount", "zero-amount", "no-currency", "unknown-method"])
def test_invalid_parameters_are_400(client: stripe.StripeClient, params: dict, param: str,
                                    code: str | None) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]

    assert (raised.value.http_status, raised.value.error.param, raised.value.code) == (
        400, param, code)
