"""A tiny CloudEvent function: records every event it receives (for the push-envelope test)."""

from __future__ import annotations

import base64
from typing import Any

import functions_framework
from cloudevents.http.event import CloudEvent

RECEIVED: list[dict[str, Any]] = []


@functions_framework.cloud_event
def echo(event: CloudEvent) -> None:
    """Record the event's attributes and its Pub/Sub message."""
    message = event.data["message"]
    RECEIVED.append(
        {
            "type": event["type"],
            "source": event["source"],
            "id": event["id"],
            "message_id": message["messageId"],
            "attributes": message.get("attributes", {}),
            "data": base64.b64decode(message["data"]),
            "publish_time": message["publishTime"],
        }
    )
