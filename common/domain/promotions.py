"""Promotions: the rules of what a vendor buys — whole days of a product in the promoted
feed, at a daily rate per category — and what a cancellation gives back.

Plain values only; the use cases (common/services/promotion_purchase.py) load and store them.
A promotion covers [starts_at, ends_at) with ends_at = starts_at + days: a requested end
that is not a whole number of days after the start is rounded up to the next whole day.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from common.domain.errors import InvalidRequest, InvalidState

DAY = timedelta(days=1)
# A start this little in the past (a slow client, clock skew) means "now", not an error.
START_GRACE = timedelta(minutes=5)
CURRENCY = "EUR"
# The longest promotion any setting may allow (PROMOTION_MAX_DAYS is at most this).
LONGEST_DAYS = 365


class PromotionStatus(str, enum.Enum):
    SCHEDULED = "scheduled"
    ACTIVE = "active"
    ENDED = "ended"
    CANCELLED = "cancelled"


RUNNING = frozenset({PromotionStatus.SCHEDULED, PromotionStatus.ACTIVE})


class PaidWith(str, enum.Enum):
    BALANCE = "balance"
    CARD = "card"


@dataclass(frozen=True)
class Schedule:
    """When a promotion runs: whole days from `starts_at`."""

    starts_at: datetime
    days: int

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + self.days * DAY


@dataclass(frozen=True)
class Quote:
    """What a schedule costs for a product's category."""

    schedule: Schedule
    daily_rate: int
    fee: int
    currency: str = CURRENCY


@dataclass(frozen=True)
class Promotion:
    """A promotion as stored (migration 0013)."""

    id: str
    product_id: str
    vendor_id: str
    status: PromotionStatus
    starts_at: datetime
    ends_at: datetime
    days: int
    daily_rate: int
    fee_amount: int
    paid_with: PaidWith
    payment_ref: str | None = None
    refunded_amount: int = 0
    created_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None


def schedule_of(now: datetime, *, days: int | None, starts_at: datetime | None,
                ends_at: datetime | None, max_days: int) -> Schedule:
    """The schedule asked for ({days} from now, or a start with days or an end); 422 when it
    starts in the past, ends before it starts, or runs longer than `max_days`."""
    if (days is None) == (ends_at is None):
        raise InvalidRequest.at("days", "give either days or ends_at")
    start = starts_at or now
    if start < now - START_GRACE:
        raise InvalidRequest.at("starts_at", "must not be in the past")
    start = max(start, now)
    if ends_at is not None:
        if ends_at <= start:
            raise InvalidRequest.at("ends_at", "must be after starts_at")
        days = whole_days(ends_at - start)
    assert days is not None
    if not 1 <= days <= max_days:
        raise InvalidRequest.at("days" if ends_at is None else "ends_at",
                                f"a promotion runs 1..{max_days} days")
    return Schedule(start, days)


def whole_days(span: timedelta) -> int:
    """Days a span covers, a part of a day counting as a whole one."""
    return math.ceil(span / DAY)


def daily_rate_for(category_id: str, rates: Mapping[str, int], default: int) -> int:
    """The daily rate of the product's category, else the default (minor units)."""
    return rates.get(category_id, default)


def quote(schedule: Schedule, daily_rate: int) -> Quote:
    """The fee: the daily rate times the whole days."""
    return Quote(schedule, daily_rate, daily_rate * schedule.days)


def overlaps(schedule: Schedule, running: Iterable[Promotion]) -> bool:
    """Whether the schedule overlaps a scheduled or active promotion of the same product."""
    return any(p.status in RUNNING and p.starts_at < schedule.ends_at
               and schedule.starts_at < p.ends_at for p in running)


def days_not_begun(promotion: Promotion, now: datetime) -> int:
    """Whole days of the promotion that have not begun at `now` (a day begun is used)."""
    if now <= promotion.starts_at:
        return promotion.days
    return max(0, promotion.days - whole_days(now - promotion.starts_at))


def refund_on_end(promotion: Promotion, now: datetime) -> int:
    """What ending it now gives back: the whole days not yet begun, never more than is
    left unrefunded; 409 if it is over already."""
    if promotion.status not in RUNNING:
        raise InvalidState(f"The promotion is {promotion.status.value} already.")
    owed = days_not_begun(promotion, now) * promotion.daily_rate
    return min(owed, promotion.fee_amount - promotion.refunded_amount)


def take_from_parts(fee: int, payables: Mapping[str, int]) -> dict[str, int]:
    """Split a fee over parts not yet transferred (in id order, each up to its payable);
    {} when their payable together does not cover it."""
    if sum(max(0, amount) for amount in payables.values()) < fee:
        return {}
    taken: dict[str, int] = {}
    left = fee
    for part_id in sorted(payables):
        share = min(left, max(0, payables[part_id]))
        if share:
            taken[part_id] = share
            left -= share
        if left == 0:
            break
    return taken


def give_back_to_parts(amount: int, taken: Mapping[str, int]) -> dict[str, int]:
    """Split a refund of a balance-paid fee over the parts it was taken from (last first)."""
    given: dict[str, int] = {}
    left = amount
    for part_id in sorted(taken, reverse=True):
        share = min(left, taken[part_id])
        if share:
            given[part_id] = share
            left -= share
    if left:
        raise ValueError("refund exceeds what the fee took from the parts")
    return given
