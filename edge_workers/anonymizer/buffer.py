"""Publishing to the central topics, with a bounded in-memory buffer for when they are away.

Only anonymized messages ever enter the buffer. A batch is published at once when nothing
waits; if the topic does not take it (or others already wait, to keep their order) it joins
the buffer, which a background thread retries every ANONYMIZER_RETRY_S. A full buffer
refuses the request with 503 and Retry-After: nothing is dropped without the client
knowing. A retried publish may repeat one that Pub/Sub took late: consumers deduplicate by
event id. What an instance holds when it is stopped is lost (Cloud Run keeps CPU allocated
for this service, and drains the buffer on SIGTERM for up to 10 s).
"""

from __future__ import annotations

import collections
import json
import logging
import threading
from typing import Any, Protocol, Sequence

from common.domain.errors import ServiceUnavailable
from common.logs import log
from edge_workers.anonymizer.pipeline import Message

logger = logging.getLogger(__name__)
CHUNK = 100


class Sink(Protocol):
    def publish(self, messages: Sequence[Message]) -> None:
        """Publish every message; raise if any is not accepted."""


class PubSubSink:
    """The central Pub/Sub topics (the emulator locally), as the outbox relay publishes."""

    def __init__(self, project_id: str, timeout_s: float) -> None:
        self._client: Any = None  # built on first use: nothing connects at start
        self._project_id = project_id
        self._timeout_s = timeout_s

    def publish(self, messages: Sequence[Message]) -> None:
        if self._client is None:
            from google.cloud import pubsub_v1  # type: ignore[attr-defined]  # untyped package

            self._client = pubsub_v1.PublisherClient()
        client = self._client
        futures = [client.publish(client.topic_path(self._project_id, m.topic),
                                  json.dumps(m.body).encode(), type=m.type, event_id=m.id)
                   for m in messages]
        for future in futures:
            future.result(timeout=self._timeout_s)


class BufferedPublisher:
    """Publishes at once or buffers (at most `capacity` messages); 503 when full."""

    def __init__(self, sink: Sink, capacity: int, retry_s: float) -> None:
        self._sink, self._capacity, self._retry_s = sink, capacity, retry_s
        self._waiting: collections.deque[Message] = collections.deque()
        self._lock = threading.Lock()
        self._flushing = threading.Lock()  # one flusher at a time: a chunk is sent once
        self._wake = threading.Event()
        self._stopped = False
        self._thread = threading.Thread(target=self._retry_forever, daemon=True,
                                        name="anonymizer-buffer")
        self._thread.start()

    def submit(self, messages: Sequence[Message]) -> None:
        """Publish or buffer all of `messages`; ServiceUnavailable (none kept) if no room."""
        with self._lock:
            waiting = bool(self._waiting)
        if not waiting:
            try:
                self._sink.publish(messages)
                return
            except Exception as error:  # noqa: BLE001 - any failure of the topic: buffer
                log(logger, logging.WARNING, "central topic unavailable: buffering",
                    messages=len(messages), cause=type(error).__name__)
        with self._lock:
            if len(self._waiting) + len(messages) > self._capacity:
                raise ServiceUnavailable("Pub/Sub")
            self._waiting.extend(messages)
        self._wake.set()

    def waiting(self) -> int:
        """How many messages wait for the central topics."""
        with self._lock:
            return len(self._waiting)

    def flush(self) -> bool:
        """Try to publish what waits, oldest first; True when nothing is left."""
        with self._flushing:
            return self._flush()

    def _flush(self) -> bool:
        while True:
            with self._lock:
                chunk = [self._waiting[i] for i in range(min(CHUNK, len(self._waiting)))]
            if not chunk:
                return True
            try:
                self._sink.publish(chunk)
            except Exception as error:  # noqa: BLE001 - retried on the next round
                log(logger, logging.WARNING, "central topic still unavailable",
                    waiting=self.waiting(), cause=type(error).__name__)
                return False
            with self._lock:
                for _ in chunk:
                    self._waiting.popleft()
            log(logger, logging.INFO, "buffered messages published", messages=len(chunk))

    def stop(self, drain_s: float = 10.0) -> None:
        """Stop the retries after one last flush (bounded by the sink's own timeout)."""
        self._stopped = True
        self._wake.set()
        self._thread.join(timeout=drain_s)
        self.flush()

    def _retry_forever(self) -> None:
        while not self._stopped:
            self._wake.wait(timeout=self._retry_s)
            self._wake.clear()
            if self._stopped:
                return
            if self.waiting() and not self.flush():
                self._wake.wait(timeout=self._retry_s)  # back off before the next try
