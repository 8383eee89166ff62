"""Domain events: one frozen dataclass per thing that happened, named in the past tense.

Each class says its wire `type` and the Pub/Sub `topic` it travels on (topics and their
subscriptions are declared in terraform/events.yaml; a unit test keeps the two in step,
and another keeps the event table of docs/architecture.md in step with this module).
Payloads carry ids, never emails or names: consumers read what they need.
"""

from __future__ import annotations

import dataclasses
import typing
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar


def _new_id() -> str:
    return str(uuid.uuid4())


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, kw_only=True)
class Event:
    """What every event carries; subclasses add their payload fields."""

    type: ClassVar[str]
    topic: ClassVar[str]
    id: str = field(default_factory=_new_id)
    occurred_at: datetime = field(default_factory=_now)

    def payload(self) -> dict[str, Any]:
        """The payload fields as JSON values (nested values as dicts, tuples as lists)."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)
                if f.name not in ("id", "occurred_at")}

    @classmethod
    def from_message(cls, event_id: str, occurred_at: datetime,
                     payload: dict[str, Any]) -> "Event":
        """The event a consumer received; TypeError/ValueError for a payload it can't be."""
        hints = typing.get_type_hints(cls)
        values = {name: _typed(hints[name], value) for name, value in payload.items()
                  if name in hints}
        return cls(id=event_id, occurred_at=occurred_at, **values)


@dataclass(frozen=True)
class Price:
    amount: int  # minor units
    currency: str


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value


def _typed(hint: Any, value: Any) -> Any:
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return hint(**value)
    if typing.get_origin(hint) is tuple:
        item = (typing.get_args(hint) or (None,))[0]
        if isinstance(item, type) and dataclasses.is_dataclass(item):
            return tuple(item(**v) if isinstance(v, dict) else v for v in value)
        return tuple(value)
    return value


# Identity ------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class UserRegistered(Event):
    type: ClassVar[str] = "user.registered"
    topic: ClassVar[str] = "identity"
    account_id: str
    role: str


@dataclass(frozen=True, kw_only=True)
class EmailVerified(Event):
    type: ClassVar[str] = "user.email_verified"
    topic: ClassVar[str] = "identity"
    account_id: str


@dataclass(frozen=True, kw_only=True)
class PasswordResetRequested(Event):
    type: ClassVar[str] = "password_reset.requested"
    topic: ClassVar[str] = "identity"
    account_id: str


@dataclass(frozen=True, kw_only=True)
class AccountBlocked(Event):
    type: ClassVar[str] = "account.blocked"
    topic: ClassVar[str] = "identity"
    account_id: str


@dataclass(frozen=True, kw_only=True)
class AccountUnblocked(Event):
    type: ClassVar[str] = "account.unblocked"
    topic: ClassVar[str] = "identity"
    account_id: str


# Vendors -------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class VendorRegistered(Event):
    type: ClassVar[str] = "vendor.registered"
    topic: ClassVar[str] = "vendors"
    vendor_id: str


@dataclass(frozen=True, kw_only=True)
class VendorVerified(Event):
    type: ClassVar[str] = "vendor.verified"
    topic: ClassVar[str] = "vendors"
    vendor_id: str


@dataclass(frozen=True, kw_only=True)
class VendorRejected(Event):
    type: ClassVar[str] = "vendor.rejected"
    topic: ClassVar[str] = "vendors"
    vendor_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class VendorProfileUpdated(Event):
    type: ClassVar[str] = "vendor.profile_updated"
    topic: ClassVar[str] = "vendors"
    vendor_id: str
    fields: tuple[str, ...]


# Catalog -------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class ProductListed(Event):
    type: ClassVar[str] = "product.listed"
    topic: ClassVar[str] = "catalog"
    product_id: str
    vendor_id: str
    category_id: str
    subcategory_id: str
    price: Price


@dataclass(frozen=True, kw_only=True)
class ProductUpdated(Event):
    type: ClassVar[str] = "product.updated"
    topic: ClassVar[str] = "catalog"
    product_id: str
    vendor_id: str
    fields: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ProductUnlisted(Event):
    type: ClassVar[str] = "product.unlisted"
    topic: ClassVar[str] = "catalog"
    product_id: str
    vendor_id: str


@dataclass(frozen=True, kw_only=True)
class ProductImageIndexed(Event):
    type: ClassVar[str] = "product.image_indexed"
    topic: ClassVar[str] = "catalog"
    product_id: str
    image_id: str
    labels: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ProductImageRejected(Event):
    type: ClassVar[str] = "product.image_rejected"
    topic: ClassVar[str] = "catalog"
    product_id: str
    image_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ProductImageDeleted(Event):
    type: ClassVar[str] = "product.image_deleted"
    topic: ClassVar[str] = "catalog"
    product_id: str
    image_id: str
    vendor_id: str


# Orders ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PaidPart:
    """One vendor's part of a paid order: its subtotal and the platform's commission (cents)."""

    part_id: str
    vendor_id: str
    subtotal: int
    commission: int


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(Event):
    type: ClassVar[str] = "order.placed"
    topic: ClassVar[str] = "orders"
    order_id: str
    buyer_id: str
    total: int  # EUR minor units
    screening: str = "done"  # "deferred": the fraud check fell back; screen it afterwards
    # Only when deferred: what the fraud worker screens the order with afterwards.
    device_id: str | None = None
    client_country: str | None = None
    card: str | None = None  # the payment method token, not a card number


@dataclass(frozen=True, kw_only=True)
class OrderPaid(Event):
    type: ClassVar[str] = "order.paid"
    topic: ClassVar[str] = "orders"
    order_id: str
    buyer_id: str
    payment_id: str
    total: int  # EUR minor units
    parts: tuple[PaidPart, ...]
    # The buyer's residency zone by the shipping country: their purchases are keyed with
    # that zone's pseudonym key, as their interactions are by its anonymizer (None: unknown).
    zone: str | None = None


@dataclass(frozen=True, kw_only=True)
class OrderPaymentFailed(Event):
    type: ClassVar[str] = "order.payment_failed"
    topic: ClassVar[str] = "orders"
    order_id: str
    buyer_id: str
    reason: str


# Refunds and cancellations -------------------------------------------------------------

@dataclass(frozen=True)
class RefundedPart:
    """What a refund or cancellation gave back of one vendor's part (minor units)."""

    part_id: str
    vendor_id: str
    amount: int
    commission_returned: int


@dataclass(frozen=True, kw_only=True)
class OrderCancelled(Event):
    """The buyer cancelled before shipping: the payment voided (nothing refunded, no parts),
    or refunded in full once the provider did it (`refund_id`: the payment saga's refund)."""

    type: ClassVar[str] = "order.cancelled"
    topic: ClassVar[str] = "orders"
    order_id: str
    buyer_id: str
    refunded_amount: int  # EUR minor units
    parts: tuple[RefundedPart, ...]
    refund_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class OrderRefunded(Event):
    """An admin or the vendor refunded lines, and the provider gave the money back."""

    type: ClassVar[str] = "order.refunded"
    topic: ClassVar[str] = "orders"
    order_id: str
    refund_id: str
    amount: int  # EUR minor units
    parts: tuple[RefundedPart, ...]


# Shipping, delivery and vendors' payouts -------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class OrderPartShipped(Event):
    type: ClassVar[str] = "order.part_shipped"
    topic: ClassVar[str] = "orders"
    order_id: str
    part_id: str
    vendor_id: str


@dataclass(frozen=True, kw_only=True)
class OrderPartDelivered(Event):
    type: ClassVar[str] = "order.part_delivered"
    topic: ClassVar[str] = "orders"
    order_id: str
    part_id: str
    vendor_id: str


@dataclass(frozen=True, kw_only=True)
class VendorPaymentAccountUpdated(Event):
    """The vendor's connected account was opened or changed status (onboarding, active,
    restricted)."""

    type: ClassVar[str] = "vendor.payment_account_updated"
    topic: ClassVar[str] = "vendors"
    vendor_id: str
    status: str


# Reviews: post, edit, delete (common/domain/reviews.py) ----------------------------------

@dataclass(frozen=True, kw_only=True)
class ReviewPosted(Event):
    """A buyer reviewed a product (the rating, title and text: fraud screening reads them)."""

    type: ClassVar[str] = "review.posted"
    topic: ClassVar[str] = "reviews"
    review_id: str
    product_id: str
    vendor_id: str
    author_id: str
    rating: int
    title: str
    text: str


@dataclass(frozen=True, kw_only=True)
class ReviewEdited(Event):
    """The author rewrote their review: what it says now."""

    type: ClassVar[str] = "review.edited"
    topic: ClassVar[str] = "reviews"
    review_id: str
    product_id: str
    vendor_id: str
    author_id: str
    rating: int
    title: str
    text: str


@dataclass(frozen=True, kw_only=True)
class ReviewDeleted(Event):
    """The author deleted their review (with its votes and reports)."""

    type: ClassVar[str] = "review.deleted"
    topic: ClassVar[str] = "reviews"
    review_id: str
    product_id: str
    vendor_id: str
    author_id: str


# Reviews: votes, replies and moderation (common/domain/review_moderation.py) -------------

@dataclass(frozen=True, kw_only=True)
class ReviewHidden(Event):
    """An admin hid a review: off the product's list and out of its rating summary."""

    type: ClassVar[str] = "review.hidden"
    topic: ClassVar[str] = "reviews"
    review_id: str
    product_id: str
    vendor_id: str
    author_id: str
    admin_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReviewRestored(Event):
    """An admin restored a hidden review: listed and counted in the summary again."""

    type: ClassVar[str] = "review.restored"
    topic: ClassVar[str] = "reviews"
    review_id: str
    product_id: str
    vendor_id: str
    author_id: str
    admin_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReviewReplied(Event):
    """The product's vendor replied to a review, publicly (the text: fraud screening)."""

    type: ClassVar[str] = "review.replied"
    topic: ClassVar[str] = "reviews"
    review_id: str
    product_id: str
    vendor_id: str
    author_id: str
    text: str


@dataclass(frozen=True, kw_only=True)
class ReviewReported(Event):
    """Someone signed in reported a review (once per reporter) for an admin to look at."""

    type: ClassVar[str] = "review.reported"
    topic: ClassVar[str] = "reviews"
    review_id: str
    product_id: str
    vendor_id: str
    author_id: str
    reporter_id: str
    reason: str


# Chat: reports and away-member digests (common/services/chat_moderation.py, chat_digests.py)

@dataclass(frozen=True, kw_only=True)
class ChatReported(Event):
    """A member reported a room (once per member): an admin may now read it, audited."""

    type: ClassVar[str] = "chat.reported"
    topic: ClassVar[str] = "chat"
    room_id: str
    reporter_id: str
    reason: str


@dataclass(frozen=True)
class DigestRoom:
    """One room of an away member's digest: how many messages wait, and from whom (an id)."""

    room_id: str
    unread: int
    other_party: str


@dataclass(frozen=True, kw_only=True)
class ChatDigestDue(Event):
    """A member was away while messages arrived: mail them one digest of their rooms."""

    type: ClassVar[str] = "chat.digest_due"
    topic: ClassVar[str] = "chat"
    recipient_id: str
    rooms: tuple[DigestRoom, ...]


# Chat rooms: messages (common/domain/chat.py) --------------------------------------------

@dataclass(frozen=True, kw_only=True)
class ChatMessagePosted(Event):
    """A member sent a message (its text: delivery, fraud screening and digests read it);
    `sent_at` is ISO 8601 and `sort_key` orders it in its room."""

    type: ClassVar[str] = "chat.message_posted"
    topic: ClassVar[str] = "chat"
    room_id: str
    message_id: str
    sender_id: str
    recipient_id: str
    text: str
    sort_key: str
    sent_at: str


# Promotions (common/services/promotion_purchase.py; docs/decisions/0021-promotions.md) --

@dataclass(frozen=True, kw_only=True)
class PromotionScheduled(Event):
    """A vendor paid for a promotion (`paid_with` balance or card); times ISO 8601 UTC."""

    type: ClassVar[str] = "promotion.scheduled"
    topic: ClassVar[str] = "promotions"
    promotion_id: str
    product_id: str
    vendor_id: str
    starts_at: str
    ends_at: str
    fee: int
    paid_with: str


@dataclass(frozen=True, kw_only=True)
class PromotionCancelled(Event):
    """The vendor cancelled a promotion; `refund`: the whole days not begun, given back."""

    type: ClassVar[str] = "promotion.cancelled"
    topic: ClassVar[str] = "promotions"
    promotion_id: str
    product_id: str
    vendor_id: str
    refund: int


@dataclass(frozen=True, kw_only=True)
class PromotionActivated(Event):
    """A scheduled promotion reached its start (common/services/promotion_lifecycle.py)."""

    type: ClassVar[str] = "promotion.activated"
    topic: ClassVar[str] = "promotions"
    promotion_id: str
    product_id: str
    vendor_id: str
    ends_at: str


@dataclass(frozen=True, kw_only=True)
class PromotionEnded(Event):
    """A promotion stopped: `reason` completed (its end passed), product_unlisted or
    vendor_blocked (at once, `refund`: the whole days not begun, given back)."""

    type: ClassVar[str] = "promotion.ended"
    topic: ClassVar[str] = "promotions"
    promotion_id: str
    product_id: str
    vendor_id: str
    reason: str
    refund: int


# Federated learning: model versions (common/services/federated_rounds.py) --------------

@dataclass(frozen=True, kw_only=True)
class FlModelPublished(Event):
    """A new immutable model version is in the model bucket (v1 seeded, later ones from a
    round of device updates); `epsilon` is the privacy spent so far (None for v1)."""

    type: ClassVar[str] = "fl.model_published"
    topic: ClassVar[str] = "federated"
    version: int
    object_path: str
    dim: int
    items: int
    round_updates: int
    epsilon: float | None = None


# Interactions: telemetry published directly, not through the outbox -------------------
# (common/services/interactions.py; docs/decisions/0022-interactions-and-preferences.md)

@dataclass(frozen=True)
class Interaction:
    """One validated client interaction; `at` is ISO 8601 UTC."""

    type: str  # view | click | add_to_cart | dwell | search
    at: str
    product_id: str | None = None
    query: str | None = None
    dwell_ms: int | None = None


@dataclass(frozen=True, kw_only=True)
class InteractionsReceived(Event):
    """A client's batch of interactions; the event id is `batch_id`. Keyed by pseudonyms
    (common/domain/pseudonyms.py), never by the raw account or device id: `pseudonym` is
    the account's when signed in, else the device's."""

    type: ClassVar[str] = "interactions.received"
    topic: ClassVar[str] = "interactions"
    batch_id: str
    pseudonym: str
    account_pseudonym: str | None
    device_pseudonym: str | None
    events: tuple[Interaction, ...]
    # Set by the edge anonymizer (docs/anonymization-policy.md): the residency zone whose
    # key made the pseudonyms, and during a key rotation `pseudonym` under the previous key.
    zone: str | None = None
    previous_pseudonym: str | None = None


# Promoted feed: telemetry published directly, not through the outbox -------------------
# (common/services/promoted_feed.py; docs/decisions/0023-promoted-feed.md)

@dataclass(frozen=True, kw_only=True)
class FeedServed(Event):
    """A page of the promoted feed was served: one impression per promotion on it (no
    pseudonym: counting needs none)."""

    type: ClassVar[str] = "feed.served"
    topic: ClassVar[str] = "feed"
    promotion_ids: tuple[str, ...]
    model_version: int | None


# Fraud cases (common/domain/fraud_cases.py; docs/decisions/0027-fraud-cases.md) -------

@dataclass(frozen=True, kw_only=True)
class FraudCaseOpened(Event):
    """The fraud detector opened a case; act_on_fraud_case carries out its `action`."""

    type: ClassVar[str] = "fraud.case_opened"
    topic: ClassVar[str] = "fraud"
    case_id: str
    kind: str
    subject_id: str
    account_id: str | None
    action: str
    score: float


@dataclass(frozen=True, kw_only=True)
class FraudCaseResolved(Event):
    """An admin confirmed or cleared a case: its label for the next training."""

    type: ClassVar[str] = "fraud.case_resolved"
    topic: ClassVar[str] = "fraud"
    case_id: str
    resolution: str
    account_id: str | None


# Security signals: published directly, not through the outbox, to the fraud worker ------
# (register_customer, register_vendor, create_session; docs/decisions/0028-fraud-signals.md)

@dataclass(frozen=True, kw_only=True)
class SignalRegistration(Event):
    """An account registered: where from, and the email's domain and local-part shape
    (common/domain/security_signals.py), never the email. The event id is `signal_id`."""

    type: ClassVar[str] = "signal.registration"
    topic: ClassVar[str] = "security-signals"
    signal_id: str
    account_id: str
    role: str
    email_domain: str
    email_local_shape: dict[str, Any]
    device_id: str | None
    ip: str | None
    country: str | None


@dataclass(frozen=True, kw_only=True)
class SignalLogin(Event):
    """A login succeeded or failed (`outcome`); account_id None for an unknown email.
    The event id is `signal_id`."""

    type: ClassVar[str] = "signal.login"
    topic: ClassVar[str] = "security-signals"
    signal_id: str
    account_id: str | None
    outcome: str  # succeeded | failed
    device_id: str | None
    ip: str | None
    country: str | None


# Analytics: published directly by the edge anonymizer, never raw ------------------------
# (edge_workers/anonymizer; docs/anonymization-policy.md)

@dataclass(frozen=True, kw_only=True)
class AnalyticsEventReceived(Event):
    """One client analytics event after anonymization: keyed by a zone pseudonym, its time
    cut to the hour, its properties allow-listed and coarse, its free text scrubbed. The
    event id is derived from the raw event, so a client's retry has the same id."""

    type: ClassVar[str] = "analytics.event"
    topic: ClassVar[str] = "analytics"
    pseudonym: str
    previous_pseudonym: str | None
    zone: str
    event_type: str
    at_hour: str
    country: str | None
    device_class: str
    product_id: str | None
    properties: dict[str, Any]


def _concrete(base: type[Event]) -> list[type[Event]]:
    found = []
    for sub in base.__subclasses__():
        found.extend([sub] if "type" in sub.__dict__ else [])
        found.extend(_concrete(sub))
    return found


# Every event type by its wire name; TOPIC_OF is what terraform/events.yaml must declare.
EVENT_TYPES: dict[str, type[Event]] = {cls.type: cls for cls in _concrete(Event)}
TOPIC_OF: dict[str, str] = {name: cls.topic for name, cls in EVENT_TYPES.items()}
