"""Push delivery: POST the Pub/Sub push envelope to each subscription's endpoint, with retries.

Backoff is exponential from 0.1 s, capped at 5 s — far shorter than production's retry policy
(10 s .. 600 s), so that local flows and tests settle quickly. A 102/200/201/202/204 answer acks;
anything else, or no answer, is retried until max_delivery_attempts, then dead-lettered.
With duplicate_delivery, every message is delivered twice and out of order: first copies are
held back a random 0..window, second copies window..2*window, so the second copy of a message
arrives after first copies of messages published around it.
"""

from __future__ import annotations

import base64
import heapq
import itertools
import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from devstack.ports import open_local
from devstack.pubsub.config import Subscription

ACK_STATUSES = frozenset({102, 200, 201, 202, 204})
INITIAL_BACKOFF_S = 0.1
MAX_BACKOFF_S = 5.0
PUSH_TIMEOUT_S = 30.0
DUPLICATE_WINDOW_S = 0.2


@dataclass(frozen=True)
class Message:
    """A published message."""

    topic: str
    message_id: str
    data: bytes
    attributes: dict[str, str]
    publish_time: str
    ordering_key: str = ""


@dataclass
class Delivery:
    """One copy of a message on its way to one subscription."""

    subscription: Subscription
    message: Message
    attempt: int = 1
    last_error: str = ""


@dataclass(order=True)
class _Due:
    due: float
    sequence: int
    delivery: Delivery = field(compare=False)


def envelope(project_id: str, delivery: Delivery) -> dict[str, object]:
    """The JSON body Pub/Sub pushes to an endpoint (both key spellings, as production sends)."""
    message = delivery.message
    body: dict[str, object] = {
        "data": base64.b64encode(message.data).decode("ascii"),
        "attributes": dict(message.attributes),
        "messageId": message.message_id,
        "message_id": message.message_id,
        "publishTime": message.publish_time,
        "publish_time": message.publish_time,
    }
    if message.ordering_key:
        body["orderingKey"] = message.ordering_key
    return {
        "message": body,
        "subscription": f"projects/{project_id}/subscriptions/{delivery.subscription.name}",
        "deliveryAttempt": delivery.attempt,
    }


def post_json(url: str, body: dict[str, object]) -> tuple[int, str]:
    """POST body as JSON; return (status, error text), status 0 when there was no answer."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "devstack-pubsub-push"},
        method="POST",
    )
    try:
        with open_local(request, timeout=PUSH_TIMEOUT_S) as response:
            response.read()
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (OSError, ValueError) as error:
        return 0, f"{type(error).__name__}: {error}"


def backoff(attempt: int) -> float:
    """Seconds to wait before the next attempt after `attempt` failed."""
    return min(INITIAL_BACKOFF_S * 2 ** (attempt - 1), MAX_BACKOFF_S)


class Deliverer:
    """Schedules deliveries on a timer thread and runs them on a small worker pool."""

    def __init__(
        self,
        project_id: str,
        endpoint_for: Callable[[str], str],
        dead_letter: Callable[[Delivery], None],
        duplicate_delivery: bool = False,
        workers: int = 4,
        service_endpoint_for: Callable[[str, str], str] | None = None,
    ) -> None:
        self.project_id = project_id
        self.endpoint_for = endpoint_for
        self.service_endpoint_for = service_endpoint_for
        self.dead_letter = dead_letter
        self.duplicate_delivery = duplicate_delivery
        self.counts = {"delivered": 0, "acked": 0, "failed": 0, "dead_lettered": 0}
        self._random = random.Random()
        self._heap: list[_Due] = []
        self._sequence = itertools.count()
        self._pending = 0
        self._stopped = False
        self._condition = threading.Condition()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pubsub-push")
        self._timer = threading.Thread(target=self._run, name="pubsub-scheduler", daemon=True)
        self._timer.start()

    def enqueue(self, subscription: Subscription, message: Message) -> None:
        """Schedule a message for a subscription (twice, shuffled, with duplicate_delivery)."""
        now = time.monotonic()
        if not self.duplicate_delivery:
            self._schedule(Delivery(subscription, message), now)
            return
        window = DUPLICATE_WINDOW_S
        self._schedule(Delivery(subscription, message), now + self._random.uniform(0, window))
        self._schedule(
            Delivery(subscription, message), now + self._random.uniform(window, 2 * window)
        )

    def _schedule(self, delivery: Delivery, due: float, new: bool = True) -> None:
        """Put a delivery on the timer heap."""
        with self._condition:
            if new:
                self._pending += 1
            heapq.heappush(self._heap, _Due(due, next(self._sequence), delivery))
            self._condition.notify_all()

    def _run(self) -> None:
        """Timer loop: hand due deliveries to the worker pool."""
        with self._condition:
            while not self._stopped:
                now = time.monotonic()
                if self._heap and self._heap[0].due <= now:
                    item = heapq.heappop(self._heap)
                    self._pool.submit(self._attempt, item.delivery)
                    continue
                timeout = self._heap[0].due - now if self._heap else None
                self._condition.wait(timeout)

    def _push(self, delivery: Delivery) -> tuple[int, str]:
        """POST one attempt; (status, error), where a failure to even try counts as an error."""
        try:
            return post_json(self._url(delivery.subscription), envelope(self.project_id, delivery))
        except Exception as error:  # noqa: BLE001 — a bad endpoint_for must not leave it pending
            return 0, f"{type(error).__name__}: {error}"

    def _url(self, subscription: Subscription) -> str:
        """Where a subscription pushes: its function, or its edge service's event door."""
        if not subscription.service:
            return self.endpoint_for(subscription.function)
        if self.service_endpoint_for is None:
            raise LookupError(f"no endpoint for edge service {subscription.service!r}")
        return self.service_endpoint_for(subscription.service, subscription.name)

    def _attempt(self, delivery: Delivery) -> None:
        """POST one delivery attempt; ack, retry later or dead-letter."""
        status, error = self._push(delivery)
        acked = status in ACK_STATUSES
        with self._condition:
            self.counts["delivered"] += 1
            self.counts["acked" if acked else "failed"] += 1
        if acked:
            self._finish()
            return
        delivery.last_error = error or f"HTTP {status}"
        if delivery.attempt >= delivery.subscription.max_delivery_attempts:
            with self._condition:
                self.counts["dead_lettered"] += 1
            try:
                self.dead_letter(delivery)
            finally:
                self._finish()
        else:
            wait = backoff(delivery.attempt)
            delivery.attempt += 1
            self._schedule(delivery, time.monotonic() + wait, new=False)

    def _finish(self) -> None:
        """Mark one delivery as done (acked or dead-lettered)."""
        with self._condition:
            self._pending -= 1
            self._condition.notify_all()

    def pending(self) -> int:
        """Deliveries queued, waiting to retry or in flight."""
        with self._condition:
            return self._pending

    def snapshot(self) -> dict[str, int]:
        """A consistent copy of the counts, with pending."""
        with self._condition:
            return {**self.counts, "pending": self._pending}

    def wait_until_idle(self, timeout: float) -> None:
        """Block until no delivery is queued or in flight; raise TimeoutError after timeout."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"{self._pending} Pub/Sub deliveries still pending after {timeout} s"
                    )
                self._condition.wait(left)

    def stop(self) -> None:
        """Stop scheduling; drop queued deliveries; do not wait for in-flight POSTs."""
        with self._condition:
            self._stopped = True
            self._heap.clear()
            self._condition.notify_all()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._timer.join(timeout=2)
