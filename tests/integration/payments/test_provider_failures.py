"""When the provider cannot be reached or refuses our credentials: domain errors, no SDK types."""

from __future__ import annotations

import time

import pytest

from common.adapters.stripe_payments import StripePayments
from common.domain.errors import InternalError, ProviderUnavailable
from common.settings import from_environment
from devstack.ports import free_port
from tests.integration.payments.conftest import card_payment, key


def _adapter(**env: str) -> StripePayments:
    return StripePayments.from_settings(from_environment(
        {"BAZAAR_ENV": "test", "DATABASE_URL": "postgresql://unused@/x", **env}))


def test_an_unreachable_provider_is_unavailable_after_the_sdks_retries():
    # Given the adapter pointed at a port where nothing listens
    payments = _adapter(STRIPE_API_BASE=f"http://127.0.0.1:{free_port()}",
                        STRIPE_SECRET_KEY="sk_test_unreachable")

    # When a payment is started
    began = time.monotonic()
    with pytest.raises(ProviderUnavailable) as unavailable:
        payments.start_payment(card_payment("pm_card_visa"), idempotency_key=key())

    # Then it is a 503 to retry later, after the SDK's two retries (about 1.5 s of backoff)
    assert unavailable.value.status == 503
    assert unavailable.value.code == "payment_provider_unavailable"
    assert 0.5 < time.monotonic() - began < 10


def test_a_wrong_secret_key_is_an_internal_error(twin):
    # Given the adapter with a key the provider does not know
    payments = _adapter(STRIPE_API_BASE=twin.base_url, STRIPE_SECRET_KEY="sk_test_wrong")

    # When it calls the provider, Then it is our misconfiguration: 500, nothing to retry
    with pytest.raises(InternalError):
        payments.get_payment("pi_any")
