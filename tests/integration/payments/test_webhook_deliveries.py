"""The adapter's webhook verification against what the Stripe twin really delivers: every
event twice and out of order (its duplicate_delivery switch), for card, PayPal and bank
transfer payments and for a vendor's transfer and its reversal."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import stripe

from common.adapters.stripe_payments import StripePayments
from common.domain.errors import InvalidWebhookSignature
from common.domain.payments import NewPayment, ProviderEvent, ProviderEventType
from common.settings import from_environment
from devstack.stripe import LocalStripe, start_stripe
from tests.integration.payments.conftest import (
    RETURN_URL,
    act_on_page,
    card_payment,
    key,
    new_id,
)

E = ProviderEventType
Delivery = tuple[bytes, str]  # body, Stripe-Signature


@dataclass
class Provider:
    """A twin of the test's own delivering to a local receiver, the adapter and the SDK on it."""

    twin: LocalStripe
    payments: StripePayments
    sdk: stripe.StripeClient
    received: list[Delivery] = field(default_factory=list)

    def deliveries(self) -> list[Delivery]:
        """Everything delivered, once no delivery is queued, held or running."""
        self.twin.wait_until_idle(timeout=5)
        return list(self.received)

    def created_order(self) -> list[str]:
        """The ids of every event, in the order the twin created them."""
        listed = self.sdk.v1.events.list(params={"limit": 100})
        assert not listed.has_more
        return [event.id for event in reversed(listed.data)]


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[Provider]:
    received: list[Delivery] = []

    class Receiver(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Log nothing."""

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers.get("Stripe-Signature", "")))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    twin = start_stripe(tmp_path / "stripe", 0,
                        webhook_url=f"http://127.0.0.1:{server.server_address[1]}/webhooks",
                        duplicate_delivery=True, time_scale=0.0001)
    settings = from_environment({"BAZAAR_ENV": "test", "DATABASE_URL": "postgresql://unused@/x",
                                 **twin.env()})
    sdk = stripe.StripeClient(twin.secret_key, base_addresses={"api": twin.base_url},
                              max_network_retries=0)
    yield Provider(twin, StripePayments.from_settings(settings), sdk, received)
    twin.stop()
    server.shutdown()
    server.server_close()


def _ours(event: ProviderEvent) -> ProviderEvent:
    """The event in our vocabulary: without the provider's payload (its pending_webhooks
    counts down between the two copies)."""
    return dataclasses.replace(event, payload={})


def _verified(payments: StripePayments, deliveries: list[Delivery]
              ) -> dict[str, list[ProviderEvent]]:
    """Every delivery through verify_webhook, by event id, in the order they arrived."""
    by_event: dict[str, list[ProviderEvent]] = {}
    for body, signature in deliveries:
        event = payments.verify_webhook(body, signature)
        by_event.setdefault(event.event_id, []).append(event)
    return by_event


def _pay_three_ways(provider: Provider) -> dict[str, NewPayment]:
    """A card payment, a PayPal payment approved, a bank transfer funded in two parts."""
    payments, sdk = provider.payments, provider.sdk
    card = card_payment("pm_card_visa", 1100)
    payments.start_payment(card, idempotency_key=key())
    paypal = NewPayment(order_id=new_id(), payment_id=new_id(), amount=2200, currency="eur",
                        method="paypal", return_url=RETURN_URL)
    approval = payments.start_payment(paypal, idempotency_key=key()).next_action
    assert act_on_page(approval.url, "authorize").status_code == 303
    customer = payments.ensure_customer(new_id(), idempotency_key=key())
    bank = NewPayment(order_id=new_id(), payment_id=new_id(), amount=3300, currency="eur",
                      method="bank_transfer", customer_ref=customer, bank_country="DE")
    shown = payments.start_payment(bank, idempotency_key=key()).next_action
    for amount in (1000, 2300):
        sdk.v1.test_helpers.customers.fund_cash_balance(customer, params={
            "amount": amount, "currency": "eur", "reference": shown.reference})
    return {"card": card, "paypal": paypal, "bank_transfer": bank}


def test_every_delivery_verifies_twice_out_of_order_and_maps_the_same(provider):
    # Given a card, a PayPal and a bank-transfer payment, delivered twice and out of order
    paid = _pay_three_ways(provider)
    deliveries = provider.deliveries()
    created = provider.created_order()

    # When every delivery is verified and read by the adapter
    by_event = _verified(provider.payments, deliveries)

    # Then each event arrived exactly twice, some after one created later, mapped the same
    assert Counter({event_id: len(copies) for event_id, copies in by_event.items()}) == {
        event_id: 2 for event_id in created}
    arrived = [created.index(json.loads(body)["id"]) for body, _ in deliveries]
    assert arrived != sorted(arrived)
    assert all(_ours(first) == _ours(second) for first, second in by_event.values())

    # And the payments' events say, in our vocabulary, what happened to each order
    mapped = [by_event[event_id][0] for event_id in created]
    assert _story(mapped, paid["card"]) == [
        (E.PAYMENT_SUCCEEDED, 1100, 1100, None)]
    assert _story(mapped, paid["paypal"]) == [
        (E.PAYMENT_REQUIRES_ACTION, 2200, 0, None), (E.PAYMENT_SUCCEEDED, 2200, 2200, None)]
    assert _story(mapped, paid["bank_transfer"]) == [
        (E.PAYMENT_REQUIRES_ACTION, 3300, 0, 3300), (E.PAYMENT_PARTIALLY_FUNDED, 3300, 0, 2300),
        (E.PAYMENT_SUCCEEDED, 3300, 3300, None)]


def _story(mapped: list[ProviderEvent], payment: NewPayment) -> list[tuple[Any, ...]]:
    """An order's payment events we know (type, amount, received, remaining), oldest first;
    each carries the payment's refs: ours from metadata, the provider's payment."""
    ours = [e for e in mapped if e.order_id == payment.order_id and e.type is not E.UNKNOWN]
    assert {(e.refs.get("payment_id"), e.currency) for e in ours} == {
        (payment.payment_id, "eur")}
    assert len({e.payment_ref for e in ours}) == 1 and ours[0].payment_ref.startswith("pi_")
    return [(e.type, e.amount, e.amount_received, e.amount_remaining) for e in ours]


def _signed(body: bytes, secret: str) -> str:
    """A Stripe-Signature header as Stripe computes it, for another secret."""
    timestamp = int(time.time())
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def test_an_altered_delivery_or_another_secrets_signature_is_refused(provider):
    # Given a genuine delivery of a card payment's event
    provider.payments.start_payment(card_payment("pm_card_visa", 1000), idempotency_key=key())
    body, signature = provider.deliveries()[0]
    provider.payments.verify_webhook(body, signature)

    # When its body is altered, or it is signed with another endpoint's secret
    event = json.loads(body)
    event["data"]["object"]["amount"] = 1
    altered = json.dumps(event).encode()

    # Then the adapter refuses both
    with pytest.raises(InvalidWebhookSignature):
        provider.payments.verify_webhook(altered, signature)
    with pytest.raises(InvalidWebhookSignature):
        provider.payments.verify_webhook(body, _signed(body, "whsec_another_endpoint"))


def test_a_transfer_and_its_reversal_arrive_twice_as_our_events(provider):
    # Given a vendor onboarded and an order paid by card
    payments = provider.payments
    vendor_id = new_id()
    account = payments.create_vendor_account(vendor_id, "DE", idempotency_key=key())
    link = payments.onboarding_link(account.account_ref, refresh_url=RETURN_URL,
                                    return_url=RETURN_URL, idempotency_key=key())
    assert act_on_page(link.url, "complete").status_code == 303
    payment = card_payment("pm_card_visa", 10000)
    paid = payments.start_payment(payment, idempotency_key=key())

    # When 90.00 is transferred to the vendor, then 30.00 of it reversed
    transfer = payments.transfer(account.account_ref, 9000, "eur", order_id=payment.order_id,
                                 source_payment_ref=paid.payment_ref, vendor_id=vendor_id,
                                 idempotency_key=key())
    payments.reverse_transfer(transfer.transfer_ref, amount=3000, idempotency_key=key())
    by_event = _verified(payments, provider.deliveries())

    # Then each transfer event arrived twice, mapped the same, for the order and the vendor
    transfers = {copies[0].type: copies for copies in by_event.values()
                 if copies[0].object_ref == transfer.transfer_ref}
    assert set(transfers) == {E.TRANSFER_CREATED, E.TRANSFER_REVERSED}
    assert all(len(copies) == 2 and _ours(copies[0]) == _ours(copies[1])
               for copies in transfers.values())
    assert [(e.provider_type, e.order_id, e.refs.get("vendor_id"), e.amount, e.amount_reversed,
             e.currency) for e in (transfers[E.TRANSFER_CREATED][0],
                                   transfers[E.TRANSFER_REVERSED][0])] == [
        ("transfer.created", payment.order_id, vendor_id, 9000, 0, "eur"),
        ("transfer.reversed", payment.order_id, vendor_id, 9000, 3000, "eur")]
