"""Interaction batches: what a client may send, and what each kind of interaction weighs.

The API schema checks shapes (types, lengths, UUIDs); this module checks the rules that
need more than one field or the clock: which fields each type needs, and the time window
an interaction must fall in. The batch id is derived from the batch itself, so a client
that retries the same batch sends the same event id and the consumer's inbox drops it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

from common.domain.errors import InvalidRequest
from common.domain.events import Interaction

MAX_EVENTS = 50
MAX_BODY_BYTES = 16 * 1024
MAX_AGE = timedelta(hours=24)
MAX_AHEAD = timedelta(minutes=5)
MAX_DWELL_MS = 3_600_000
MAX_QUERY_CHARS = 200
TYPES = ("view", "click", "add_to_cart", "dwell", "search")
# What one interaction (or a purchase) adds to a preference, before recency decay.
TYPE_WEIGHTS = {"view": 1.0, "click": 2.0, "add_to_cart": 4.0, "purchase": 8.0}
# A dwell weighs up to this much, reached at DWELL_FULL_MS on the page.
DWELL_MAX_WEIGHT = 3.0
DWELL_FULL_MS = 60_000
_BATCH_NAMESPACE = uuid.UUID("6f1d4c2e-8a43-4c61-9a52-3c1c0e2b7d11")


def validated(raw: Iterable[Mapping[str, Any]], now: datetime) -> tuple[Interaction, ...]:
    """The batch as interactions; InvalidRequest naming each field that breaks a rule."""
    errors: list[dict[str, str]] = []
    batch = []
    for index, item in enumerate(raw):
        interaction, problems = _checked(item, now)
        errors += [{"field": f"events[{index}].{field}", "message": message}
                   for field, message in problems]
        batch.append(interaction)
    if not batch:
        errors.append({"field": "events", "message": "send at least one event"})
    if len(batch) > MAX_EVENTS:
        errors.append({"field": "events", "message": f"at most {MAX_EVENTS} events a batch"})
    if errors:
        raise InvalidRequest(errors=errors)
    return tuple(batch)


def _checked(item: Mapping[str, Any], now: datetime) -> tuple[Interaction, list[tuple[str, str]]]:
    kind, at = item["type"], item["at"]
    product_id, query, dwell_ms = item.get("product_id"), item.get("query"), item.get("dwell_ms")
    problems = []
    if at.tzinfo is None:
        problems.append(("at", "needs a time zone (e.g. Z)"))
    elif not now - MAX_AGE <= at <= now + MAX_AHEAD:
        problems.append(("at", "must be within the last 24 hours (and at most 5 minutes ahead)"))
    if kind == "search":
        if query is None:
            problems.append(("query", "a search needs its query"))
        if product_id is not None:
            problems.append(("product_id", "a search names no product"))
    elif product_id is None:
        problems.append(("product_id", f"a {kind} needs the product's id"))
    if kind == "dwell" and dwell_ms is None:
        problems.append(("dwell_ms", "a dwell needs dwell_ms"))
    if kind != "dwell" and dwell_ms is not None:
        problems.append(("dwell_ms", "only a dwell has dwell_ms"))
    if kind != "search" and query is not None:
        problems.append(("query", "only a search has a query"))
    when = at.astimezone(timezone.utc).isoformat() if at.tzinfo else at.isoformat()
    return Interaction(type=kind, at=when, product_id=product_id, query=query,
                       dwell_ms=dwell_ms), problems


def weight(interaction: Interaction) -> float:
    """What an interaction adds to its product's category, vendor and price band."""
    if interaction.type == "dwell":
        return DWELL_MAX_WEIGHT * min(interaction.dwell_ms or 0, DWELL_FULL_MS) / DWELL_FULL_MS
    return TYPE_WEIGHTS.get(interaction.type, 0.0)


def batch_id(pseudonym: str, batch: tuple[Interaction, ...]) -> str:
    """A uuid derived from who sent the batch and what it holds: a retry gets the same id."""
    canonical = json.dumps([pseudonym, [asdict(i) for i in batch]], sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return str(uuid.uuid5(_BATCH_NAMESPACE, digest))
