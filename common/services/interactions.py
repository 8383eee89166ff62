"""Use cases of interactions: accept a client's batch (validate, key by pseudonym, rate
limit, publish), fold a batch into preference features, and count a paid order's purchases.

docs/decisions/0022-interactions-and-preferences.md says why a batch is published directly
and how pseudonyms, decay and the login merge work.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Sequence

from common.domain.errors import InvalidRequest
from common.domain.events import Interaction, InteractionsReceived, OrderPaid
from common.domain.interactions import batch_id, validated
from common.domain.preferences import folded, merged
from common.domain.pseudonyms import pseudonym
from common.ports.interactions import (
    PreferenceStore,
    PreferencesTransaction,
)

logger = logging.getLogger(__name__)
# A batch older than this is not worth folding in any more (its events are past the window).
USEFUL_LIFE = timedelta(days=2)


@dataclass(frozen=True)
class Sender:
    """Who sent a batch: the signed-in account, the device, or both."""

    account_id: str | None
    device_id: str | None


def received(sender: Sender, raw_events: Sequence[Mapping[str, Any]], *, now: datetime,
             key: bytes) -> InteractionsReceived:
    """The event of a valid batch, keyed by pseudonyms only; InvalidRequest otherwise."""
    if sender.account_id is None and sender.device_id is None:
        raise InvalidRequest.at("X-Device-Id", "anonymous clients send their device id "
                                "(the X-Device-Id header or device_id)")
    account = pseudonym("account", sender.account_id, key) if sender.account_id else None
    device = pseudonym("device", sender.device_id, key) if sender.device_id else None
    events = validated(raw_events, now)
    who = account or device or ""
    batch = batch_id(who, events)
    return InteractionsReceived(id=batch, occurred_at=now, batch_id=batch, pseudonym=who,
                                account_pseudonym=account, device_pseudonym=device,
                                events=events)


def is_stale(event: InteractionsReceived | OrderPaid, now: datetime | None = None) -> bool:
    """Older than its useful life by the real time (the test clock, which only moves
    forward, would drop a paid order's fresh event): the consumer drops it."""
    return (now or datetime.now(timezone.utc)) - event.occurred_at > USEFUL_LIFE


def update_preferences(event: InteractionsReceived, tx: PreferencesTransaction) -> None:
    """Fold a batch into its pseudonym's features. Merged in first, once each: the features
    kept under the previous key's pseudonym during a key rotation, and a signed-in device's."""
    store = tx.preferences
    _merge_once(store, event.previous_pseudonym, event.pseudonym)
    account, device = event.account_pseudonym, event.device_pseudonym
    if account and device:
        _merge_once(store, device, account)
    _fold(store, event.pseudonym, event.events)


def _merge_once(store: PreferenceStore, source: str | None, into: str) -> None:
    """The features of `source` folded into `into`'s the first time the two are linked."""
    if source and source != into and store.link_device(source, into):
        rows = store.locked([into, source])
        store.save(merged(rows[into], rows[source]))


def record_purchase_features(event: OrderPaid, tx: PreferencesTransaction, *,
                             key: bytes) -> None:
    """Count a paid order's products as purchases of the buyer (weight, and `bought`)."""
    store = tx.preferences
    at = event.occurred_at.isoformat()
    purchases = [Interaction(type="purchase", at=at, product_id=product_id)
                 for product_id in store.ordered_products(event.order_id)]
    _fold(store, pseudonym("account", event.buyer_id, key), tuple(purchases))


def _fold(store: PreferenceStore, who: str, events: tuple[Interaction, ...]) -> None:
    facts = store.products([e.product_id for e in events if e.product_id])
    current = store.locked([who])[who]
    store.save(folded(current, events, facts))
