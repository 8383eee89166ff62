"""Connect through the payment port: a vendor's Express account, its onboarding, and the
transfers of an order's payment to it (and their reversal), on the Stripe twin."""

from __future__ import annotations

import pytest

from common.domain.errors import InvalidState
from common.domain.payments import VendorAccountStatus
from tests.integration.payments.conftest import act_on_page, card_payment, key, new_id

REFRESH_URL = "https://bazaar.example/vendors/me/onboarding?again=1"
DONE_URL = "https://bazaar.example/vendors/me/onboarding/done"


def _onboarded_vendor(payments) -> str:  # noqa: ANN001
    account = payments.create_vendor_account(new_id(), "DE", idempotency_key=key())
    assert account.status is VendorAccountStatus.ONBOARDING
    link = payments.onboarding_link(account.account_ref, refresh_url=REFRESH_URL,
                                    return_url=DONE_URL, idempotency_key=key())
    page = act_on_page(link.url, "complete")
    assert page.status_code == 303 and page.headers["Location"] == DONE_URL
    return account.account_ref


def test_a_vendor_is_active_once_onboarding_is_completed(payments):
    account_ref = _onboarded_vendor(payments)

    account = payments.get_vendor_account(account_ref)

    assert (account.status, account.payouts_enabled) == (VendorAccountStatus.ACTIVE, True)


def test_an_orders_payment_is_transferred_to_the_vendor_and_reversed(payments):
    # Given an onboarded vendor and an order paid by card (100.00 EUR)
    account_ref = _onboarded_vendor(payments)
    payment = card_payment("pm_card_visa", 10000)
    paid = payments.start_payment(payment, idempotency_key=key())

    # When the vendor's share (90.00; the platform keeps 10.00) is transferred, then 30.00
    # of it reversed after a partial refund
    transfer = payments.transfer(account_ref, 9000, "eur", order_id=payment.order_id,
                                 source_payment_ref=paid.payment_ref, idempotency_key=key())
    reversal = payments.reverse_transfer(transfer.transfer_ref, amount=3000,
                                         idempotency_key=key())

    # Then the transfer went to the vendor in the order's group, and 30.00 came back
    assert (transfer.account_ref, transfer.amount, transfer.transfer_group) == (
        account_ref, 9000, payment.order_id)
    assert (reversal.transfer_ref, reversal.amount, reversal.currency) == (
        transfer.transfer_ref, 3000, "eur")


def test_a_transfer_cannot_be_reversed_beyond_its_amount(payments):
    account_ref = _onboarded_vendor(payments)
    payment = card_payment("pm_card_visa", 5000)
    paid = payments.start_payment(payment, idempotency_key=key())
    transfer = payments.transfer(account_ref, 4000, "eur", order_id=payment.order_id,
                                 source_payment_ref=paid.payment_ref, idempotency_key=key())

    with pytest.raises(InvalidState):
        payments.reverse_transfer(transfer.transfer_ref, amount=4001, idempotency_key=key())
