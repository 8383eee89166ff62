"""store_analytics_events over real PostgreSQL, as its own role: an anonymized analytics event
becomes one row and a batch of interactions a row per interaction, exactly once."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timezone

from sqlalchemy import text

from common import bootstrap
from common.domain.events import Event, Interaction, InteractionsReceived
from common.events import consumer
from common.services.analytics_events import store_analytics_events
from edge_workers.anonymizer.keys import ZoneKeys
from edge_workers.anonymizer.pipeline import Client, analytics_messages

ROLE = "bazaar_analytics"
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def deliver(body: dict) -> None:
    """Push a message body (as published) to the consumer, as its role."""
    envelope = {"message": {"data": base64.b64encode(json.dumps(body).encode()).decode()}}
    with bootstrap.database_role(ROLE):
        consumer("store_analytics_events", unit_of_work=bootstrap.analytics_unit_of_work)(
            lambda event, tx: store_analytics_events(event, store=tx.analytics, now=NOW)
        )(envelope)


def body_of(event: Event) -> dict:
    return {"id": event.id, "type": event.type, "occurred_at": event.occurred_at.isoformat(),
            "payload": event.payload()}


def rows_of(pseudonym: str) -> list[dict]:
    with bootstrap.engine().connect() as db:
        return [dict(r._mapping) for r in db.execute(text(
            "SELECT zone, type, at_hour, country, device_class, product_id::text AS product_id, "
            "category_id, properties FROM analytics_events WHERE pseudonym = :p ORDER BY type"),
            {"p": pseudonym})]


def test_an_analytics_event_becomes_one_row_once(stack):
    # Given an event as the anonymizer publishes it
    settings = bootstrap.settings()
    keys = ZoneKeys({z: settings.zone_keys(z) for z in ("eu", "americas", "asia")}, "eu")
    product = str(uuid.uuid4())
    [message] = analytics_messages(
        Client(None, f"device-{uuid.uuid4()}", "US", "Mozilla/5.0 (iPad)"),
        [{"type": "product_view", "at": NOW, "product_id": product,
          "properties": {"category_id": "electronics--audio", "screen": "pdp"}}],
        key=keys.of("US"), now=NOW)

    # When it is delivered twice
    deliver(message.body)
    deliver(message.body)

    # Then one row holds it, as published
    hour = NOW.replace(minute=0, second=0)
    assert rows_of(message.body["payload"]["pseudonym"]) == [{
        "zone": "americas", "type": "product_view", "at_hour": hour, "country": "US",
        "device_class": "tablet", "product_id": product, "category_id": "electronics--audio",
        "properties": {"screen": "pdp"}}]


def test_a_batch_of_interactions_becomes_a_row_per_interaction_once(stack):
    # Given a batch of two interactions of a pseudonym
    who, product = uuid.uuid4().hex, str(uuid.uuid4())
    at = NOW.replace(minute=0, second=0).isoformat()
    event = InteractionsReceived(
        id=str(uuid.uuid4()), batch_id="b", pseudonym=who, account_pseudonym=None,
        device_pseudonym=who, zone="asia",
        events=(Interaction("view", at, product), Interaction("search", at, query="lamp")))

    # When it is delivered twice
    deliver(body_of(event))
    deliver(body_of(event))

    # Then each interaction is one row
    hour = NOW.replace(minute=0, second=0)
    assert rows_of(who) == [
        {"zone": "asia", "type": "search", "at_hour": hour, "country": None,
         "device_class": None, "product_id": None, "category_id": None,
         "properties": {"query": "lamp"}},
        {"zone": "asia", "type": "view", "at_hour": hour, "country": None,
         "device_class": None, "product_id": product, "category_id": None, "properties": {}}]
