"""A promotion's lifecycle in plain values: scheduled → active at its start, → ended at its
end, and ended at once with its unused whole days refunded when its product is unlisted or
its vendor blocked."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from common.domain.errors import InvalidState
from common.domain.promotion_lifecycle import EndReason, Transition, due_transition, end_early
from common.domain.promotions import PaidWith, Promotion, PromotionStatus

START = datetime(2026, 12, 10, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def promotion(status: PromotionStatus = PromotionStatus.SCHEDULED, *, days: int = 5,
              daily_rate: int = 500, refunded: int = 0) -> Promotion:
    return Promotion("promo-1", "product-1", "vendor-1", status, START, START + days * DAY,
                     days, daily_rate, daily_rate * days, PaidWith.BALANCE,
                     refunded_amount=refunded)


@pytest.mark.parametrize(("status", "at"), [
    (PromotionStatus.SCHEDULED, START - timedelta(seconds=1)),
    (PromotionStatus.ACTIVE, START + 2 * DAY),
    (PromotionStatus.ACTIVE, START + 5 * DAY - timedelta(microseconds=1)),
    (PromotionStatus.ENDED, START + 9 * DAY),
    (PromotionStatus.CANCELLED, START + DAY),
], ids=["scheduled-before-start", "active-mid-way", "active-just-before-end", "ended",
        "cancelled"])
def test_nothing_is_due_before_the_next_boundary_or_once_over(status, at):
    assert due_transition(promotion(status), at) is None


def test_a_scheduled_promotion_activates_at_its_start():
    # Given a promotion scheduled to start at START; When the clock reaches START
    due = due_transition(promotion(), START)

    # Then it becomes active, refunding nothing
    assert due == Transition(promotion(), PromotionStatus.ACTIVE)


@pytest.mark.parametrize("status", [PromotionStatus.ACTIVE, PromotionStatus.SCHEDULED],
                         ids=["active", "scheduled-whose-window-passed"])
def test_a_promotion_ends_as_of_its_end_with_nothing_refunded(status):
    due = due_transition(promotion(status), START + 5 * DAY + timedelta(minutes=1))

    assert due == Transition(promotion(status), PromotionStatus.ENDED, EndReason.COMPLETED, 0,
                             START + 5 * DAY)


@pytest.mark.parametrize(("listed", "active", "reason"), [
    (False, True, EndReason.PRODUCT_UNLISTED),
    (True, False, EndReason.VENDOR_BLOCKED),
], ids=["product-unlisted", "vendor-blocked"])
def test_a_promotion_due_to_start_whose_product_or_vendor_is_gone_ends_with_a_full_refund(
        listed, active, reason):
    due = due_transition(promotion(), START + timedelta(minutes=1), product_listed=listed,
                         vendor_active=active)

    # Its first day began a minute ago but it was never shown: it ends as of its start
    assert due == Transition(promotion(), PromotionStatus.ENDED, reason, 5 * 500, START)


@pytest.mark.parametrize("at", [START - DAY, START + timedelta(seconds=30)],
                         ids=["before-its-start", "its-start-passed-not-yet-activated"])
def test_ending_a_scheduled_promotion_early_refunds_every_day(at):
    ended = end_early(promotion(), at, EndReason.PRODUCT_UNLISTED)

    assert (ended.status, ended.reason, ended.refund, ended.at) == (
        PromotionStatus.ENDED, EndReason.PRODUCT_UNLISTED, 2500, min(at, START))


@pytest.mark.parametrize(("at", "refund"), [
    (START + timedelta(hours=1), 4 * 500),
    (START + DAY, 4 * 500),
    (START + DAY + timedelta(seconds=1), 3 * 500),
    (START + 4 * DAY + timedelta(hours=23), 0),
], ids=["in-day-1", "day-1-just-over", "just-into-day-2", "last-day"])
def test_ending_an_active_promotion_early_refunds_the_whole_days_not_yet_begun(at, refund):
    ended = end_early(promotion(PromotionStatus.ACTIVE), at, EndReason.VENDOR_BLOCKED)

    assert (ended.status, ended.refund, ended.at) == (PromotionStatus.ENDED, refund, at)


def test_an_early_end_never_refunds_more_than_is_left_unrefunded():
    partly_refunded = promotion(PromotionStatus.ACTIVE, refunded=2300)

    ended = end_early(partly_refunded, START + timedelta(hours=1), EndReason.VENDOR_BLOCKED)

    assert ended.refund == 200


@pytest.mark.parametrize("status", [PromotionStatus.ENDED, PromotionStatus.CANCELLED])
def test_a_promotion_that_is_over_cannot_end_again(status):
    over = dataclasses.replace(promotion(), status=status)

    with pytest.raises(InvalidState):
        end_early(over, START, EndReason.PRODUCT_UNLISTED)
