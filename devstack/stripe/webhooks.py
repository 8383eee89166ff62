"""Signed webhook delivery with retries, kept in the store so that a restart resumes it.

Stripe retries a test-mode webhook "three times over a few hours"; the twin waits
RETRY_DELAYS_S, each multiplied by the time scale. With duplicate_delivery every delivery is
made twice and out of order: the copies queued within DUPLICATE_WINDOW_S of the first are held,
then sent in a shuffled order that is never the order the events were created in.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import random
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from devstack.ports import open_local
from devstack.stripe.store import Store, new_id, now

RETRY_DELAYS_S = (300.0, 1800.0, 7200.0)
DUPLICATE_WINDOW_S = 0.2  # wall-clock hold before a batch of copies goes out, unscaled


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """The Stripe-Signature header: t=<unix>,v1=<HMAC-SHA256 of "t.payload">."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def post(url: str, payload: bytes, secret: str) -> int:
    """POST one signed delivery; the HTTP status, or 0 when the endpoint is unreachable."""
    request = urllib.request.Request(url, data=payload, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": sign(payload, secret, now()),
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"})
    try:
        with open_local(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def shuffled(batch: list[tuple[str, str]], rng: random.Random) -> list[str]:
    """Delivery ids of (delivery, event) pairs in a random order that is never creation order."""
    first: dict[str, int] = {}
    for index, (_, event_id) in enumerate(batch):
        first.setdefault(event_id, index)
    order = list(batch)
    rng.shuffle(order)
    ranks = [first[event_id] for _, event_id in order]
    if ranks == sorted(ranks):
        order.reverse()
    return [delivery_id for delivery_id, _ in order]


class Webhooks:
    """One delivery thread over a timer heap; every pending delivery is also a store record."""

    def __init__(self, store: Store, time_scale: float = 1.0, *,
                 duplicate_delivery: bool = False, seed: int | None = None) -> None:
        self.store, self.time_scale = store, time_scale
        self.duplicate_delivery, self.rng = duplicate_delivery, random.Random(seed)
        self.queue: list[tuple[float, int, str | None]] = []  # None: release the held batch
        self.held: list[tuple[str, str]] = []
        self.seq = itertools.count()
        self.cond = threading.Condition()
        self.inflight = 0
        self.attempts: list[dict[str, Any]] = []
        self.stopped = False
        with store.lock:
            resumed = sorted(self.pending.values(), key=lambda d: d["due"])
        for delivery in resumed:
            self._schedule(delivery["id"], max(0.0, delivery["due"] - time.time()))
        self.thread = threading.Thread(target=self._run, name="stripe-webhooks", daemon=True)
        self.thread.start()

    @property
    def pending(self) -> dict[str, dict[str, Any]]:
        """Deliveries queued or waiting for a retry, by id (kept in the store's state)."""
        return self.store.state.setdefault("webhook_deliveries", {})

    def enqueue(self, event_id: str, endpoint_id: str) -> None:
        """Queue an event for an endpoint (twice, shuffled, with duplicate_delivery).

        Callers hold store.lock and save the store afterwards, with the event.
        """
        with self.store.lock:
            copies = [self._record(event_id, endpoint_id)
                      for _ in range(2 if self.duplicate_delivery else 1)]
        if not self.duplicate_delivery:
            self._schedule(copies[0], 0.0)
            return
        with self.cond:
            if not self.held:
                self._push(DUPLICATE_WINDOW_S, None)
            self.held.extend((copy_id, event_id) for copy_id in copies)

    def wait_until_idle(self, timeout: float = 10.0) -> None:
        """Return once no delivery is queued, held or running; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.queue or self.held or self.inflight:
                if not self.cond.wait(max(0.0, deadline - time.monotonic())):
                    if time.monotonic() >= deadline:
                        raise TimeoutError("webhook deliveries still pending")

    def stop(self) -> None:
        """Stop delivering; pending deliveries stay in the store for the next start."""
        with self.cond:
            self.stopped = True
            self.cond.notify_all()
        self.thread.join(timeout=15)

    def _record(self, event_id: str, endpoint_id: str) -> str:
        delivery_id = new_id("whdel")
        self.pending[delivery_id] = {"id": delivery_id, "event": event_id,
                                     "endpoint": endpoint_id, "attempt": 0,
                                     "due": time.time(), "settled": False}
        return delivery_id

    def _schedule(self, delivery_id: str, delay: float) -> None:
        with self.cond:
            self._push(delay, delivery_id)

    def _push(self, delay: float, delivery_id: str | None) -> None:
        heapq.heappush(self.queue, (time.monotonic() + delay, next(self.seq), delivery_id))
        self.cond.notify_all()

    def _run(self) -> None:
        while True:
            with self.cond:
                while not self.stopped and (not self.queue or self.queue[0][0] > time.monotonic()):
                    self.cond.wait(self.queue[0][0] - time.monotonic() if self.queue else None)
                if self.stopped:
                    return
                _, _, delivery_id = heapq.heappop(self.queue)
                if delivery_id is None:
                    for copy_id in shuffled(self.held, self.rng):
                        self._push(0.0, copy_id)
                    self.held = []
                    continue
                self.inflight += 1
            try:
                self._attempt(delivery_id)
            finally:
                with self.cond:
                    self.inflight -= 1
                    self.cond.notify_all()

    def _attempt(self, delivery_id: str) -> None:
        with self.store.lock:
            delivery = self.pending.get(delivery_id)
            if delivery is None:
                return
            event = self.store.get(delivery["event"], "event")
            endpoint = self.store.get(delivery["endpoint"], "webhook_endpoint")
            secret = self.store.state["keys"].get(delivery["endpoint"])
            if event is None or endpoint is None or secret is None:
                del self.pending[delivery_id]
                self.store.save()
                return
            payload = json.dumps(event, indent=2).encode()
        status = post(endpoint["url"], payload, secret)
        self.attempts.append({"event": delivery["event"], "endpoint": delivery["endpoint"],
                              "attempt": delivery["attempt"], "status": status})
        with self.store.lock:
            self._settle(delivery, status)
            self.store.save()

    def _settle(self, delivery: dict[str, Any], status: int) -> None:
        """Count a success once per event and endpoint, schedule a retry, or give up."""
        if 200 <= status < 300:
            event = self.store.get(delivery["event"], "event")
            if not delivery["settled"] and event is not None:
                event["pending_webhooks"] = max(0, event["pending_webhooks"] - 1)
            for other in self.pending.values():
                if (other["event"], other["endpoint"]) == (delivery["event"],
                                                           delivery["endpoint"]):
                    other["settled"] = True
        elif delivery["attempt"] < len(RETRY_DELAYS_S):
            delay = RETRY_DELAYS_S[delivery["attempt"]] * self.time_scale
            delivery.update(attempt=delivery["attempt"] + 1, due=time.time() + delay)
            self._schedule(delivery["id"], delay)
            return
        self.pending.pop(delivery["id"], None)
