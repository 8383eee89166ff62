"""What every fake shares: a clock tests move by hand, failures tests arm by method name,
and the tables of the fake database (deep-copied per transaction)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from common.domain.catalog import Category, Product
from common.domain.identity import Account
from common.domain.images import DetectedObject, ImageStatus, Label

START = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


class FakeClock:
    """The database's now(): fixed until a test moves it."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Breakable:
    """`fake.fail("method", error)`: every later call of that method raises `error` (before
    its effect, or after it with `after_effect=True`: a reply lost once the work was done)."""

    def __init__(self) -> None:
        self._failures: dict[str, tuple[BaseException, bool]] = {}
        self.calls: list[str] = []

    def fail(self, method: str, error: BaseException, *, after_effect: bool = False) -> None:
        assert hasattr(self, method), f"{type(self).__name__} has no {method}"
        self._failures[method] = (error, after_effect)

    def heal(self, method: str) -> None:
        self._failures.pop(method, None)

    def _before(self, method: str) -> None:
        self.calls.append(method)
        error, after = self._failures.get(method, (None, False))
        if error is not None and not after:
            raise error

    def _after(self, method: str) -> None:
        error, after = self._failures.get(method, (None, False))
        if error is not None and after:
            raise error


@dataclass
class ImageRow:
    """A product_images row, with the columns no domain value shows."""

    id: str
    product_id: str
    object_name: str
    content_type: str
    declared_size: int
    upload_expires_at: datetime
    status: ImageStatus = ImageStatus.PENDING
    lease_token: str | None = None
    lease_until: datetime | None = None
    reject_reason: str | None = None
    width: int | None = None
    height: int | None = None
    labels: tuple[Label, ...] = ()
    objects: tuple[DetectedObject, ...] = ()
    renditions: dict[str, str] = field(default_factory=dict)
    embedding: tuple[float, ...] | None = None
    removed_at: datetime | None = None


@dataclass(frozen=True)
class VendorReview:
    admin_id: str
    checklist: dict | None
    note: str | None
    reason: str | None
    reviewed_at: datetime


@dataclass(frozen=True)
class AdminAction:
    admin_id: str
    action: str
    target_id: str
    reason: str | None


@dataclass
class Tables:
    """Everything the fake database holds. Products are stored without vendor_name and
    images (joined in on read), as the real tables are."""

    accounts: dict[str, Account] = field(default_factory=dict)
    blocked_reasons: dict[str, str | None] = field(default_factory=dict)
    vendor_reviews: dict[str, VendorReview] = field(default_factory=dict)
    admin_actions: list[AdminAction] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    products: dict[str, Product] = field(default_factory=dict)
    image_labels: dict[str, str] = field(default_factory=dict)  # product id -> search labels
    images: dict[str, ImageRow] = field(default_factory=dict)  # in creation order
    lexicon: set[str] = field(default_factory=set)
    inbox: set[tuple[str, str]] = field(default_factory=set)

