"""Events for every state change, and signed webhook delivery with retries and backoff."""

from __future__ import annotations

import copy
import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from devstack.ports import open_local
from devstack.stripe.store import Store, new_id, now

API_VERSION = "2026-10-28.clover"
# Stripe retries test-mode webhooks three times over a few hours, with exponential backoff.
RETRY_DELAYS_S = (300.0, 1800.0, 7200.0)


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """The Stripe-Signature header: t=<unix>,v1=<HMAC-SHA256 of "t.payload">."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def wants(endpoint: dict[str, Any], event_type: str) -> bool:
    """Whether an enabled endpoint subscribed to this event type."""
    enabled = endpoint.get("enabled_events") or ["*"]
    return endpoint.get("status") == "enabled" and ("*" in enabled or event_type in enabled)


class Webhooks:
    """A delivery thread: POST each event to each endpoint until it answers 2xx or retries end."""

    def __init__(self, store: Store, time_scale: float = 1.0) -> None:
        self.store, self.time_scale = store, time_scale
        self.queue: list[tuple[float, int, str, str, int]] = []
        self.seq = itertools.count()
        self.cond = threading.Condition()
        self.inflight = 0
        self.attempts: list[dict[str, Any]] = []
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="stripe-webhooks", daemon=True)
        self.thread.start()

    def enqueue(self, event_id: str, endpoint_id: str, attempt: int = 0,
                delay: float = 0.0) -> None:
        """Schedule one delivery attempt."""
        with self.cond:
            due = time.monotonic() + delay * self.time_scale
            heapq.heappush(self.queue, (due, next(self.seq), event_id, endpoint_id, attempt))
            self.cond.notify_all()

    def wait_until_idle(self, timeout: float = 10.0) -> None:
        """Return once no delivery is queued or running; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.queue or self.inflight:
                if not self.cond.wait(max(0.0, deadline - time.monotonic())):
                    if time.monotonic() >= deadline:
                        raise TimeoutError("webhook deliveries still pending")

    def stop(self) -> None:
        """Stop delivering; what is queued is dropped."""
        with self.cond:
            self.stopped = True
            self.cond.notify_all()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self.cond:
                while not self.stopped and (not self.queue or self.queue[0][0] > time.monotonic()):
                    self.cond.wait(self.queue[0][0] - time.monotonic() if self.queue else None)
                if self.stopped:
                    return
                _, _, event_id, endpoint_id, attempt = heapq.heappop(self.queue)
                self.inflight += 1
            try:
                self._attempt(event_id, endpoint_id, attempt)
            finally:
                with self.cond:
                    self.inflight -= 1
                    self.cond.notify_all()

    def _attempt(self, event_id: str, endpoint_id: str, attempt: int) -> None:
        with self.store.lock:
            event = self.store.get(event_id, "event")
            endpoint = self.store.get(endpoint_id, "webhook_endpoint")
            secret = self.store.state["keys"].get(endpoint_id)
        if event is None or endpoint is None or secret is None:
            return
        payload = json.dumps(event, indent=2).encode()
        request = urllib.request.Request(endpoint["url"], data=payload, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": sign(payload, secret, now()),
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"})
        try:
            with open_local(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        self.attempts.append({"event": event_id, "endpoint": endpoint_id, "attempt": attempt,
                              "status": status})
        if not 200 <= status < 300 and attempt < len(RETRY_DELAYS_S):
            self.enqueue(event_id, endpoint_id, attempt + 1, RETRY_DELAYS_S[attempt])


class Events:
    """Records events in the store and hands them to the webhook deliverer."""

    def __init__(self, store: Store, webhooks: Webhooks) -> None:
        self.store, self.webhooks = store, webhooks
        self.request: dict[str, Any] = {"id": None, "idempotency_key": None}

    def emit(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Record `event_type` with a snapshot of obj; queue it for every subscribed endpoint."""
        with self.store.lock:
            endpoints = [e for e in self.store.of_kind("webhook_endpoint") if wants(e, event_type)]
            event = self.store.put({
                "id": new_id("evt"), "object": "event", "api_version": API_VERSION,
                "created": now(), "data": {"object": copy.deepcopy(obj)}, "livemode": False,
                "pending_webhooks": len(endpoints), "request": dict(self.request),
                "type": event_type})
            self.store.state["events"].append(event["id"])
        for endpoint in endpoints:
            self.webhooks.enqueue(event["id"], endpoint["id"])
        return event
