"""Pub/Sub-triggered functions: decode the push envelope, drop stale events, and apply
each event exactly once (the inbox row commits with the consumer's effect)."""

from __future__ import annotations

import base64
import functools
import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from common import bootstrap
from common.domain.events import EVENT_TYPES, Event
from common.logs import log

if TYPE_CHECKING:
    from common.services.product_images import UploadedObject

logger = logging.getLogger(__name__)


def decode(cloud_event: Any) -> Event:
    """The typed event of the outbox message inside a Pub/Sub CloudEvent (or a raw push
    envelope); KeyError, TypeError or ValueError for a message that is not one."""
    data = cloud_event.data if hasattr(cloud_event, "data") else cloud_event
    body = json.loads(base64.b64decode(data["message"]["data"]))
    event_type = EVENT_TYPES.get(body["type"])
    if event_type is None:
        raise ValueError(f"unknown event type {body['type']!r}")
    return event_type.from_message(str(body["id"]), datetime.fromisoformat(body["occurred_at"]),
                                   body["payload"])


def consumer(name: str, *, is_stale: Callable[[Event], bool] = lambda _: False,
             unit_of_work: Callable[[], Any] | None = None,
             then: Callable[[Event], None] | None = None):
    """Decorate `handle(event, tx)` (a typed event of common/domain/events.py): it runs
    at most once per event id for this consumer.

    An exception propagates (the delivery is retried, then dead-lettered); a malformed
    message is logged and acknowledged, since retrying it cannot help. `unit_of_work`
    builds the transaction (default: bootstrap.unit_of_work); `then(event)` runs after it
    commits, and for a duplicate too: the provider calls an effect has claimed, outside
    any transaction (it must be idempotent).
    """

    def decorate(handle: Callable[[Any, Any], None]) -> Callable[[Any], None]:
        @functools.wraps(handle)
        def on_cloud_event(cloud_event: Any) -> None:
            bootstrap.settings()
            try:
                event = decode(cloud_event)
            except (KeyError, TypeError, ValueError) as error:
                log(logger, logging.ERROR, "dropping malformed message", consumer=name,
                    error=type(error).__name__)
                return
            if is_stale(event):
                log(logger, logging.INFO, "dropping stale event", consumer=name,
                    event_id=event.id, type=event.type)
                return
            with (unit_of_work or bootstrap.unit_of_work)() as tx:
                if tx.inbox.claim(name, event.id):
                    handle(event, tx)
                    tx.commit()
                    log(logger, logging.INFO, "event handled", consumer=name,
                        event_id=event.id, type=event.type)
                else:
                    log(logger, logging.INFO, "duplicate delivery ignored", consumer=name,
                        event_id=event.id)
            if then is not None:
                then(event)

        return on_cloud_event

    return decorate


def object_event(cloud_event: Any, *, bucket: str) -> "UploadedObject | None":
    """The finalized object of a Cloud Storage notification in `bucket`, or None for
    anything else (another bucket, a delete, a malformed message: logged, acknowledged).

    Accepts both shapes: the Pub/Sub messagePublished CloudEvent of a bucket notification
    (attributes bucketId, objectId, eventType, objectGeneration) and Eventarc's direct
    `google.cloud.storage.object.v1.finalized` event (data = the object resource).
    """
    from common.services.product_images import UploadedObject

    try:
        if cloud_event["type"] == "google.cloud.storage.object.v1.finalized":
            data = cloud_event.data
            kind, name, in_bucket = "OBJECT_FINALIZE", data["name"], data["bucket"]
            generation = data.get("generation")
        else:
            attributes = cloud_event.data["message"]["attributes"]
            kind, name = attributes["eventType"], attributes["objectId"]
            in_bucket, generation = attributes["bucketId"], attributes.get("objectGeneration")
        generation = int(generation) if generation not in (None, "") else None
    except (KeyError, TypeError, ValueError) as error:
        log(logger, logging.ERROR, "dropping malformed object event", error=type(error).__name__)
        return None
    if kind != "OBJECT_FINALIZE" or in_bucket != bucket:
        return None
    return UploadedObject(in_bucket, name, generation)
