"""interactions.received events for tests of what consumes them, built from the common
rules as the edge anonymizer builds them (edge_workers/anonymizer/pipeline.py, without its
coarsening of times, so decay can be checked to the second)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Sequence

from common.domain.events import InteractionsReceived
from common.domain.interactions import batch_id, validated
from common.domain.pseudonyms import pseudonym


def batch_event(account_id: str | None, device_id: str | None,
                raw_events: Sequence[Mapping[str, Any]], *, now: datetime,
                key: bytes) -> InteractionsReceived:
    """A valid batch's event keyed by pseudonyms under `key` (the account's when given)."""
    account = pseudonym("account", account_id, key) if account_id else None
    device = pseudonym("device", device_id, key) if device_id else None
    who = account or device
    assert who is not None, "a batch comes from an account or a device"
    events = validated(raw_events, now)
    batch = batch_id(who, events)
    return InteractionsReceived(id=batch, occurred_at=now, batch_id=batch, pseudonym=who,
                                account_pseudonym=account, device_pseudonym=device,
                                events=events)
