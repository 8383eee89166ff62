"""Fixtures of the payment adapter's tests: StripePayments built from the settings, pointed
at a Stripe twin of this test session, and the test-mode pages a buyer or vendor acts on."""

from __future__ import annotations

import urllib.parse
import uuid
from collections.abc import Iterator

import pytest
import requests
import stripe

from common.adapters.stripe_payments import StripePayments
from common.domain.payments import NewPayment
from common.settings import from_environment
from devstack.stripe import LocalStripe, start_stripe

RETURN_URL = "https://bazaar.example/orders/return"


@pytest.fixture(scope="session")
def twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStripe]:
    local = start_stripe(tmp_path_factory.mktemp("payments-stripe"), 0)
    yield local
    local.stop()


@pytest.fixture(scope="session")
def payments(twin: LocalStripe) -> StripePayments:
    """The production adapter, from the settings the local stack would give it."""
    settings = from_environment({"BAZAAR_ENV": "test", "DATABASE_URL": "postgresql://unused@/x",
                                 **twin.env()})
    return StripePayments.from_settings(settings)


@pytest.fixture(scope="session")
def sdk(twin: LocalStripe) -> stripe.StripeClient:
    """The SDK itself, to look at the twin and use its test helpers (never the adapter's)."""
    return stripe.StripeClient(twin.secret_key, base_addresses={"api": twin.base_url},
                               max_network_retries=0)


def act_on_page(url: str, action: str) -> requests.Response:
    """POST a hosted test page's action (3-D Secure or PayPal: authorize / fail; onboarding:
    complete): the action is a path segment after the page's own path, query kept."""
    parts = urllib.parse.urlsplit(url)
    target = parts._replace(path=f"{parts.path.rstrip('/')}/{action}").geturl()
    return requests.post(target, allow_redirects=False, timeout=10)


def new_id() -> str:
    return str(uuid.uuid4())


def card_payment(token: str, amount: int = 1000, **changes) -> NewPayment:  # noqa: ANN003
    """A card payment of a fresh order, returning to RETURN_URL."""
    return NewPayment(order_id=new_id(), payment_id=new_id(), amount=amount, currency="eur",
                      method="card", payment_method_token=token, return_url=RETURN_URL,
                      **changes)


def key() -> str:
    """An idempotency key as the sagas derive them: from our own ids."""
    return f"test:{uuid.uuid4()}"
