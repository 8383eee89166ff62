"""SetupIntents save a vendor's card; off-session PaymentIntents charge it later."""

from __future__ import annotations

import urllib.parse

import pytest
import requests
import stripe

RETURN_URL = "https://vendor.example/cards/saved?step=2"


def _events_of(client: stripe.StripeClient, object_id: str) -> list[str]:
    events = client.v1.events.list(params={"limit": 100}).data
    return [e.type for e in events if getattr(e.data.object, "id", None) == object_id]


def _customer(client: stripe.StripeClient) -> stripe.Customer:
    return client.v1.customers.create(params={"name": "Vendor"})


def _finish_page(seti: stripe.SetupIntent, action: str) -> dict[str, str]:
    """Act on the 3-D Secure test page; the query of the 303 back to the return_url."""
    page = seti.next_action.redirect_to_url.url
    shown = requests.get(page, timeout=5)
    assert shown.status_code == 200 and "Complete authentication" in shown.text
    split = urllib.parse.urlsplit(page)
    answer = requests.post(f"{split.scheme}://{split.netloc}{split.path}/{action}?{split.query}",
                           allow_redirects=False, timeout=5)
    assert answer.status_code == 303
    location = urllib.parse.urlsplit(answer.headers["Location"])
    assert (location.netloc, location.path) == ("vendor.example", "/cards/saved")
    return dict(urllib.parse.parse_qsl(location.query))


def _save(client: stripe.StripeClient, customer: str, card: str,
          usage: str = "off_session") -> stripe.SetupIntent:
    """Save a card with a SetupIntent, authenticating on the test page when asked to."""
    seti = client.v1.setup_intents.create(params={
        "customer": customer, "payment_method": card, "payment_method_types": ["card"],
        "usage": usage, "confirm": True, "return_url": RETURN_URL})
    if seti.status == "requires_action":
        _finish_page(seti, "authorize")
    return client.v1.setup_intents.retrieve(seti.id)


def _charge_off_session(client: stripe.StripeClient, customer: str,
                        pm: str) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(params={
        "amount": 990, "currency": "eur", "customer": customer, "payment_method": pm,
        "off_session": True, "confirm": True, "description": "promotion fee"})


def test_a_visa_is_saved_to_the_customer_without_authentication(
        client: stripe.StripeClient) -> None:
    customer = _customer(client)

    seti = _save(client, customer.id, "pm_card_visa")

    assert (seti.object, seti.id[:5], seti.status, seti.usage) == (
        "setup_intent", "seti_", "succeeded", "off_session")
    assert client.v1.payment_methods.retrieve(seti.payment_method).customer == customer.id
    assert _events_of(client, seti.id) == ["setup_intent.succeeded", "setup_intent.created"]


@pytest.mark.parametrize(("action", "redirect_status", "status"), [
    ("authorize", "succeeded", "succeeded"),
    ("fail", "failed", "requires_payment_method"),
], ids=["authorized", "failed"])
def test_a_card_that_authenticates_on_setup_uses_the_test_page(
        client: stripe.StripeClient, action: str, redirect_status: str, status: str) -> None:
    customer = _customer(client)
    seti = client.v1.setup_intents.create(params={
        "customer": customer.id, "payment_method": "pm_card_authenticationRequiredOnSetup",
        "confirm": True, "return_url": RETURN_URL})
    assert (seti.status, seti.next_action.type) == ("requires_action", "redirect_to_url")
    assert seti.next_action.redirect_to_url.return_url == RETURN_URL

    query = _finish_page(seti, action)

    assert (query["setup_intent"], query["setup_intent_client_secret"],
            query["redirect_status"], query["step"]) == (
        seti.id, seti.client_secret, redirect_status, "2")
    after = client.v1.setup_intents.retrieve(seti.id)
    assert after.status == status
    saved = client.v1.customers.payment_methods.list(customer.id).data
    if action == "authorize":
        assert [pm.id for pm in saved] == [after.payment_method]
        assert _events_of(client, seti.id)[0] == "setup_intent.succeeded"
    else:
        assert (saved, after.last_setup_error.code) == (
            [], "setup_intent_authentication_failure")
        assert _events_of(client, seti.id) == [
            "setup_intent.setup_failed", "setup_intent.requires_action", "setup_intent.created"]


def test_a_declined_card_is_not_saved(client: stripe.StripeClient) -> None:
    customer = _customer(client)

    with pytest.raises(stripe.CardError) as raised:
        client.v1.setup_intents.create(params={
            "customer": customer.id, "payment_method": "pm_card_chargeDeclined",
            "confirm": True})

    error = raised.value
    assert (error.http_status, error.code, error.error.decline_code) == (
        402, "card_declined", "generic_decline")
    seti = client.v1.setup_intents.retrieve(error.error.setup_intent.id)
    assert (seti.status, seti.last_setup_error.decline_code, seti.payment_method) == (
        "requires_payment_method", "generic_decline", None)
    assert client.v1.customers.payment_methods.list(customer.id).data == []
    assert _events_of(client, seti.id) == ["setup_intent.setup_failed", "setup_intent.created"]


def test_confirm_later_or_cancel(client: stripe.StripeClient) -> None:
    customer = _customer(client)
    later = client.v1.setup_intents.create(params={"customer": customer.id})
    dropped = client.v1.setup_intents.create(params={"customer": customer.id})
    assert later.status == dropped.status == "requires_payment_method"

    confirmed = client.v1.setup_intents.confirm(later.id,
                                                params={"payment_method": "pm_card_visa"})
    canceled = client.v1.setup_intents.cancel(dropped.id,
                                              params={"cancellation_reason": "abandoned"})

    assert confirmed.status == "succeeded"
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "abandoned")
    assert _events_of(client, dropped.id) == ["setup_intent.canceled", "setup_intent.created"]
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.setup_intents.cancel(confirmed.id)
    assert raised.value.code == "setup_intent_unexpected_state"


def test_an_off_session_payment_with_a_saved_card_succeeds(client: stripe.StripeClient) -> None:
    customer = _customer(client)
    pm = _save(client, customer.id, "pm_card_visa").payment_method

    pi = _charge_off_session(client, customer.id, pm)

    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert (pi.status, pi.customer, pi.payment_method, pi.amount_received) == (
        "succeeded", customer.id, pm, 990)
    assert (charge.customer, charge.payment_method_details.type, charge.amount_captured) == (
        customer.id, "card", 990)


@pytest.mark.parametrize(("card", "usage", "outcome"), [
    ("pm_card_authenticationRequiredOnSetup", "off_session", "succeeded"),
    ("pm_card_authenticationRequiredOnSetup", "on_session", "authentication_required"),
    ("pm_card_authenticationRequired", "off_session", "authentication_required"),
    ("pm_card_threeDSecure2Required", "off_session", "authentication_required"),
    ("pm_card_authenticationRequiredSetupForOffSession", "off_session", "succeeded"),
    ("pm_card_chargeCustomerFail", "off_session", "card_declined"),
], ids=["3155-set-up", "3155-on-session-setup", "3184-always", "3220-always", "0446-set-up",
        "0341-charge-fails"])
def test_off_session_authentication_follows_stripes_test_cards(
        client: stripe.StripeClient, card: str, usage: str, outcome: str) -> None:
    customer = _customer(client)
    pm = _save(client, customer.id, card, usage).payment_method

    try:
        result = _charge_off_session(client, customer.id, pm).status
    except stripe.CardError as error:
        assert (error.http_status, error.error.payment_method.id) == (402, pm)
        pi = client.v1.payment_intents.retrieve(error.error.payment_intent.id)
        assert (pi.status, pi.last_payment_error.code) == ("requires_payment_method", error.code)
        result = error.code

    assert result == outcome


def test_authentication_required_is_the_documented_error(client: stripe.StripeClient) -> None:
    customer = _customer(client)
    pm = _save(client, customer.id, "pm_card_authenticationRequired").payment_method

    with pytest.raises(stripe.CardError) as raised:
        _charge_off_session(client, customer.id, pm)

    error = raised.value
    assert (error.code, error.error.decline_code, error.user_message) == (
        "authentication_required", "authentication_required",
        "Your card was declined. This transaction requires authentication.")
    pi_id = error.error.payment_intent.id
    assert _events_of(client, pi_id) == ["payment_intent.payment_failed", "payment_intent.created"]
    assert client.v1.charges.retrieve(error.error.charge).failure_code == "authentication_required"


def test_a_card_saved_to_another_customer_is_refused(client: stripe.StripeClient) -> None:
    owner, other = _customer(client), _customer(client)
    pm = _save(client, owner.id, "pm_card_visa").payment_method

    with pytest.raises(stripe.InvalidRequestError) as raised:
        _charge_off_session(client, other.id, pm)

    assert (raised.value.http_status, raised.value.error.param) == (400, "payment_method")
    assert owner.id in raised.value.user_message
