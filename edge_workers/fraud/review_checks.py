"""Review checks: bursts on one product, reviewers without history, near-duplicate texts
across accounts (MinHash), rating outliers within a burst, and reviewers tied to the vendor
(a device or address both used)."""

from __future__ import annotations

from datetime import datetime, timedelta

from edge_workers.fraud import text_similarity
from edge_workers.fraud.findings import Finding
from edge_workers.fraud.history import History
from edge_workers.fraud.signals import ANY_KIND, Signal

BURST_WINDOW = timedelta(hours=1)
BURST_AT = 5  # reviews of one product in BURST_WINDOW, this one included
NEW_ACCOUNT = timedelta(days=7)
DUPLICATE_WINDOW = timedelta(days=30)
DUPLICATE_AT = 0.8  # estimated Jaccard similarity of the word 3-shingles
RATING_WINDOW = timedelta(days=90)
OUTLIER_AT = 3  # |rating − the product's mean| that is suspicious inside a burst
TIE_WINDOW = timedelta(days=30)


def burst(history: History, product_id: str, now: datetime) -> Finding | None:
    reviews = history.count("review", "subject", product_id, now - BURST_WINDOW)
    if reviews < BURST_AT:
        return None
    return Finding(0.35, f"{reviews} reviews of this product in 1 h", strong=True)


def no_history(history: History, author_id: str, now: datetime) -> Finding | None:
    """A new account whose only order is (at most) the one it reviews."""
    created = history.account_created_at(author_id)
    orders = history.count("order", "account_id", author_id, now - timedelta(days=365))
    if created is None or now - created >= NEW_ACCOUNT or orders > 1:
        return None
    days = (now - created).total_seconds() / 86400
    return Finding(0.2, f"reviewer's account is {days:.0f} days old with {orders} order(s)")


def near_duplicates(history: History, review: Signal, now: datetime) -> Finding | None:
    """Recent reviews of other accounts whose text is nearly the same."""
    mine = review.detail.get("minhash")
    if not mine:
        return None
    others = {s.account_id for s in history.signals("review", now - DUPLICATE_WINDOW)
              if s.account_id != review.account_id and s.detail.get("minhash")
              and text_similarity.similarity(mine, s.detail["minhash"]) >= DUPLICATE_AT}
    if not others:
        return None
    score = 0.7 if len(others) >= 2 else 0.6
    return Finding(score, f"text nearly the same as {len(others)} other account(s)' reviews",
                   strong=True)


def rating_outlier(history: History, review: Signal, now: datetime) -> Finding | None:
    """A rating far from the product's mean (of other accounts' reviews)."""
    ratings = [s.detail["rating"] for s in history.signals(
        "review", now - RATING_WINDOW, by="subject", value=review.subject)
        if s.account_id != review.account_id and isinstance(s.detail.get("rating"), int)]
    if not ratings:
        return None
    mean = sum(ratings) / len(ratings)
    if abs(review.detail["rating"] - mean) < OUTLIER_AT:
        return None
    return Finding(0.3, f"rating {review.detail['rating']} against a mean of {mean:.1f}")


def tied_to_vendor(history: History, author_id: str, vendor_id: str,
                   now: datetime) -> Finding | None:
    """The reviewer used a device or an address the vendor used too."""
    def traces(account_id: str) -> set[str]:
        signals = history.signals(ANY_KIND, now - TIE_WINDOW, by="account_id",
                                  value=account_id, limit=200)
        return ({f"device {s.device_id}" for s in signals if s.device_id}
                | {f"address {s.ip}" for s in signals if s.ip})
    shared = traces(author_id) & traces(vendor_id)
    if not shared:
        return None
    kinds = sorted({trace.split(" ")[0] for trace in shared})
    return Finding(0.6, f"reviewer shares a {' and an '.join(kinds)} with the vendor",
                   strong=True)


def review_findings(history: History, review: Signal, vendor_id: str,
                    now: datetime) -> list[Finding]:
    """Every finding on a review just recorded (its signal's subject is the product)."""
    found_burst = burst(history, review.subject or "", now) if review.subject else None
    checks = [found_burst, no_history(history, review.account_id or "", now),
              near_duplicates(history, review, now),
              rating_outlier(history, review, now) if found_burst else None,
              tied_to_vendor(history, review.account_id or "", vendor_id, now)]
    return [finding for finding in checks if finding is not None]
