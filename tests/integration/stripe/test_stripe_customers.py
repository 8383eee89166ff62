"""Customers and their saved PaymentMethods, driven through the official SDK."""

from __future__ import annotations

import uuid

import pytest
import stripe


def _events_of(client: stripe.StripeClient, object_id: str) -> list[str]:
    events = client.v1.events.list(params={"limit": 100}).data
    return [e.type for e in events if getattr(e.data.object, "id", None) == object_id]


def _customer(client: stripe.StripeClient, **extra: object) -> stripe.Customer:
    params = {"email": f"vendor-{uuid.uuid4().hex[:8]}@example.test", "name": "Vendor",
              **extra}
    return client.v1.customers.create(params=params)  # type: ignore[arg-type]


def test_create_retrieve_and_update_a_customer(client: stripe.StripeClient) -> None:
    created = _customer(client, metadata={"vendor_id": "v-1", "tier": "gold"})

    updated = client.v1.customers.update(created.id, params={
        "name": "Vendor GmbH", "metadata": {"tier": "", "region": "eu"}})

    assert (created.object, created.id[:4], created.livemode) == ("customer", "cus_", False)
    assert client.v1.customers.retrieve(created.id).email == created.email
    assert (updated.name, updated.email, updated.metadata.to_dict()) == (
        "Vendor GmbH", created.email, {"vendor_id": "v-1", "region": "eu"})
    assert _events_of(client, created.id) == ["customer.updated", "customer.created"]


def test_attached_cards_are_listed_both_ways_and_one_is_the_default(
        client: stripe.StripeClient) -> None:
    customer = _customer(client)
    first = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    second = client.v1.payment_methods.attach("pm_card_mastercard",
                                              params={"customer": customer.id})
    stranger = _customer(client)  # their card stays out of this customer's lists
    client.v1.payment_methods.attach("pm_card_visa", params={"customer": stranger.id})

    by_customer = client.v1.customers.payment_methods.list(customer.id, params={"type": "card"})
    by_filter = client.v1.payment_methods.list(params={"customer": customer.id, "type": "card"})
    updated = client.v1.customers.update(customer.id, params={
        "invoice_settings": {"default_payment_method": first.id}})

    assert [pm.id for pm in by_customer.data] == [second.id, first.id]
    assert [pm.id for pm in by_filter.data] == [second.id, first.id]
    assert (first.customer, first.card.last4, second.card.brand) == (
        customer.id, "4242", "mastercard")
    assert updated.invoice_settings.default_payment_method == first.id
    assert client.v1.customers.payment_methods.retrieve(customer.id, first.id).id == first.id
    assert _events_of(client, first.id) == ["payment_method.attached"]


def test_a_card_belongs_to_one_customer_and_detached_it_is_spent(
        client: stripe.StripeClient) -> None:
    owner, other = _customer(client), _customer(client)
    pm = client.v1.payment_methods.attach("pm_card_visa", params={"customer": owner.id})
    client.v1.customers.update(owner.id, params={
        "invoice_settings": {"default_payment_method": pm.id}})

    with pytest.raises(stripe.InvalidRequestError) as taken:
        client.v1.payment_methods.attach(pm.id, params={"customer": other.id})
    detached = client.v1.payment_methods.detach(pm.id)

    assert (taken.value.http_status, taken.value.error.param) == (400, "payment_method")
    assert detached.customer is None
    assert client.v1.customers.retrieve(owner.id).invoice_settings.default_payment_method is None
    assert client.v1.customers.payment_methods.list(owner.id).data == []
    with pytest.raises(stripe.InvalidRequestError) as reused:
        client.v1.payment_intents.create(params={
            "amount": 500, "currency": "eur", "payment_method": pm.id, "confirm": True})
    assert "may not be used again" in reused.value.user_message
    assert _events_of(client, pm.id) == ["payment_method.detached", "payment_method.attached"]


def test_the_default_payment_method_must_be_the_customers_own(
        client: stripe.StripeClient) -> None:
    customer = _customer(client)
    foreign = client.v1.payment_methods.attach("pm_card_visa",
                                               params={"customer": _customer(client).id})

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.customers.update(customer.id, params={
            "invoice_settings": {"default_payment_method": foreign.id}})

    assert raised.value.error.param == "invoice_settings[default_payment_method]"


def test_a_new_customer_has_an_empty_cash_balance(client: stripe.StripeClient) -> None:
    customer = _customer(client)

    balance = client.v1.customers.cash_balance.retrieve(customer.id)

    assert (balance.object, balance.customer, balance.available.to_dict()) == (
        "cash_balance", customer.id, {})
    assert balance.settings.reconciliation_mode == "automatic"
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.customers.cash_balance.retrieve("cus_nobody")
    assert (raised.value.http_status, raised.value.code) == (404, "resource_missing")
