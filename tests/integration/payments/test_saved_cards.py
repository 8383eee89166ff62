"""Vendors' saved cards (SetupIntents) charged off-session, through the payment port."""

from __future__ import annotations

import pytest

from common.domain.errors import PaymentDeclined
from common.domain.payments import PaymentStatus
from tests.integration.payments.conftest import RETURN_URL, act_on_page, key, new_id


def test_a_saved_card_is_charged_off_session(payments):
    # Given a vendor's card saved for later
    customer = payments.ensure_customer(new_id(), idempotency_key=key())
    saved = payments.save_card(customer, "pm_card_visa", idempotency_key=key())
    assert saved.succeeded and saved.payment_method_ref.startswith("pm_")

    # When a promotion fee is charged with the vendor absent
    fee = payments.charge_saved_card(customer, saved.payment_method_ref, 990, "eur",
                                     purpose="promotion_fee", idempotency_key=key())

    # Then it succeeded
    assert (fee.status, fee.amount_received) == (PaymentStatus.SUCCEEDED, 990)


def test_an_off_session_charge_the_issuer_wants_authenticated_is_a_decline_to_act_on(payments):
    # Given a card that needs authentication on every payment, saved after 3-D Secure
    customer = payments.ensure_customer(new_id(), idempotency_key=key())
    setup = payments.save_card(customer, "pm_card_authenticationRequired",
                               return_url=RETURN_URL, idempotency_key=key())
    assert not setup.succeeded and setup.next_action is not None
    act_on_page(setup.next_action.url, "authorize")

    # When it is charged off-session
    with pytest.raises(PaymentDeclined) as declined:
        payments.charge_saved_card(customer, setup.payment_method_ref, 990, "eur",
                                   purpose="promotion_fee", idempotency_key=key())

    # Then the decline says the vendor must come back and authenticate
    assert declined.value.decline.code == "authentication_required"
    assert declined.value.decline.needs_authentication
    assert payments.get_payment(declined.value.payment_ref).status is PaymentStatus.FAILED
