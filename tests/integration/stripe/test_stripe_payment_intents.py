"""PaymentIntents for cards, driven through the official SDK as Stripe's docs describe them."""

from __future__ import annotations

import urllib.parse
import uuid

import pytest
import requests
import stripe


def _pay(client: stripe.StripeClient, pm: str, **extra: object) -> stripe.PaymentIntent:
    params = {"amount": 2500, "currency": "eur", "payment_method": pm, "confirm": True,
              "metadata": {"order_id": f"o-{uuid.uuid4()}"}, **extra}
    return client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]


def test_visa_succeeds_with_a_captured_charge(client: stripe.StripeClient) -> None:
    pi = _pay(client, "pm_card_visa", expand=["latest_charge"], transfer_group="order-1")

    assert (pi.object, pi.status, pi.amount_received, pi.livemode) == (
        "payment_intent", "succeeded", 2500, False)
    assert pi.id.startswith("pi_") and pi.payment_method.startswith("pm_")
    assert pi.metadata["order_id"].startswith("o-") and pi.transfer_group == "order-1"
    charge = pi.latest_charge
    assert (charge.object, charge.amount_captured, charge.captured, charge.status) == (
        "charge", 2500, True, "succeeded")


@pytest.mark.parametrize(("pm", "decline_code", "message"), [
    ("pm_card_visa_chargeDeclined", "generic_decline", "Your card was declined."),
    ("pm_card_chargeDeclined", "generic_decline", "Your card was declined."),
    ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds",
     "Your card has insufficient funds."),
], ids=["visa-declined", "declined", "insufficient-funds"])
def test_declined_card_is_a_402_card_error_and_the_intent_wants_a_new_method(
        client: stripe.StripeClient, pm: str, decline_code: str, message: str) -> None:
    with pytest.raises(stripe.CardError) as raised:
        _pay(client, pm)

    error = raised.value
    assert (error.http_status, error.error.type, error.code, error.error.decline_code,
            error.user_message) == (402, "card_error", "card_declined", decline_code, message)
    pi = client.v1.payment_intents.retrieve(error.error.payment_intent.id)
    assert pi.status == "requires_payment_method"
    assert (pi.last_payment_error.code, pi.last_payment_error.decline_code) == (
        "card_declined", decline_code)


def _three_d_secure(client: stripe.StripeClient, action: str, capture_method: str) -> str:
    return_url = "https://shop.example/return?cart=7"
    pi = _pay(client, "pm_card_threeDSecure2Required", return_url=return_url,
              capture_method=capture_method)
    assert (pi.status, pi.next_action.type) == ("requires_action", "redirect_to_url")
    assert pi.next_action.redirect_to_url.return_url == return_url
    page = pi.next_action.redirect_to_url.url
    assert requests.get(page, timeout=5).status_code == 200
    split = urllib.parse.urlsplit(page)
    answer = requests.post(f"{split.scheme}://{split.netloc}{split.path}/{action}?{split.query}",
                           allow_redirects=False, timeout=5)
    assert answer.status_code == 303
    location = urllib.parse.urlsplit(answer.headers["Location"])
    query = dict(urllib.parse.parse_qsl(location.query))
    assert (location.netloc, query["cart"], query["payment_intent"]) == (
        "shop.example", "7", pi.id)
    return query["redirect_status"] + ":" + client.v1.payment_intents.retrieve(pi.id).status


@pytest.mark.parametrize(("action", "capture_method", "outcome"), [
    ("authorize", "automatic", "succeeded:succeeded"),
    ("authorize", "manual", "succeeded:requires_capture"),
    ("fail", "automatic", "failed:requires_payment_method"),
], ids=["authorized", "authorized-manual", "failed"])
def test_three_d_secure_redirects_then_proceeds_on_the_test_page(
        client: stripe.StripeClient, action: str, capture_method: str, outcome: str) -> None:
    assert _three_d_secure(client, action, capture_method) == outcome


def test_failed_authentication_records_the_documented_error(client: stripe.StripeClient) -> None:
    _three_d_secure(client, "fail", "automatic")
    pi = client.v1.payment_intents.list(params={"limit": 1}).data[0]

    assert pi.last_payment_error.code == "payment_intent_authentication_failure"


@pytest.mark.parametrize(("to_capture", "received"), [(None, 2500), (1000, 1000)],
                         ids=["full", "partial"])
def test_manual_capture_full_and_partial(client: stripe.StripeClient, to_capture: int | None,
                                         received: int) -> None:
    pi = _pay(client, "pm_card_visa", capture_method="manual")
    assert (pi.status, pi.amount_capturable, pi.amount_received) == ("requires_capture", 2500, 0)

    params = {"amount_to_capture": to_capture} if to_capture else {}
    captured = client.v1.payment_intents.capture(pi.id, params=params)  # type: ignore[arg-type]

    assert (captured.status, captured.amount_received, captured.amount_capturable) == (
        "succeeded", received, 0)
    charge = client.v1.charges.retrieve(captured.latest_charge)
    assert (charge.captured, charge.amount_captured) == (True, received)


def test_capturing_more_than_authorized_is_refused(client: stripe.StripeClient) -> None:
    pi = _pay(client, "pm_card_visa", capture_method="manual")

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 2501})

    assert (raised.value.http_status, raised.value.error.param) == (400, "amount_to_capture")
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_capture"


def test_cancel_an_authorization_then_refuse_a_second_cancel(client: stripe.StripeClient) -> None:
    pi = _pay(client, "pm_card_visa", capture_method="manual")

    canceled = client.v1.payment_intents.cancel(
        pi.id, params={"cancellation_reason": "fraudulent"})

    assert (canceled.status, canceled.cancellation_reason, canceled.amount_capturable) == (
        "canceled", "fraudulent", 0)
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.cancel(pi.id)
    assert (raised.value.http_status, raised.value.code) == (
        400, "payment_intent_unexpected_state")


def test_a_succeeded_intent_cannot_be_canceled(client: stripe.StripeClient) -> None:
    pi = _pay(client, "pm_card_visa")

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.cancel(pi.id)

    assert raised.value.code == "payment_intent_unexpected_state"
    assert client.v1.payment_intents.retrieve(pi.id).status == "succeeded"


def test_create_then_confirm_later(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(params={"amount": 700, "currency": "usd"})
    assert pi.status == "requires_payment_method"

    confirmed = client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})

    assert (confirmed.status, confirmed.amount_received) == ("succeeded", 700)


def test_update_before_confirming_then_the_charge_carries_it(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(params={
        "amount": 700, "currency": "eur", "metadata": {"order_id": "o-1", "cart": "c-1"}})

    updated = client.v1.payment_intents.update(pi.id, params={
        "amount": 900, "description": "order o-1", "transfer_group": "order-o-1",
        "metadata": {"cart": ""}, "payment_method": "pm_card_visa"})
    paid = client.v1.payment_intents.confirm(pi.id, params={"expand": ["latest_charge"]})

    assert (updated.amount, updated.description, updated.status, updated.metadata.to_dict()) == (
        900, "order o-1", "requires_confirmation", {"order_id": "o-1"})
    charge = paid.latest_charge
    assert (paid.status, charge.amount, charge.amount_captured, charge.transfer_group) == (
        "succeeded", 900, 900, "order-o-1")


def test_a_succeeded_intent_takes_new_metadata_but_not_a_new_amount(
        client: stripe.StripeClient) -> None:
    pi = _pay(client, "pm_card_visa")

    noted = client.v1.payment_intents.update(pi.id, params={"metadata": {"note": "shipped"}})
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.update(pi.id, params={"amount": 1})

    assert noted.metadata["note"] == "shipped" and noted.metadata["order_id"].startswith("o-")
    assert (raised.value.http_status, raised.value.code) == (
        400, "payment_intent_unexpected_state")
    assert "You may only update the amount" in raised.value.user_message
    assert client.v1.payment_intents.retrieve(pi.id).amount == 2500


def test_a_transfer_group_once_set_stays(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(params={
        "amount": 700, "currency": "eur", "transfer_group": "order-1"})

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.update(pi.id, params={"transfer_group": "order-2"})

    assert raised.value.error.param == "transfer_group"
    assert client.v1.payment_intents.retrieve(pi.id).transfer_group == "order-1"
