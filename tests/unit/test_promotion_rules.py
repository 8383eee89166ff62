"""Promotion rules: whole days, fees, schedules refused, overlaps, refunds of days not
begun, and how a balance-paid fee is taken from (and given back to) the vendor's parts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from common.domain.errors import InvalidRequest, InvalidState
from common.domain.ledger import (
    Account,
    JournalKind,
    payable_of,
    promotion_fee_journal,
    promotion_refund_journal,
    vendor_balance,
)
from common.domain.promotions import (
    PaidWith,
    Promotion,
    PromotionStatus,
    Schedule,
    daily_rate_for,
    days_not_begun,
    give_back_to_parts,
    overlaps,
    quote,
    refund_on_end,
    schedule_of,
    take_from_parts,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def _promotion(status=PromotionStatus.ACTIVE, days=10, starts_at=NOW, refunded=0):
    return Promotion(id="p", product_id="prod", vendor_id="v", status=status,
                     starts_at=starts_at, ends_at=starts_at + days * DAY, days=days,
                     daily_rate=500, fee_amount=500 * days, paid_with=PaidWith.BALANCE,
                     refunded_amount=refunded)


def test_days_from_now_start_now_and_cost_the_daily_rate_times_the_days():
    schedule = schedule_of(NOW, days=7, starts_at=None, ends_at=None, max_days=90)

    priced = quote(schedule, 500)

    assert (schedule.starts_at, schedule.ends_at, priced.fee) == (NOW, NOW + 7 * DAY, 3500)


def test_an_end_part_way_into_a_day_is_rounded_up_to_the_next_whole_day():
    start = NOW + DAY

    schedule = schedule_of(NOW, days=None, starts_at=start, ends_at=start + 2 * DAY
                           + timedelta(hours=1), max_days=90)

    assert (schedule.days, schedule.ends_at) == (3, start + 3 * DAY)


def test_a_start_a_little_in_the_past_means_now():
    schedule = schedule_of(NOW, days=1, starts_at=NOW - timedelta(minutes=2), ends_at=None,
                           max_days=90)

    assert schedule.starts_at == NOW


@pytest.mark.parametrize(("days", "starts_at", "ends_at", "field"), [
    (1, NOW - timedelta(hours=1), None, "starts_at"),          # in the past
    (None, NOW + DAY, NOW + DAY, "ends_at"),                   # ends when it starts
    (None, NOW + 2 * DAY, NOW + DAY, "ends_at"),               # reversed
    (91, None, None, "days"),                                  # too long
    (None, NOW, NOW + 90 * DAY + timedelta(seconds=1), "ends_at"),  # rounds up to 91
    (0, None, None, "days"),
    (None, None, None, "days"),                                # neither days nor an end
    (3, None, NOW + 3 * DAY, "days"),                          # both
])
def test_a_schedule_in_the_past_reversed_or_too_long_is_refused(days, starts_at, ends_at, field):
    with pytest.raises(InvalidRequest) as refused:
        schedule_of(NOW, days=days, starts_at=starts_at, ends_at=ends_at, max_days=90)

    assert refused.value.extra["errors"][0]["field"] == field


def test_the_longest_promotion_allowed_is_accepted():
    assert schedule_of(NOW, days=90, starts_at=None, ends_at=None, max_days=90).days == 90


def test_a_category_rate_applies_else_the_default():
    assert daily_rate_for("audio", {"audio": 900}, 500) == 900
    assert daily_rate_for("books", {"audio": 900}, 500) == 500


def test_a_schedule_overlaps_a_running_promotion_but_not_an_adjacent_or_ended_one():
    running = _promotion(starts_at=NOW, days=3)
    ended = _promotion(status=PromotionStatus.CANCELLED, starts_at=NOW + 3 * DAY, days=3)

    assert overlaps(Schedule(NOW + 2 * DAY, 2), [running])
    assert not overlaps(Schedule(NOW + 3 * DAY, 2), [running])  # [start, end): adjacent
    assert not overlaps(Schedule(NOW + 3 * DAY, 2), [ended])


def test_cancelling_before_the_start_refunds_the_whole_fee():
    scheduled = _promotion(status=PromotionStatus.SCHEDULED, starts_at=NOW + DAY, days=4)

    assert refund_on_end(scheduled, NOW) == 2000


def test_a_day_begun_is_used_and_the_days_not_begun_are_refunded():
    active = _promotion(days=10, starts_at=NOW)

    assert days_not_begun(active, NOW + timedelta(seconds=1)) == 9
    assert refund_on_end(active, NOW + 2 * DAY + timedelta(hours=3)) == 7 * 500
    assert refund_on_end(active, NOW + 3 * DAY) == 7 * 500
    assert refund_on_end(active, NOW + 10 * DAY) == 0


def test_a_refund_never_exceeds_what_is_left_unrefunded():
    active = _promotion(days=10, starts_at=NOW + DAY, refunded=4800)

    assert refund_on_end(active, NOW) == 200


@pytest.mark.parametrize("status", [PromotionStatus.ENDED, PromotionStatus.CANCELLED])
def test_a_promotion_over_already_cannot_end_again(status):
    with pytest.raises(InvalidState):
        refund_on_end(_promotion(status=status), NOW)


def test_a_fee_is_taken_from_the_parts_in_id_order_each_up_to_its_payable():
    payables = {"b": 700, "a": 300, "c": 5000, "d": -50}

    assert take_from_parts(1500, payables) == {"a": 300, "b": 700, "c": 500}
    assert take_from_parts(6001, payables) == {}


def test_a_refund_goes_back_to_the_parts_the_fee_came_from_last_first():
    taken = {"a": 300, "b": 700, "c": 500}

    assert give_back_to_parts(900, taken) == {"c": 500, "b": 400}
    with pytest.raises(ValueError):
        give_back_to_parts(1501, taken)


def test_a_balance_paid_fee_lowers_the_payable_of_its_parts_and_the_refund_restores_it():
    # Given a vendor whose part "a" is payable 1000 (a sale of 1000, no commission)
    sums = {Account.VENDOR_SALES: -1000}

    # When a fee of 600 is paid from it, then 400 refunded
    fee = promotion_fee_journal("p", "v", 600, {"a": 600})
    refund = promotion_refund_journal("p", "v", 400, {"a": 400})
    for journal in (fee, refund):
        for entry in journal.entries:
            sums[entry.account] = sums.get(entry.account, 0) + entry.amount

    # Then the platform earned 200 and the part's payable is 1000 - 600 + 400
    assert (fee.key, fee.kind, refund.key, refund.kind) == (
        "promotion:p", JournalKind.PROMOTION_FEE, "promotion_refund:p",
        JournalKind.PROMOTION_REFUND)
    assert sums[Account.PLATFORM_PROMOTIONS] == -200
    assert payable_of(sums) == vendor_balance(sums).payable == 800


def test_a_card_paid_fee_is_cash_in_and_leaves_the_vendors_payable_alone():
    fee = promotion_fee_journal("p", "v", 600, None)

    assert {(e.account, e.amount, e.vendor_id) for e in fee.entries} == {
        (Account.PROMOTION_CARD_FUNDS, 600, None), (Account.PLATFORM_PROMOTIONS, -600, None)}


def test_parts_that_do_not_add_up_to_the_fee_are_a_bug():
    with pytest.raises(ValueError):
        promotion_fee_journal("p", "v", 600, {"a": 500})
