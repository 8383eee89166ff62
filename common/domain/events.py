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


def _concrete(base: type[Event]) -> list[type[Event]]:
    found = []
    for sub in base.__subclasses__():
        found.extend([sub] if "type" in sub.__dict__ else [])
        found.extend(_concrete(sub))
    return found


# Every event type by its wire name; TOPIC_OF is what terraform/events.yaml must declare.
EVENT_TYPES: dict[str, type[Event]] = {cls.type: cls for cls in _concrete(Event)}
TOPIC_OF: dict[str, str] = {name: cls.topic for name, cls in EVENT_TYPES.items()}
