"""How a promotion moves on by itself: scheduled → active at its start, → ended at its end;
and at once, its unused whole days refunded, when its product is unlisted or its vendor
blocked (the refund rule is common/domain/promotions.py's `refund_on_end`).

Plain values only; common/services/promotion_lifecycle.py loads, decides and stores.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from common.domain.promotions import Promotion, PromotionStatus, refund_on_end


class EndReason(str, enum.Enum):
    """Why a promotion ended (stored in promotions.end_reason, carried by promotion.ended)."""

    COMPLETED = "completed"  # ran its whole schedule
    PRODUCT_UNLISTED = "product_unlisted"
    VENDOR_BLOCKED = "vendor_blocked"


@dataclass(frozen=True)
class Transition:
    """What happens to one promotion: its new status, why it ended, what it refunds, and
    when it ended (None: now)."""

    promotion: Promotion
    status: PromotionStatus
    reason: EndReason | None = None
    refund: int = 0
    at: datetime | None = None


def due_transition(promotion: Promotion, now: datetime, *, product_listed: bool = True,
                   vendor_active: bool = True) -> Transition | None:
    """The move the schedule asks for at `now` (None: nothing is due).

    A promotion past its end ends as of its end (a scheduled one whose whole window passed
    unseen ends without activating); one past its start activates, unless its product is no longer
    listed or its vendor no longer active: then it ends at once with its refund, as the
    event consumers would have done.
    """
    if promotion.status not in (PromotionStatus.SCHEDULED, PromotionStatus.ACTIVE):
        return None
    if promotion.ends_at <= now:
        return Transition(promotion, PromotionStatus.ENDED, EndReason.COMPLETED,
                          at=promotion.ends_at)
    if promotion.status is PromotionStatus.ACTIVE or now < promotion.starts_at:
        return None
    if not product_listed:
        return end_early(promotion, now, EndReason.PRODUCT_UNLISTED)
    if not vendor_active:
        return end_early(promotion, now, EndReason.VENDOR_BLOCKED)
    return Transition(promotion, PromotionStatus.ACTIVE)


def end_early(promotion: Promotion, now: datetime, reason: EndReason) -> Transition:
    """End a scheduled or active promotion now: the whole days not yet begun come back; one
    still scheduled was never shown, so it ends as of its start (at the latest) and all of
    it comes back. InvalidState (409) if it is over already."""
    at = min(now, promotion.starts_at) if promotion.status is PromotionStatus.SCHEDULED else now
    return Transition(promotion, PromotionStatus.ENDED, reason, refund_on_end(promotion, at), at)
