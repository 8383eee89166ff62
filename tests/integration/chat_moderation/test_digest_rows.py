"""chat_digests on the real PostgreSQL: messages in any order make one row per room and
recipient, and a digest clears exactly the rows it read (a newer message restarts its row;
a second clear of the same rows takes nothing)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from common import bootstrap
from common.domain.chat import room_id
from common.domain.chat_digests import PendingDigest

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def _add(room: str, recipient: str, *minutes: int) -> None:
    with bootstrap.chat_unit_of_work() as tx:
        for minute in minutes:
            tx.chat_digests.add_message(room, recipient, T0 + timedelta(minutes=minute))
        tx.commit()


def _pending(recipient: str) -> list[PendingDigest]:
    with bootstrap.chat_unit_of_work() as tx:
        return tx.chat_digests.pending(recipient)


def test_messages_in_any_order_make_one_row_with_the_oldest_newest_and_count(api):
    # Given a recipient and a room
    recipient = api.register("customer", verify=False, login=False).id
    room = room_id(recipient, "vendor")

    # When three messages are queued out of order
    _add(room, recipient, 5, 1, 9)

    # Then one row holds the oldest, the newest and how many
    assert _pending(recipient) == [PendingDigest(room, recipient, T0 + timedelta(minutes=1),
                                                 T0 + timedelta(minutes=9), 3)]


def test_due_lists_every_pending_room_of_a_recipient_waiting_since_the_cutoff(api):
    # Given a recipient with an old and a fresh room, and another with only a fresh one
    ada = api.register("customer", verify=False, login=False).id
    bob = api.register("customer", verify=False, login=False).id
    old, fresh, other = room_id(ada, "v1"), room_id(ada, "v2"), room_id(bob, "v1")
    _add(old, ada, 0)
    _add(fresh, ada, 30)
    _add(other, bob, 30)

    # When the job asks who waits since minute 10 or before
    with bootstrap.chat_unit_of_work() as tx:
        due = [row for row in tx.chat_digests.due(T0 + timedelta(minutes=10), 10_000)
               if row.recipient_id in (ada, bob)]

    # Then Ada's two rooms, not Bob's
    assert sorted((row.recipient_id, row.room_id) for row in due) == sorted(
        [(ada, old), (ada, fresh)])


def test_a_clear_takes_the_rows_as_read_and_restarts_one_a_newer_message_changed(api):
    # Given two pending rooms, read by the job
    recipient = api.register("customer", verify=False, login=False).id
    quiet, busy = room_id(recipient, "v1"), room_id(recipient, "v2")
    _add(quiet, recipient, 0)
    _add(busy, recipient, 1, 2)
    read = _pending(recipient)

    # When a message arrives in one of them before the job clears what it read
    _add(busy, recipient, 20)
    with bootstrap.chat_unit_of_work() as tx:
        taken = tx.chat_digests.clear(recipient, read)
        tx.commit()

    # Then the quiet room is cleared, the busy one pends from its newest message only
    assert taken == 2
    assert _pending(recipient) == [PendingDigest(busy, recipient, T0 + timedelta(minutes=20),
                                                 T0 + timedelta(minutes=20), 1)]


def test_a_second_clear_of_the_same_rows_takes_nothing(api):
    # Given a pending room that one run cleared
    recipient = api.register("customer", verify=False, login=False).id
    _add(room_id(recipient, "v1"), recipient, 0)
    read = _pending(recipient)
    with bootstrap.chat_unit_of_work() as tx:
        assert tx.chat_digests.clear(recipient, read) == 1
        tx.commit()

    # When another run clears what it read too
    with bootstrap.chat_unit_of_work() as tx:
        taken = tx.chat_digests.clear(recipient, read)
        tx.commit()

    # Then it took nothing (so it records no digest)
    assert taken == 0
