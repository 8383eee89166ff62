"""PayPal through Stripe: redirect to the approval page, back to the return_url."""

from __future__ import annotations

import urllib.parse
import uuid

import pytest
import requests
import stripe

RETURN_URL = "https://shop.example/checkout/done?cart=9"


def _events_of(client: stripe.StripeClient, object_id: str) -> list[str]:
    events = client.v1.events.list(params={"limit": 100}).data
    return [e.type for e in events if getattr(e.data.object, "id", None) == object_id]


def _paypal(client: stripe.StripeClient, **extra: object) -> stripe.PaymentIntent:
    params = {"amount": 4200, "currency": "eur", "payment_method_types": ["paypal"],
              "payment_method_data": {"type": "paypal"}, "confirm": True,
              "return_url": RETURN_URL, "transfer_group": f"order-{uuid.uuid4()}", **extra}
    return client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]


def _approve(pi: stripe.PaymentIntent, action: str) -> dict[str, str]:
    """GET the approval page, POST its action; the query of the 303 back to the return_url."""
    page = pi.next_action.redirect_to_url.url
    shown = requests.get(page, timeout=5)
    assert shown.status_code == 200
    assert "Authorize test payment" in shown.text and "Fail test payment" in shown.text
    split = urllib.parse.urlsplit(page)
    answer = requests.post(f"{split.scheme}://{split.netloc}{split.path}/{action}?{split.query}",
                           allow_redirects=False, timeout=5)
    assert answer.status_code == 303
    location = urllib.parse.urlsplit(answer.headers["Location"])
    assert (location.netloc, location.path) == ("shop.example", "/checkout/done")
    return dict(urllib.parse.parse_qsl(location.query))


@pytest.mark.parametrize(("action", "capture_method", "redirect_status", "status"), [
    ("authorize", "automatic", "succeeded", "succeeded"),
    ("authorize", "manual", "succeeded", "requires_capture"),
], ids=["captured", "authorized-manual"])
def test_authorized_on_the_approval_page_the_payment_is_charged(
        client: stripe.StripeClient, action: str, capture_method: str, redirect_status: str,
        status: str) -> None:
    pi = _paypal(client, capture_method=capture_method)
    assert (pi.status, pi.next_action.type, pi.next_action.redirect_to_url.return_url) == (
        "requires_action", "redirect_to_url", RETURN_URL)

    query = _approve(pi, action)

    assert (query["payment_intent"], query["payment_intent_client_secret"],
            query["redirect_status"], query["cart"]) == (
        pi.id, pi.client_secret, redirect_status, "9")
    after = client.v1.payment_intents.retrieve(pi.id, params={"expand": ["latest_charge"]})
    charge = after.latest_charge
    assert after.status == status
    assert (charge.payment_method_details.type, charge.amount, charge.transfer_group,
            charge.captured, charge.paid) == (
        "paypal", 4200, pi.transfer_group, capture_method == "automatic", True)
    assert charge.payment_method_details.paypal.transaction_id


def test_failed_on_the_approval_page_the_intent_wants_another_method(
        client: stripe.StripeClient) -> None:
    pi = _paypal(client)

    query = _approve(pi, "fail")

    after = client.v1.payment_intents.retrieve(pi.id)
    assert (query["redirect_status"], after.status, after.latest_charge) == (
        "failed", "requires_payment_method", None)
    assert after.last_payment_error.code == "payment_intent_payment_attempt_failed"
    assert _events_of(client, pi.id) == [
        "payment_intent.payment_failed", "payment_intent.requires_action",
        "payment_intent.created"]


def test_a_captured_paypal_payment_has_its_events(client: stripe.StripeClient) -> None:
    pi = _paypal(client)

    _approve(pi, "authorize")

    assert _events_of(client, pi.id) == [
        "payment_intent.succeeded", "payment_intent.requires_action", "payment_intent.created"]
    assert _events_of(client, client.v1.payment_intents.retrieve(pi.id).latest_charge) == [
        "charge.succeeded"]


def test_confirming_without_a_return_url_is_refused(client: stripe.StripeClient) -> None:
    pm = client.v1.payment_methods.create(params={"type": "paypal"})
    pi = client.v1.payment_intents.create(params={
        "amount": 1500, "currency": "eur", "payment_method_types": ["paypal"],
        "payment_method": pm.id})

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.confirm(pi.id)
    confirmed = client.v1.payment_intents.confirm(pi.id, params={"return_url": RETURN_URL})

    assert (raised.value.http_status, raised.value.error.param) == (400, "return_url")
    assert "paypal" in raised.value.user_message
    assert (pm.type, confirmed.payment_method, confirmed.status) == (
        "paypal", pm.id, "requires_action")


def test_a_card_is_refused_on_a_paypal_only_intent(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.create(params={
            "amount": 1500, "currency": "eur", "payment_method_types": ["paypal"],
            "payment_method": "pm_card_visa"})

    assert raised.value.error.param == "payment_method"


def test_paypal_refunds_work_like_card_refunds(client: stripe.StripeClient) -> None:
    pi = _paypal(client)
    _approve(pi, "authorize")

    part = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1200})
    rest = client.v1.refunds.create(params={"payment_intent": pi.id})

    charge = client.v1.charges.retrieve(client.v1.payment_intents.retrieve(pi.id).latest_charge)
    assert (part.amount, rest.amount, charge.amount_refunded, charge.refunded) == (
        1200, 3000, 4200, True)
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1})
    assert raised.value.code == "charge_already_refunded"


def test_a_replayed_confirm_returns_the_same_redirect(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(params={
        "amount": 800, "currency": "eur", "payment_method_types": ["paypal"],
        "payment_method_data": {"type": "paypal"}})
    key = f"confirm-{uuid.uuid4()}"

    first = client.v1.payment_intents.confirm(pi.id, params={"return_url": RETURN_URL},
                                              options={"idempotency_key": key})
    again = client.v1.payment_intents.confirm(pi.id, params={"return_url": RETURN_URL},
                                              options={"idempotency_key": key})

    assert again.to_dict() == first.to_dict()
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert _events_of(client, pi.id) == ["payment_intent.requires_action",
                                         "payment_intent.created"]
