"""Use cases of interactions: fold a batch into preference features, and count a paid
order's purchases. Clients' batches are validated, keyed and published by the edge
anonymizer (edge_workers/anonymizer/pipeline.py).

docs/decisions/0022-interactions-and-preferences.md says why a batch is published directly
and how pseudonyms, decay and the login merge work.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from common.domain.events import Interaction, InteractionsReceived, OrderPaid
from common.domain.preferences import folded, merged
from common.domain.pseudonyms import pseudonym
from common.ports.interactions import (
    PreferenceStore,
    PreferencesTransaction,
)

logger = logging.getLogger(__name__)
# A batch older than this is not worth folding in any more (its events are past the window).
USEFUL_LIFE = timedelta(days=2)


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
