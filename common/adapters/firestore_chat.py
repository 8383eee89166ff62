"""FirestoreChatRooms: the ChatRooms port over Cloud Firestore.

Documents (docs/decisions/0019-chat-rooms-in-firestore.md): `rooms/{room_id}` (members,
names, linked orders, the last message, `received` per member), `rooms/{room_id}/messages/
{message_id}`, `rooms/{room_id}/reads/{uid}` (a member's read marker). A message is created
in one atomic batch with the room's counters (`Increment`, never read-modify-write), and the
`create()` precondition makes a replay change nothing. The room's last-message summary only
moves forward: it is written under the room's update time read just before, and a batch that
lost that race is tried again. Outages become ServiceUnavailable("firestore").
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterator

from google.api_core import exceptions
from google.api_core.retry import Retry
from google.cloud import firestore
from google.cloud.firestore_v1.field_path import FieldPath

from common.domain.chat import Message, MessageKind, Room, preview
from common.domain.errors import NotFound, ServiceUnavailable

if TYPE_CHECKING:
    from google.cloud.firestore_v1.base_document import DocumentSnapshot

ROOMS = "rooms"
MESSAGES = "messages"
READS = "reads"
DEFAULT_TIMEOUT_S = 10.0
MAX_ATTEMPTS = 8  # batches that lost the race for the room's summary, before giving up
_UNAVAILABLE = (exceptions.ServerError, exceptions.TooManyRequests, exceptions.Aborted,
                exceptions.RetryError, ConnectionError, TimeoutError)


@contextlib.contextmanager
def translated_errors() -> Iterator[None]:
    """Firestore down, slow or throttling us: ServiceUnavailable (503, retried)."""
    try:
        yield
    except _UNAVAILABLE as error:
        raise ServiceUnavailable("firestore", error) from error


class FirestoreChatRooms:
    def __init__(self, client: firestore.Client, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self._db = client
        self._rooms = client.collection(ROOMS)
        self._timeout_s = timeout_s

    @property
    def _calls(self) -> dict[str, Any]:
        """Every call gives up after the timeout, retries included."""
        return {"retry": Retry(timeout=self._timeout_s), "timeout": self._timeout_s}

    def get_room(self, room_id: str) -> Room | None:
        with translated_errors():
            snapshot = self._rooms.document(room_id).get(**self._calls)
        return _room(snapshot) if snapshot.exists else None

    def open_room(self, room: Room) -> bool:
        document = {
            "members": list(room.members), "buyer_id": room.buyer_id,
            "vendor_id": room.vendor_id, "member_names": dict(room.member_names),
            "order_ids": [], "created_at": firestore.SERVER_TIMESTAMP,
            "last_message": None, "last_message_at": firestore.SERVER_TIMESTAMP,
            "received": {member: 0 for member in room.members}, "reported": False,
        }
        try:
            with translated_errors():
                self._rooms.document(room.id).create(document, **self._calls)
        except exceptions.AlreadyExists:
            return False
        return True

    def add_message(self, room_id: str, message: Message, recipients: tuple[str, ...],
                    order_id: str | None = None) -> bool:
        room_ref = self._rooms.document(room_id)
        for _ in range(MAX_ATTEMPTS):
            with translated_errors():
                snapshot = room_ref.get(**self._calls)
                if not snapshot.exists:
                    raise NotFound(f"There is no chat room {room_id}.")
                batch = self._db.batch()
                batch.create(room_ref.collection(MESSAGES).document(message.id),
                             _message_document(message))
                changes, option = self._room_changes(snapshot, message, recipients, order_id)
                batch.update(room_ref, changes, option=option)
                try:
                    batch.commit(**self._calls)
                except exceptions.AlreadyExists:
                    return False
                except exceptions.FailedPrecondition:
                    continue  # the room changed since it was read: read it again
            return True
        raise ServiceUnavailable("firestore", RuntimeError(f"room {room_id} kept changing"))

    def _room_changes(self, snapshot: DocumentSnapshot, message: Message,
                      recipients: tuple[str, ...],
                      order_id: str | None) -> tuple[dict[str, Any], Any]:
        """The room's update for a new message, and the precondition it needs (if any)."""
        changes: dict[str, Any] = {FieldPath("received", uid).to_api_repr(): firestore.Increment(1)
                                   for uid in recipients}
        if order_id is not None:
            changes["order_ids"] = firestore.ArrayUnion([order_id])
        last = (snapshot.to_dict() or {}).get("last_message")
        if last is not None and last.get("sort_key", "") >= message.sort_key:
            return changes, None  # an older message delivered late: counters only
        changes["last_message"] = _summary(message)
        changes["last_message_at"] = message.sent_at
        return changes, self._db.write_option(last_update_time=snapshot.update_time)

    def rooms_of(self, account_id: str, after: tuple[datetime, str] | None,
                 limit: int) -> list[Room]:
        query = (self._rooms
                 .where(filter=firestore.FieldFilter("members", "array_contains", account_id))
                 .order_by("last_message_at", direction=firestore.Query.DESCENDING)
                 .order_by(FieldPath.document_id(), direction=firestore.Query.DESCENDING))
        if after is not None:
            query = query.start_after({"last_message_at": after[0], "__name__": after[1]})
        with translated_errors():
            return [_room(snapshot) for snapshot in query.limit(limit).stream(**self._calls)]

    def messages(self, room_id: str, before: str | None, limit: int) -> list[Message]:
        query = (self._rooms.document(room_id).collection(MESSAGES)
                 .order_by("sort_key", direction=firestore.Query.DESCENDING))
        if before is not None:
            query = query.start_after({"sort_key": before})
        with translated_errors():
            return [_message(snapshot.to_dict())
                    for snapshot in query.limit(limit).stream(**self._calls)]

    def seen(self, account_id: str, room_ids: list[str]) -> dict[str, int]:
        if not room_ids:
            return {}
        references = [self._rooms.document(room_id).collection(READS).document(account_id)
                      for room_id in room_ids]
        with translated_errors():
            snapshots = list(self._db.get_all(references, **self._calls))
        found = {s.reference.parent.parent.id: int(s.get("seen") or 0)
                 for s in snapshots if s.exists}
        return {room_id: found.get(room_id, 0) for room_id in room_ids}

    def mark_read(self, room_id: str, account_id: str, seen: int) -> None:
        marker = self._rooms.document(room_id).collection(READS).document(account_id)
        with translated_errors():
            marker.set({"seen": firestore.Maximum(seen), "read_at": firestore.SERVER_TIMESTAMP},
                       merge=True, **self._calls)


def _message_document(message: Message) -> dict[str, Any]:
    return {"kind": message.kind.value, "sender_id": message.sender_id, "text": message.text,
            "order_id": message.order_id, "sent_at": message.sent_at,
            "sort_key": message.sort_key}


def _summary(message: Message) -> dict[str, Any]:
    """What the room keeps of its last message (the list shows it without another read)."""
    return {"id": message.id, "kind": message.kind.value, "sender_id": message.sender_id,
            "text": preview(message.text), "order_id": message.order_id,
            "sent_at": message.sent_at, "sort_key": message.sort_key}


def _message(data: dict[str, Any], message_id: str | None = None) -> Message:
    key = data["sort_key"]
    return Message(message_id or key.split("-", 1)[1], MessageKind(data["kind"]),
                   data.get("sender_id"), data["text"], data.get("order_id"), data["sent_at"],
                   key)


def _room(snapshot: DocumentSnapshot) -> Room:
    data = snapshot.to_dict() or {}
    last = data.get("last_message")
    return Room(
        id=snapshot.id, buyer_id=data["buyer_id"], vendor_id=data["vendor_id"],
        member_names=dict(data.get("member_names") or {}),
        order_ids=tuple(data.get("order_ids") or ()),
        last_message=_message(last, last["id"]) if last else None,
        last_message_at=data.get("last_message_at"),
        received={uid: int(n) for uid, n in (data.get("received") or {}).items()},
        reported=bool(data.get("reported")),
    )
