"""Idempotent requests as Stripe documents them: replay, mismatch, in-progress, 24-hour keys."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from devstack.stripe.errors import StripeError
from devstack.stripe.store import Store

KEY_LIFETIME_S = 24 * 3600
MAX_KEY_LENGTH = 255


@dataclass
class Saved:
    """A response saved under a key."""

    status: int
    body: dict[str, Any]


def fingerprint(method: str, path: str, params: dict[str, Any]) -> str:
    """What must match for a key to replay: the endpoint and the parameters."""
    text = json.dumps([method, path, params], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class Idempotency:
    """Keys with their saved results, plus the keys whose first request is still running."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.in_progress: set[str] = set()
        # Its own lock, so that a key in use is refused while another request holds the store.
        self.lock = threading.Lock()

    def begin(self, key: str, print_: str) -> Saved | None:
        """Return the saved response to replay, or reserve the key; raise on misuse."""
        if len(key) > MAX_KEY_LENGTH:
            raise StripeError(400, "invalid_request_error",
                              f"Idempotency keys can be at most {MAX_KEY_LENGTH} characters long.")
        with self.lock:
            record = self.store.state["idempotency"].get(key)
            if record and record["at"] < time.time() - KEY_LIFETIME_S:
                record = None  # pruned: the key makes a new request
            if record is not None:
                if record["fingerprint"] != print_:
                    raise StripeError(
                        400, "idempotency_error",
                        "Keys for idempotent requests can only be used with the same parameters "
                        f"they were first used with. Try using a key other than '{key}' if you "
                        "meant to execute a different request.")
                return Saved(record["status"], record["body"])
            if key in self.in_progress:
                raise StripeError(
                    409, "idempotency_error",
                    "There is currently another in-progress request using this "
                    f"Idempotency-Key ('{key}'). Please try again later.",
                    code="idempotency_key_in_use")
            self.in_progress.add(key)
            return None

    def finish(self, key: str, print_: str, saved: Saved | None) -> None:
        """Release the key; keep the response when the endpoint started executing."""
        with self.store.lock, self.lock:
            self.in_progress.discard(key)
            if saved is not None:
                self.store.state["idempotency"][key] = {
                    "fingerprint": print_, "status": saved.status, "body": saved.body,
                    "at": time.time()}
                self.store.save()
