"""The anonymization pipeline, pure: a client's raw events in, the messages for the central
topics out, with nothing left that names a person (docs/anonymization-policy.md).

Account and device ids become HMAC pseudonyms with the zone's current key (and the previous
key's, during a rotation); the client's address, email, name and user agent are never
copied (the country comes from the load balancer, the user agent becomes a device class);
free text is scrubbed; times are cut to the hour; analytics properties pass an allow-list.
Event ids are derived from the raw events, so a client's retry is deduplicated centrally.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Mapping, Sequence

from common.domain.errors import InvalidRequest
from common.domain.events import AnalyticsEventReceived, Event, InteractionsReceived
from common.domain.interactions import MAX_AGE, MAX_AHEAD, batch_id, validated
from edge_workers.anonymizer.coarsening import coarse_properties, device_class, to_hour
from edge_workers.anonymizer.keys import ZoneKey
from edge_workers.anonymizer.recognizers import scrubbed

MAX_TEXT_CHARS = 500
_ANALYTICS_NAMESPACE = uuid.UUID("0b6f3a5e-2a8c-4f0e-9d7b-5c3e1f2a9b40")


@dataclass(frozen=True)
class Client:
    """Who sent events, as the anonymizer sees them: raw ids, never forwarded."""

    account_id: str | None
    device_id: str | None
    country: str | None  # X-Client-Region: the only location that leaves
    user_agent: str | None
    known: tuple[str, ...] = ()  # the request's own identifiers (email, name, address)

    def identifiers(self) -> tuple[str, ...]:
        """Every raw value of this client that free text must not carry."""
        return tuple(v for v in (self.account_id, self.device_id, *self.known) if v)


@dataclass(frozen=True)
class Message:
    """A message for a central topic, shaped as the outbox relay shapes its messages."""

    topic: str
    type: str
    id: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Keyed:
    """The client's pseudonyms in its zone."""

    pseudonym: str
    previous: str | None
    account: str | None
    device: str | None


def message_of(event: Event) -> Message:
    """The message of an event, with the relay's body {id, type, occurred_at, payload}."""
    body = {"id": event.id, "type": event.type, "occurred_at": event.occurred_at.isoformat(),
            "payload": event.payload()}
    return Message(event.topic, event.type, event.id, body)


def keyed(client: Client, key: ZoneKey) -> Keyed:
    """The client's pseudonyms (the account's when signed in, else the device's);
    InvalidRequest for a client with neither id."""
    if client.account_id is None and client.device_id is None:
        raise InvalidRequest.at("X-Device-Id", "anonymous clients send their device id "
                                "(the X-Device-Id header or device_id)")
    account = key.pseudonyms("account", client.account_id) if client.account_id else None
    device = key.pseudonyms("device", client.device_id) if client.device_id else None
    main = account or device
    assert main is not None
    return Keyed(main[0], main[1], account[0] if account else None,
                 device[0] if device else None)


def interactions_message(client: Client, raw_events: Sequence[Mapping[str, Any]], *,
                         key: ZoneKey, now: datetime) -> Message:
    """One interactions.received message of a valid batch; InvalidRequest otherwise."""
    who = keyed(client, key)
    events = validated(raw_events, now)
    batch = batch_id(who.pseudonym, events)  # of the exact batch: a retry has the same id
    known = client.identifiers()
    coarse = tuple(replace(e, at=to_hour(datetime.fromisoformat(e.at)).isoformat(),
                           query=scrubbed(e.query, known) if e.query else None)
                   for e in events)
    event = InteractionsReceived(
        id=batch, occurred_at=to_hour(now), batch_id=batch, pseudonym=who.pseudonym,
        account_pseudonym=who.account, device_pseudonym=who.device, events=coarse,
        zone=key.zone, previous_pseudonym=who.previous)
    return message_of(event)


def analytics_messages(client: Client, raw_events: Sequence[Mapping[str, Any]], *,
                       key: ZoneKey, now: datetime) -> list[Message]:
    """One analytics.event message per event, anonymized (events are schema-checked);
    InvalidRequest for a time outside the last 24 hours."""
    who = keyed(client, key)
    _check_times(raw_events, now)
    kind = device_class(client.user_agent)
    known = client.identifiers()
    messages = []
    for raw in raw_events:
        properties = coarse_properties(raw.get("properties"))
        if raw.get("text"):
            properties["text"] = scrubbed(str(raw["text"])[:MAX_TEXT_CHARS], known)
        event = AnalyticsEventReceived(
            id=_event_id(who.pseudonym, raw), occurred_at=to_hour(now),
            pseudonym=who.pseudonym, previous_pseudonym=who.previous, zone=key.zone,
            event_type=raw["type"], at_hour=to_hour(raw["at"]).isoformat(),
            country=client.country, device_class=kind, product_id=raw.get("product_id"),
            properties=properties)
        messages.append(message_of(event))
    return messages


def _check_times(raw_events: Sequence[Mapping[str, Any]], now: datetime) -> None:
    late = [{"field": f"events[{index}].at",
             "message": "must be within the last 24 hours (and at most 5 minutes ahead)"}
            for index, raw in enumerate(raw_events)
            if not now - MAX_AGE <= raw["at"] <= now + MAX_AHEAD]
    if late:
        raise InvalidRequest(errors=late)


def _event_id(pseudonym: str, raw: Mapping[str, Any]) -> str:
    canonical = json.dumps([pseudonym, raw], sort_keys=True, default=str)
    return str(uuid.uuid5(_ANALYTICS_NAMESPACE, hashlib.sha256(canonical.encode()).hexdigest()))
