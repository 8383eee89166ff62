"""Vendors' money: a connected account per verified vendor, its onboarding link, each
delivered part's share transferred to it, and transfers taken back after refunds.

Provider calls never run inside a transaction that holds a row lock: a short transaction
claims the work (a transfer's amount and `sent_at`, a reversal owed), the call runs outside
with an idempotency key derived from our ids, and another short transaction records the
outcome and its journal. An interrupted attempt is retried by `pay_out_vendors` with the
same key and amount (docs/decisions/0015-ledger-commission-and-payouts.md).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timezone

from common.domain.errors import PaymentAccountMissing
from common.domain.events import VendorPaymentAccountUpdated
from common.domain.ledger import payable_of, reversal_journal, transfer_journal
from common.domain.payments import OnboardingLink
from common.domain.payouts import (
    PaymentAccount,
    TransferStatus,
    amount_to_send,
    status_after_reversal,
)
from common.logs import log
from common.ports.ledger import MoneyUnitOfWork, MoneyUnitOfWorkFactory
from common.ports.payments import PaymentProvider

logger = logging.getLogger("bazaar.payouts")
DEFAULT_COUNTRY = "DE"


class SaleNotPostedYet(RuntimeError):
    """A part was delivered before its sale reached the ledger: retry the event later."""


def open_payment_account(vendor_id: str, tx: MoneyUnitOfWork, *,
                         payments: PaymentProvider) -> PaymentAccount:
    """The vendor's connected account, created at the provider once (key account-{vendor})."""
    existing = tx.payment_accounts.get(vendor_id)
    if existing is not None:
        return existing
    country = tx.payment_accounts.vendor_country(vendor_id) or DEFAULT_COUNTRY
    created = payments.create_vendor_account(vendor_id, country,
                                             idempotency_key=f"account-{vendor_id}")
    account = PaymentAccount(vendor_id, created.account_ref, created.status,
                             created.payouts_enabled)
    if tx.payment_accounts.add(account):
        tx.record(VendorPaymentAccountUpdated(vendor_id=vendor_id, status=account.status.value))
    return account


def onboarding_link(vendor_id: str, request_id: str, *, uow: MoneyUnitOfWorkFactory,
                    payments: PaymentProvider, public_base_url: str) -> OnboardingLink:
    """Where the vendor completes onboarding; PaymentAccountMissing before it has an account."""
    with uow() as tx:
        account = tx.payment_accounts.get(vendor_id)
    if account is None:
        raise PaymentAccountMissing()
    page = f"{public_base_url}/vendors/me/payment-account"
    return payments.onboarding_link(account.provider_account_ref, refresh_url=f"{page}?again=1",
                                    return_url=f"{page}?done=1",
                                    idempotency_key=f"onboarding-{vendor_id}-{request_id}")


def owe_delivered_part(order_id: str, part_id: str, tx: MoneyUnitOfWork) -> None:
    """A delivered part's share is owed now: held → pending (SaleNotPostedYet before the
    sale is in the ledger, so the event is retried)."""
    transfer = tx.transfers.get(part_id, for_update=True)
    if transfer is None:
        raise SaleNotPostedYet(f"order {order_id}: no sale posted for part {part_id} yet")
    if transfer.status is TransferStatus.HELD:
        tx.transfers.update(part_id, status=TransferStatus.PENDING)


def pay_part(part_id: str, *, uow: MoneyUnitOfWorkFactory,
             payments: PaymentProvider) -> TransferStatus | None:
    """Transfer the part's share if it is owed and the vendor's account can receive it;
    then make any reversal owed on it. The transfer's status after, or None if unknown."""
    claim = _claim_transfer(part_id, uow)
    if claim is not None:
        transfer, account_ref, source_ref = claim
        made = payments.transfer(account_ref, transfer.amount, "eur", order_id=transfer.order_id,
                                 source_payment_ref=source_ref, vendor_id=transfer.vendor_id,
                                 idempotency_key=transfer.idempotency_key)
        with uow() as tx:
            current = tx.transfers.get(part_id, for_update=True)
            if current is not None and current.in_flight:
                tx.transfers.update(part_id, status=TransferStatus.MADE,
                                    provider_transfer_ref=made.transfer_ref)
                tx.ledger.post(transfer_journal(transfer.order_id, part_id, transfer.vendor_id,
                                                made.amount))
                log(logger, logging.INFO, "transfer made", part_id=part_id, amount=made.amount)
            tx.commit()
    settle_reversals(part_id, uow=uow, payments=payments)
    with uow() as tx:
        after = tx.transfers.get(part_id)
    return after.status if after else None


def _claim_transfer(part_id: str, uow: MoneyUnitOfWorkFactory):  # noqa: ANN202
    """(transfer with its amount, account ref, payment ref) to send, claimed; or None."""
    now = datetime.now(timezone.utc)
    with uow() as tx:
        transfer = tx.transfers.get(part_id, for_update=True)
        if transfer is None or not transfer.claimable(now):
            return None
        account = tx.payment_accounts.get(transfer.vendor_id)
        source_ref = tx.transfers.payment_ref(transfer.order_id)
        if account is None or not account.can_receive or source_ref is None:
            return None
        amount = amount_to_send(transfer, payable_of(tx.ledger.part_sums(part_id)))
        if amount is None:
            tx.transfers.update(part_id, status=TransferStatus.CANCELLED, amount=0)
            tx.commit()
            return None
        tx.transfers.update(part_id, status=TransferStatus.PENDING, amount=amount, sent_at=now)
        tx.commit()
    return replace(transfer, amount=amount, sent_at=now), account.provider_account_ref, source_ref


def settle_reversals(part_id: str, *, uow: MoneyUnitOfWorkFactory,
                     payments: PaymentProvider) -> int:
    """Take back what refunds owe of the part's transfer, once it was made; how many."""
    with uow() as tx:
        transfer = tx.transfers.get(part_id)
        if transfer is None or transfer.provider_transfer_ref is None:
            return 0
        owed = tx.transfers.pending_reversals(part_id)
    done = 0
    for reversal in owed:
        made = payments.reverse_transfer(transfer.provider_transfer_ref, amount=reversal.amount,
                                         idempotency_key=reversal.idempotency_key)
        with uow() as tx:
            current = tx.transfers.get(part_id, for_update=True)
            if current is not None and tx.transfers.reversal_made(reversal, made.reversal_ref):
                total = current.amount_reversed + made.amount
                tx.transfers.update(part_id, status=status_after_reversal(current, total),
                                    amount_reversed=total)
                tx.ledger.post(reversal_journal(reversal.refund_key, current.order_id, part_id,
                                                current.vendor_id, made.amount))
                done += 1
            tx.commit()
    return done


def settle_parts(part_ids: list[str], *, uow: MoneyUnitOfWorkFactory,
                 payments: PaymentProvider) -> None:
    for part_id in part_ids:
        settle_reversals(part_id, uow=uow, payments=payments)


def refresh_accounts(*, uow: MoneyUnitOfWorkFactory, payments: PaymentProvider,
                     limit: int = 100) -> int:
    """Follow the provider's word on accounts it reported changes of, or that money waits
    for; `vendor.payment_account_updated` for each whose status changed. How many did."""
    with uow() as tx:
        refs = tx.payment_accounts.refs_to_refresh(limit)
    changed = 0
    for ref in refs:
        now = payments.get_vendor_account(ref)
        with uow() as tx:
            known = tx.payment_accounts.by_ref(ref)
            if known is not None and tx.payment_accounts.set_status(ref, PaymentAccount(
                    known.vendor_id, ref, now.status, now.payouts_enabled)):
                tx.record(VendorPaymentAccountUpdated(vendor_id=known.vendor_id,
                                                      status=now.status.value))
                changed += 1
            tx.payment_accounts.mark_account_events_processed(ref)
            tx.commit()
    return changed


def pay_out_vendors(*, uow: MoneyUnitOfWorkFactory, payments: PaymentProvider,
                    limit: int = 100) -> dict[str, int]:
    """The scheduled sweep: refresh accounts, pay what is owed to active accounts, make
    the reversals owed, retry interrupted attempts."""
    accounts = refresh_accounts(uow=uow, payments=payments, limit=limit)
    with uow() as tx:
        owed = tx.transfers.owed_parts(limit)
        reversing = tx.transfers.parts_with_pending_reversals(limit)
    made = sum(pay_part(part_id, uow=uow, payments=payments) is TransferStatus.MADE
               for part_id in owed)
    reversed_ = sum(settle_reversals(part_id, uow=uow, payments=payments)
                    for part_id in reversing)
    return {"accounts_updated": accounts, "transfers_made": made, "reversals_made": reversed_}
