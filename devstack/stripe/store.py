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


def new_id(prefix: str) -> str:
    """An id shaped like Stripe's: prefix, underscore, 24 random characters."""
    return f"{prefix}_{secrets.token_hex(12)}"


def now() -> int:
    """Unix seconds, as Stripe's `created` fields are."""
    return int(time.time())


class Store:
    """All state under one lock; every mutation is written through to data_dir atomically."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / STATE_FILE
        self.lock = threading.RLock()
        self.state: dict[str, Any] = {"objects": {}, "events": [], "idempotency": {},
                                      "test_behaviour": {}, "keys": {}, "cash_balances": {},
                                      "funds_applied": {}}
        if self.path.exists():
            self.state.update(json.loads(self.path.read_text()))

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
        """Write the state to disk (temp file + rename, so a crash leaves the old file)."""
        with self.lock:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.state))
            os.replace(tmp, self.path)
