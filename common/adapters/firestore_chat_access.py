"""FirestoreChatAccess: the documents moderation writes — `blocked/{uid}`, which the security
rules check (a blocked account reads nothing at once, whatever its ID token says), and a
room's `reported` flag. The server client bypasses the rules, as in production."""

from __future__ import annotations

from typing import Any

from google.api_core.retry import Retry
from google.cloud import firestore

from common.adapters.firestore_chat import DEFAULT_TIMEOUT_S, ROOMS, translated_errors

BLOCKED = "blocked"


class FirestoreChatAccess:
    def __init__(self, client: firestore.Client, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self._db = client
        self._timeout_s = timeout_s

    @property
    def _calls(self) -> dict[str, Any]:
        return {"retry": Retry(timeout=self._timeout_s), "timeout": self._timeout_s}

    def set_blocked(self, account_id: str, blocked: bool) -> None:
        """Write or delete `blocked/{uid}`; both are idempotent (deleting none is fine)."""
        document = self._db.collection(BLOCKED).document(account_id)
        with translated_errors():
            if blocked:
                document.set({"blocked_at": firestore.SERVER_TIMESTAMP}, **self._calls)
            else:
                document.delete(**self._calls)

    def is_blocked(self, account_id: str) -> bool:
        """Whether `blocked/{uid}` exists (tests and operators read it)."""
        with translated_errors():
            return self._db.collection(BLOCKED).document(account_id).get(**self._calls).exists

    def mark_reported(self, room_id: str) -> None:
        """Set the room's `reported` flag (the room exists: a member of it reported it)."""
        with translated_errors():
            self._db.collection(ROOMS).document(room_id).update({"reported": True},
                                                                **self._calls)
