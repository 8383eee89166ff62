"""The ledger's rules: every posting balances, commission returns round half-even, a
vendor's balance adds up, and payouts never send or take back more than they should."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from common.domain.ledger import (
    Account,
    Entry,
    Journal,
    JournalKind,
    PartRefund,
    PartSale,
    UnbalancedJournal,
    payable_of,
    refund_journal,
    reversal_journal,
    sale_journal,
    transfer_journal,
    vendor_balance,
)
from common.domain.money import half_even_share
from common.domain.payouts import (
    STALE_ATTEMPT,
    TransferStatus,
    VendorTransfer,
    amount_to_send,
    reversal_for_refund,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
A, B = "vendor-a", "vendor-b"


def _sums(*journals: Journal, vendor: str | None = None, part: str | None = None
          ) -> dict[Account, int]:
    sums: dict[Account, int] = {}
    for journal in journals:
        for entry in journal.entries:
            if (vendor is None or entry.vendor_id == vendor) and (
                    part is None or (entry.part_id == part and entry.vendor_id)):
                sums[entry.account] = sums.get(entry.account, 0) + entry.amount
    return sums


def test_a_sale_holds_each_vendors_gross_and_moves_commission_to_the_platform():
    journal = sale_journal("o1", [PartSale("p1", A, 10000, 1000), PartSale("p2", B, 2550, 255)])

    assert journal.key == "sale:o1" and journal.kind is JournalKind.SALE
    assert sum(entry.amount for entry in journal.entries) == 0
    assert _sums(journal) == {Account.CUSTOMER_FUNDS: 12550, Account.VENDOR_SALES: -12550,
                              Account.VENDOR_COMMISSION: 1255,
                              Account.PLATFORM_COMMISSION: -1255}
    assert vendor_balance(_sums(journal, vendor=A)).payable == 9000


def test_a_sale_without_commission_has_no_zero_entry():
    journal = sale_journal("o1", [PartSale("p1", A, 500, 0)])

    assert [entry.account for entry in journal.entries] == [Account.CUSTOMER_FUNDS,
                                                            Account.VENDOR_SALES]


@pytest.mark.parametrize("entries", [
    (Entry(Account.CUSTOMER_FUNDS, 100), Entry(Account.VENDOR_SALES, -99, A)),
    (Entry(Account.CUSTOMER_FUNDS, 100),),
    (Entry(Account.CUSTOMER_FUNDS, 0), Entry(Account.VENDOR_SALES, 0, A)),
    (Entry(Account.CUSTOMER_FUNDS, 100), Entry(Account.VENDOR_SALES, -100)),
], ids=["unbalanced", "one-entry", "zero-entries", "vendor-account-without-vendor"])
def test_a_journal_that_does_not_balance_cannot_be_made(entries):
    with pytest.raises(UnbalancedJournal):
        Journal("k", JournalKind.SALE, "o1", None, entries)


@pytest.mark.parametrize("line_commission,refunded,line_amount,returned", [
    (1000, 5000, 10000, 500),  # exact
    (5, 1, 2, 2),  # 2.5 → 2 (even)
    (7, 1, 2, 4),  # 3.5 → 4 (even)
    (3, 1, 3, 1),  # 1 exactly
    (1, 1, 3, 0),  # 0.33 → 0
], ids=["half", "2.5-down", "3.5-up", "third-exact", "third-down"])
def test_commission_returned_pro_rata_rounds_half_even(line_commission, refunded, line_amount,
                                                        returned):
    assert half_even_share(line_commission, refunded, line_amount) == returned


def test_a_refund_returns_the_commission_and_the_vendor_bears_the_rest():
    sale = sale_journal("o1", [PartSale("p1", A, 10000, 1000)])
    refund = refund_journal("r1", "o1", [PartRefund("p1", A, 2500, 250)])

    assert refund is not None and refund.key == "refund:r1"
    balance = vendor_balance(_sums(sale, refund, vendor=A))
    assert (balance.sales, balance.commission, balance.refunds, balance.payable) == (
        10000, 750, 2500, 6750)
    assert _sums(sale, refund)[Account.PLATFORM_COMMISSION] == -750


def test_a_refund_of_nothing_posts_no_journal():
    assert refund_journal("cancel-o1", "o1", [PartRefund("p1", A, 0, 0)]) is None


def test_the_platform_holds_its_commission_plus_what_it_owes_vendors():
    # Given a two-vendor sale, a partial refund, a transfer and a reversal
    journals = [sale_journal("o1", [PartSale("p1", A, 10000, 1000), PartSale("p2", B, 3001, 300)]),
                transfer_journal("o1", "p1", A, 9000),
                refund_journal("r1", "o1", [PartRefund("p1", A, 1000, 100)]),
                reversal_journal("r1", "o1", "p1", A, 900)]
    assert all(sum(e.amount for e in j.entries) == 0 for j in journals if j)

    # Then cash held = net commission + every vendor's payable, and A is owed nothing more
    sums = _sums(*[j for j in journals if j])
    owed = sum(vendor_balance(_sums(*[j for j in journals if j], vendor=v)).payable
               for v in (A, B))
    assert sums[Account.CUSTOMER_FUNDS] == -sums[Account.PLATFORM_COMMISSION] + owed
    a = vendor_balance(_sums(*[j for j in journals if j], vendor=A))
    assert (a.sales, a.commission, a.refunds, a.transferred, a.payable) == (
        10000, 900, 1000, 8100, 0)
    assert payable_of(_sums(*[j for j in journals if j], part="p2")) == 2701


def _transfer(status: TransferStatus, amount: int = 9000, sent_at: datetime | None = None,
              ) -> VendorTransfer:
    return VendorTransfer("p1", "o1", A, amount, status, sent_at=sent_at)


def test_a_fresh_attempt_sends_the_payable_after_refunds_and_a_retry_the_same_amount():
    assert amount_to_send(_transfer(TransferStatus.PENDING), 6750) == 6750
    assert amount_to_send(_transfer(TransferStatus.PENDING), 0) is None
    assert amount_to_send(_transfer(TransferStatus.PENDING, 9000, NOW), 6750) == 9000


def test_only_an_owed_transfer_without_a_running_attempt_may_be_claimed():
    assert _transfer(TransferStatus.PENDING).claimable(NOW)
    assert not _transfer(TransferStatus.HELD).claimable(NOW)
    assert not _transfer(TransferStatus.PENDING, sent_at=NOW).claimable(NOW + timedelta(seconds=1))
    assert _transfer(TransferStatus.PENDING, sent_at=NOW).claimable(NOW + STALE_ATTEMPT)


@pytest.mark.parametrize("status,sent_at,share,owed,due", [
    (TransferStatus.HELD, None, 2250, 0, 0),
    (TransferStatus.PENDING, None, 2250, 0, 0),
    (TransferStatus.PENDING, NOW, 2250, 0, 2250),
    (TransferStatus.MADE, NOW, 2250, 0, 2250),
    (TransferStatus.PARTIALLY_REVERSED, NOW, 2250, 8000, 1000),
    (TransferStatus.REVERSED, NOW, 2250, 9000, 0),
], ids=["held", "owed-not-sent", "in-flight", "made", "capped", "all-reversed"])
def test_a_refund_reverses_the_vendors_share_never_more_than_was_transferred(
        status, sent_at, share, owed, due):
    assert reversal_for_refund(_transfer(status, 9000, sent_at), share, owed) == due
    assert reversal_for_refund(None, share, owed) == 0
