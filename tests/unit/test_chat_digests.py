"""Away-member emails: who is due a digest, that several messages make one digest per
recipient, none for what was read, and what the mail says (never the messages' text)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from common.domain.chat import Room, room_id
from common.domain.chat_digests import (
    CHAT_AWAY,
    PendingDigest,
    RoomUnread,
    digest_for,
    digest_mail,
    due_recipients,
)
from common.domain.events import ChatDigestDue, DigestRoom
from common.domain.identity import AccountState, Role
from common.services.chat_digests import mail_digest, send_due_digests
from tests.unit.fakes import FakeDatabase, FakeMailer
from tests.unit.given import given_account, new_id

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def _pending(recipient: str, minutes_ago: float, *, last_minutes_ago: float | None = None,
             count: int = 1, room: str | None = None) -> PendingDigest:
    since = NOW - timedelta(minutes=minutes_ago)
    last = NOW - timedelta(minutes=last_minutes_ago if last_minutes_ago is not None
                           else minutes_ago)
    return PendingDigest(room or room_id(recipient, new_id()), recipient, since, last, count)


@pytest.mark.parametrize("minutes_ago,due", [(14.9, False), (15, True), (40, True)],
                         ids=["away-14.9-min", "away-exactly-15-min", "away-40-min"])
def test_a_recipient_is_due_once_the_oldest_pending_message_is_15_minutes_old(minutes_ago, due):
    # Given a recipient with a message pending since `minutes_ago`
    row = _pending("ada", minutes_ago)

    # When the job asks who is due
    found = due_recipients([row], NOW)

    # Then only a wait of CHAT_AWAY or more makes them due
    assert CHAT_AWAY == timedelta(minutes=15)
    assert found == ({"ada": [row]} if due else {})


def test_the_oldest_pending_room_makes_all_the_recipients_rooms_due_together():
    # Given one recipient with an old and a fresh pending room, and another with only fresh
    old, fresh, other = _pending("ada", 20), _pending("ada", 1), _pending("bob", 2)

    # When the job asks who is due
    found = due_recipients([old, fresh, other], NOW)

    # Then Ada is due with both rooms (one digest lists them), Bob is not
    assert found == {"ada": [old, fresh]}


def test_a_digest_lists_the_rooms_with_unread_messages_most_recent_first():
    # Given three pending rooms, one of them read meanwhile
    early = _pending("ada", 30, last_minutes_ago=25)
    late = _pending("ada", 20, last_minutes_ago=2)
    read = _pending("ada", 40, last_minutes_ago=1)
    unread = {early.room_id: RoomUnread(2, "vendor-1"), late.room_id: RoomUnread(5, "vendor-2"),
              read.room_id: RoomUnread(0, "vendor-3")}

    # When the digest is decided
    digest = digest_for("ada", [early, late, read], unread)

    # Then it lists the two unread rooms, the latest message first
    assert digest is not None
    assert (digest.recipient_id, digest.rooms) == ("ada", (
        DigestRoom(room_id=late.room_id, unread=5, other_party="vendor-2"),
        DigestRoom(room_id=early.room_id, unread=2, other_party="vendor-1")))


@pytest.mark.parametrize("unread", [{}, "zero"], ids=["rooms-gone", "everything-read"])
def test_no_digest_for_a_recipient_who_read_everything_or_whose_rooms_are_gone(unread):
    # Given a pending room that is gone from Firestore, or read
    row = _pending("ada", 30)
    states = {row.room_id: RoomUnread(0, "vendor-1")} if unread == "zero" else unread

    # When the digest is decided
    # Then there is none
    assert digest_for("ada", [row], states) is None


def test_the_mail_names_who_wrote_and_how_many_never_what_they_wrote():
    # Given two writers with unread messages
    mail = digest_mail("ada@example.com", "Ada", [("Lumen Ltd", 3), ("Bob", 1)],
                       "https://bazaar.example/chats", "event-1")

    # Then the mail says who and how many, and links the chats
    assert (mail.to, mail.subject, mail.dedup_id) == (
        "ada@example.com", "4 unread messages on Bazaar", "event-1")
    assert mail.text == (
        "Hello Ada,\n\nyou have 4 unread messages in your Bazaar chats:\n\n"
        "  Lumen Ltd: 3 messages\n  Bob: 1 message\n\nRead and answer them here:\n\n"
        "https://bazaar.example/chats\n\n"
        "We write at most once in a while, however many messages arrive.\n")


# The job, over fakes of the chat_digests rows and the Firestore rooms -----------------------

class FakeChatDigests:
    """chat_digests: rows by (room, recipient); clear takes the rows unchanged since read."""

    def __init__(self, *rows: PendingDigest) -> None:
        self.rows = {(row.room_id, row.recipient_id): row for row in rows}

    def due(self, cutoff: datetime, limit: int) -> list[PendingDigest]:
        due = sorted({row.recipient_id for row in self.rows.values()
                      if row.pending_since <= cutoff})[:limit]
        return [row for row in self.rows.values() if row.recipient_id in due]

    def clear(self, recipient_id: str, covered: list[PendingDigest]) -> int:
        taken = [row for row in covered if self.rows.get((row.room_id, recipient_id)) == row]
        for row in taken:
            del self.rows[(row.room_id, recipient_id)]
        return len(taken)


class FakeChatRooms:
    def __init__(self) -> None:
        self.rooms: dict[str, Room] = {}
        self.read: dict[tuple[str, str], int] = {}

    def given_room(self, buyer: str, vendor: str, received: dict[str, int]) -> str:
        room = Room(room_id(buyer, vendor), buyer, vendor, {}, (), None, None, received)
        self.rooms[room.id] = room
        return room.id

    def get_room(self, room_id: str) -> Room | None:
        return self.rooms.get(room_id)

    def seen(self, account_id: str, room_ids: list[str]) -> dict[str, int]:
        return {room: self.read.get((room, account_id), 0) for room in room_ids}


def _job(db: FakeDatabase, digests: FakeChatDigests):
    def unit_of_work():
        tx = db.unit_of_work()
        tx.chat_digests = digests
        return tx
    return unit_of_work


def test_several_messages_in_two_rooms_make_one_digest_event_for_the_away_member():
    # Given a buyer with 3 unread messages from one vendor and 1 from another, 20 min ago
    db, rooms = FakeDatabase(), FakeChatRooms()
    first = rooms.given_room("ada", "vendor-1", {"ada": 4, "vendor-1": 1})
    second = rooms.given_room("ada", "vendor-2", {"ada": 1, "vendor-2": 1})
    rooms.read[(first, "ada")] = 1  # the system message was read
    digests = FakeChatDigests(_pending("ada", 20, count=3, room=first),
                              _pending("ada", 18, count=1, room=second))

    # When the job runs
    result = send_due_digests(uow=_job(db, digests), rooms=rooms, now=NOW)

    # Then one chat.digest_due lists both rooms, and the pending rows are cleared
    assert result == {"recipients_due": 1, "digests": 1}
    assert db.events() == [(ChatDigestDue, {"recipient_id": "ada", "rooms": [
        {"room_id": second, "unread": 1, "other_party": "vendor-2"},
        {"room_id": first, "unread": 3, "other_party": "vendor-1"}]})]
    assert digests.rows == {}


def test_a_member_who_read_the_room_gets_no_digest_and_the_rows_are_cleared():
    # Given a pending room its recipient has read since
    db, rooms = FakeDatabase(), FakeChatRooms()
    room = rooms.given_room("ada", "vendor-1", {"ada": 2})
    rooms.read[(room, "ada")] = 2
    digests = FakeChatDigests(_pending("ada", 30, count=2, room=room))

    # When the job runs
    result = send_due_digests(uow=_job(db, digests), rooms=rooms, now=NOW)

    # Then nothing is recorded, and the next run has nothing left to look at
    assert (result, db.events(), digests.rows) == ({"recipients_due": 1, "digests": 0}, [], {})


def test_no_digest_before_the_member_was_away_15_minutes():
    # Given a message 10 minutes ago
    db, rooms = FakeDatabase(), FakeChatRooms()
    room = rooms.given_room("ada", "vendor-1", {"ada": 1})
    row = _pending("ada", 10, room=room)
    digests = FakeChatDigests(row)

    # When the job runs
    result = send_due_digests(uow=_job(db, digests), rooms=rooms, now=NOW)

    # Then nothing happens yet
    assert (result, db.events(), list(digests.rows.values())) == (
        {"recipients_due": 0, "digests": 0}, [], [row])


def test_a_run_that_finds_the_rows_cleared_by_another_records_no_second_digest():
    # Given a due recipient whose rows another run clears while this one reads Firestore
    db, rooms = FakeDatabase(), FakeChatRooms()
    room = rooms.given_room("ada", "vendor-1", {"ada": 1})
    digests = FakeChatDigests(_pending("ada", 30, room=room))
    seen = rooms.seen

    def cleared_meanwhile(account_id: str, room_ids: list[str]) -> dict[str, int]:
        digests.rows.clear()
        return seen(account_id, room_ids)

    rooms.seen = cleared_meanwhile  # type: ignore[method-assign]

    # When the job runs
    result = send_due_digests(uow=_job(db, digests), rooms=rooms, now=NOW)

    # Then it records nothing: the other run's digest is the one
    assert (result, db.events()) == ({"recipients_due": 1, "digests": 0}, [])


# The mail, in send_notification's transaction ---------------------------------------------

def test_the_digest_mail_goes_to_the_recipient_naming_the_vendor_by_business_name():
    # Given a buyer and a vendor, and a digest of 2 unread messages from the vendor
    db, mailer = FakeDatabase(), FakeMailer()
    buyer, vendor = given_account(db), given_account(db, Role.VENDOR)
    event = ChatDigestDue(recipient_id=buyer.id, rooms=(
        DigestRoom(room_id=room_id(buyer.id, vendor.id), unread=2, other_party=vendor.id),))

    # When send_notification mails it
    with db.unit_of_work() as tx:
        sent = mail_digest(event, tx, mailer=mailer, public_base_url="https://bazaar.example/")

    # Then the buyer gets the mail naming the business (no message text is known to it)
    assert sent is True
    assert mailer.sent == [digest_mail(buyer.email, buyer.name, [("Lumen Ltd", 2)],
                                       "https://bazaar.example/chats", event.id)]


def test_a_vendor_reads_the_buyers_first_name_only():
    # Given a digest for a vendor of a buyer's message
    db, mailer = FakeDatabase(), FakeMailer()
    buyer, vendor = given_account(db), given_account(db, Role.VENDOR)
    event = ChatDigestDue(recipient_id=vendor.id, rooms=(
        DigestRoom(room_id=room_id(buyer.id, vendor.id), unread=1, other_party=buyer.id),))

    # When it is mailed
    with db.unit_of_work() as tx:
        mail_digest(event, tx, mailer=mailer, public_base_url="https://bazaar.example")

    # Then the buyer "Ada Lovelace" is named "Ada"
    assert mailer.sent == [digest_mail(vendor.email, vendor.name, [("Ada", 1)],
                                       "https://bazaar.example/chats", event.id)]


@pytest.mark.parametrize("recipient", ["gone", "blocked"])
def test_no_mail_to_an_account_that_is_gone_or_blocked(recipient):
    # Given a digest for an account that is gone or blocked
    db, mailer = FakeDatabase(), FakeMailer()
    vendor = given_account(db, Role.VENDOR)
    account_id = (new_id() if recipient == "gone"
                  else given_account(db, state=AccountState.BLOCKED).id)
    event = ChatDigestDue(recipient_id=account_id, rooms=(
        DigestRoom(room_id=room_id(account_id, vendor.id), unread=1, other_party=vendor.id),))

    # When send_notification handles it
    with db.unit_of_work() as tx:
        sent = mail_digest(event, tx, mailer=mailer, public_base_url="https://bazaar.example")

    # Then no mail goes out
    assert (sent, mailer.sent) == (False, [])
