"""The twin's state: objects by id, events, idempotency records; saved to one JSON file."""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any

STATE_FILE = "stripe-state.json"
# Changes are written at most this often: rewriting the whole state on every call cost
# 34 ms a call once the twin held 600 payments (bench/stripe_twin.py).
WRITE_INTERVAL_S = 0.05


def new_id(prefix: str) -> str:
    """An id shaped like Stripe's: prefix, underscore, 24 random characters."""
    return f"{prefix}_{secrets.token_hex(12)}"


def now() -> int:
    """Unix seconds, as Stripe's `created` fields are."""
    return int(time.time())


class Store:
    """All state under one lock, written to data_dir atomically: at once without a writer
    thread, else within WRITE_INTERVAL_S of a change and on close()."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / STATE_FILE
        self.lock = threading.RLock()
        self.state: dict[str, Any] = {"objects": {}, "events": [], "idempotency": {},
                                      "test_behaviour": {}, "keys": {}, "cash_balances": {},
                                      "funds_applied": {}}
        if self.path.exists():
            self.state.update(json.loads(self.path.read_text()))
        self._changed = threading.Event()
        self._closing = False
        self._writer: threading.Thread | None = None

    @property
    def objects(self) -> dict[str, dict[str, Any]]:
        """Every API object by id (payment intents, charges, refunds, events' targets…)."""
        return self.state["objects"]

    def get(self, object_id: str, kind: str) -> dict[str, Any] | None:
        """The object with this id when it is of this `object` kind."""
        obj = self.objects.get(object_id)
        return obj if obj is not None and obj.get("object") == kind else None

    def put(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Insert or replace an object."""
        self.objects[obj["id"]] = obj
        return obj

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        """Objects of one kind, oldest first."""
        return [obj for obj in self.objects.values() if obj.get("object") == kind]

    def save(self) -> None:
        """Note a change: written now without a writer thread, else within the interval."""
        if self._writer is None:
            self._write()
        else:
            self._changed.set()

    def start_writer(self) -> None:
        """Write changes from a thread of their own, coalescing those of many calls."""
        self._writer = threading.Thread(target=self._write_changes, name="stripe-state",
                                        daemon=True)
        self._writer.start()

    def close(self) -> None:
        """Stop the writer and write what changed since its last write."""
        if self._writer is not None:
            self._closing = True
            self._changed.set()
            self._writer.join(timeout=10)
            self._writer = None
        self._write()

    def _write_changes(self) -> None:
        while not self._closing:
            self._changed.wait()
            time.sleep(WRITE_INTERVAL_S)
            self._changed.clear()
            self._write()

    def _write(self) -> None:
        """Write the state to disk (temp file + rename, so a crash leaves the old file)."""
        with self.lock:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.state))
            os.replace(tmp, self.path)
