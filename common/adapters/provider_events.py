"""PostgresProviderEvents: the payment provider's inbox, one row per signed event
(common/migrations/versions/0006_provider_events.py)."""

from __future__ import annotations

import json

import sqlalchemy
from sqlalchemy import text

from common.adapters.database import translated_errors
from common.domain.payments import ProviderEvent

RECORD = text("""
INSERT INTO provider_events (provider, event_id, type, provider_type, object_ref, payment_ref,
    order_id, refs, amount, amount_received, amount_refunded, amount_reversed,
    amount_remaining, currency, occurred_at, payload)
VALUES (:provider, :event_id, :type, :provider_type, :object_ref, :payment_ref, :order_id,
    CAST(:refs AS jsonb), :amount, :amount_received, :amount_refunded, :amount_reversed,
    :amount_remaining, :currency, :occurred_at, CAST(:payload AS jsonb))
ON CONFLICT (provider, event_id) DO NOTHING
RETURNING event_id
""")


class PostgresProviderEvents:
    def __init__(self, engine: sqlalchemy.Engine) -> None:
        self._engine = engine

    def record(self, event: ProviderEvent) -> bool:
        """Insert the event in one statement and commit; False if it was already recorded.

        A concurrent duplicate waits on the primary key, then sees the first one's row.
        """
        row = {
            "provider": event.provider, "event_id": event.event_id, "type": event.type.value,
            "provider_type": event.provider_type, "object_ref": event.object_ref,
            "payment_ref": event.payment_ref, "order_id": event.order_id,
            "refs": json.dumps(event.refs), "amount": event.amount,
            "amount_received": event.amount_received, "amount_refunded": event.amount_refunded,
            "amount_reversed": event.amount_reversed,
            "amount_remaining": event.amount_remaining, "currency": event.currency,
            "occurred_at": event.occurred_at, "payload": json.dumps(event.payload)}
        with translated_errors(), self._engine.begin() as db:
            return db.execute(RECORD, row).first() is not None

    def mark_processed(self, event: ProviderEvent) -> None:
        """The event did what it does (payment updated, saga woken): processed_at, once."""
        with translated_errors(), self._engine.begin() as db:
            db.execute(text("UPDATE provider_events SET processed_at = now() "
                            "WHERE provider = :provider AND event_id = :id "
                            "AND processed_at IS NULL"),
                       {"provider": event.provider, "id": event.event_id})
