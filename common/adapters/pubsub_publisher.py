"""PubSubPublisher: publishes outbox messages with google-cloud-pubsub (or to the emulator host)."""

from __future__ import annotations

import json
from typing import Sequence

from google.cloud import pubsub_v1  # type: ignore[attr-defined]  # untyped package

from common.adapters.outbox import OutboxMessage


class PubSubPublisher:
    def __init__(self, project_id: str, timeout_s: float) -> None:
        self._client = pubsub_v1.PublisherClient()
        self._project_id = project_id
        self._timeout_s = timeout_s

    def publish(self, messages: Sequence[OutboxMessage]) -> None:
        """Publish every message; raises if any is not accepted within the timeout."""
        futures = [
            self._client.publish(
                self._client.topic_path(self._project_id, message.topic),
                json.dumps(message.body).encode(),
                type=message.type,
                event_id=message.id,
            )
            for message in messages
        ]
        for future in futures:
            future.result(timeout=self._timeout_s)
