"""Chat moderation and away-member emails over HTTP: a member reports a room, an admin may
then read it (audited), nobody else may; a blocked account loses its Firestore access
document at once and gets it back on unblock; an away member gets one email for several
messages, and none once they read the room."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from common import bootstrap
from common.domain.chat import room_id
from tests.e2e.client import Api, User
from tests.integration.ledger.money import eventually, paid_order, settle

pytestmark = pytest.mark.events
DIGEST_SUBJECT = "unread message"


def _room(api: Api, pubsub, buyer: User, vendor: User) -> str:  # noqa: ANN001
    """The buyer's room with the vendor, opened by a paid order (its system message in)."""
    paid_order(api, buyer, [(vendor, 3000)])
    settle(pubsub)
    room = room_id(buyer.id, vendor.id)
    opened = eventually(lambda: api.get(f"/v1/chats/{room}/messages", headers=buyer.auth),
                        lambda answer: answer.status_code == 200 and answer.json()["items"])
    assert opened.status_code == 200, opened.text
    return room


def _send(api: Api, sender: User, room: str, *texts: str) -> None:
    for message in texts:
        sent = api.post(f"/v1/chats/{room}/messages", headers=sender.auth, json={"text": message})
        assert sent.status_code == 201, sent.text


def _report(api: Api, user: User, room: str, reason: str = "They asked me to pay outside "
            "Bazaar") -> dict:
    answer = api.post(f"/v1/chats/{room}:report", headers=user.auth, json={"reason": reason})
    return {"status": answer.status_code, **answer.json()}


def _rows(sql: str, **params) -> list:  # noqa: ANN003
    with bootstrap.engine().connect() as db:
        return list(db.execute(text(sql), params))


# Reports and the admin's audited read ------------------------------------------------------

def test_a_reported_room_is_readable_by_an_admin_and_every_read_is_audited(
        api, pubsub, admin, customer, verified_vendor):
    # Given a room with a message, that its buyer reports (twice)
    room = _room(api, pubsub, customer, verified_vendor)
    _send(api, verified_vendor, room, "Pay me by wire transfer instead, it is cheaper")
    settle(pubsub)
    first, second = _report(api, customer, room), _report(api, customer, room)

    # When an admin reads the room
    answer = api.get(f"/v1/admin/chats/{room}/messages", headers=admin.auth)

    # Then both reports answered 200, the report counts once, the room is flagged
    assert first == second == {"status": 200, "id": room, "reported": True}
    assert len(_rows("SELECT 1 FROM chat_reports WHERE room_id = :room", room=room)) == 1
    assert len(_rows("SELECT 1 FROM outbox_events WHERE type = 'chat.reported' "
                     "AND payload->>'room_id' = :room", room=room)) == 1
    assert bootstrap.chat_rooms().get_room(room).reported is True
    # And the admin sees the messages, newest first, and the read is in the audit log
    assert answer.status_code == 200, answer.text
    assert [(m["kind"], m["sender_id"]) for m in answer.json()["items"]] == [
        ("text", verified_vendor.id), ("system", None)]
    audit = _rows("SELECT admin_id, reason FROM admin_actions WHERE action = 'chat.read' "
                  "AND target_id = :room", room=str(uuid.UUID(room)))
    assert [(str(row.admin_id), row.reason) for row in audit] == [(admin.id, "latest messages")]


def test_an_admin_cannot_read_a_room_nobody_reported(api, pubsub, admin, customer,
                                                     verified_vendor):
    # Given a room nobody reported
    room = _room(api, pubsub, customer, verified_vendor)

    # When an admin asks for its messages
    answer = api.get(f"/v1/admin/chats/{room}/messages", headers=admin.auth)

    # Then 404, and no read was audited
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    assert _rows("SELECT 1 FROM admin_actions WHERE target_id = :room",
                 room=str(uuid.UUID(room))) == []


def test_only_admins_read_reported_rooms_and_only_members_report(api, pubsub, customer,
                                                                 verified_vendor):
    # Given a reported room and someone who is not in it
    room = _room(api, pubsub, customer, verified_vendor)
    assert _report(api, verified_vendor, room)["status"] == 200
    stranger = api.register("customer")

    # When its members read it as admins, or the stranger reports it
    as_member = api.get(f"/v1/admin/chats/{room}/messages", headers=customer.auth)
    by_stranger = _report(api, stranger, room)
    unknown = _report(api, customer, "0" * 32)

    # Then 403 for a non-admin, 404 for a non-member and for a room that does not exist
    assert (as_member.status_code, as_member.json()["code"]) == (403, "forbidden")
    assert (by_stranger["status"], by_stranger["code"]) == (404, "not_found")
    assert (unknown["status"], unknown["code"]) == (404, "not_found")
    assert [str(row.reporter_id) for row in _rows(
        "SELECT reporter_id FROM chat_reports WHERE room_id = :room", room=room)] == [
        verified_vendor.id]


@pytest.mark.parametrize("reason", ["", "  ", "no", "spam\x1b[31m", "x" * 1001],
                         ids=["empty", "blank", "too-short", "control-character", "too-long"])
def test_a_report_without_a_proper_reason_is_422_and_records_nothing(
        api, pubsub, customer, verified_vendor, reason):
    room = _room(api, pubsub, customer, verified_vendor)

    answer = _report(api, customer, room, reason)

    assert (answer["status"], answer["code"]) == (422, "invalid_request")
    assert _rows("SELECT 1 FROM chat_reports WHERE room_id = :room", room=room) == []


# Blocked accounts ----------------------------------------------------------------------------

def test_a_blocked_member_loses_firestore_access_at_once_and_gets_it_back_when_unblocked(
        api, admin, customer):
    # Given a member without a blocked document
    access = bootstrap.chat_access()
    assert access.is_blocked(customer.id) is False

    # When an admin blocks the account
    blocked = api.post(f"/v1/admin/accounts/{customer.id}:block", headers=admin.auth,
                       json={"reason": "fraud reports"})

    # Then blocked/{uid} appears (the rules deny that uid everything)
    assert blocked.status_code == 200, blocked.text
    assert eventually(lambda: access.is_blocked(customer.id), bool) is True

    # And when the admin unblocks it, the document goes again
    unblocked = api.post(f"/v1/admin/accounts/{customer.id}:unblock", headers=admin.auth,
                         json={"reason": "cleared"})
    assert unblocked.status_code == 200, unblocked.text
    assert eventually(lambda: access.is_blocked(customer.id), lambda found: not found) is False


# Away-member emails --------------------------------------------------------------------------

def _away(recipient: User, minutes: int = 16) -> None:
    """As if the recipient's pending messages had waited `minutes` (CHAT_AWAY is 15)."""
    with bootstrap.engine().begin() as db:
        db.execute(text("UPDATE chat_digests SET pending_since = pending_since - "
                        "make_interval(mins => :minutes) WHERE recipient_id = :id"),
                   {"minutes": minutes, "id": recipient.id})


def _digests(mail, user: User) -> list:  # noqa: ANN001
    return [m for m in mail.messages(user.email) if DIGEST_SUBJECT in m.subject]


def test_an_away_member_gets_one_email_for_several_messages(
        api, pubsub, stack, mail, customer, verified_vendor):
    # Given a buyer who read their new room, then got three messages from the vendor
    room = _room(api, pubsub, customer, verified_vendor)
    assert api.post(f"/v1/chats/{room}:read", headers=customer.auth).status_code == 200
    secret = f"the discount code is {uuid.uuid4().hex[:8]}"
    _send(api, verified_vendor, room, "Hello!", "Your lamp ships tomorrow", secret)
    settle(pubsub)

    # When the job runs before the buyer was away 15 minutes
    assert stack.services["scheduler"].trigger("send_chat_digests").last_status == 200
    settle(pubsub)

    # Then no email yet
    assert _digests(mail, customer) == []

    # When the job runs (twice) once they were away 15 minutes
    _away(customer)
    for _ in range(2):
        assert stack.services["scheduler"].trigger("send_chat_digests").last_status == 200
        settle(pubsub)

    # Then exactly one email names the vendor and the count, never the messages' text
    found = _digests(mail, customer)
    assert [m.subject for m in found] == ["3 unread messages on Bazaar"]
    assert "  Test Traders Ltd: 3 messages\n" in found[0].text
    assert secret not in found[0].text and "Hello!" not in found[0].text
    assert _rows("SELECT 1 FROM chat_digests WHERE recipient_id = :id", id=customer.id) == []


def test_a_member_who_read_the_room_gets_no_email(api, pubsub, stack, mail, customer,
                                                   verified_vendor):
    # Given a buyer who got two messages and read the room afterwards
    room = _room(api, pubsub, customer, verified_vendor)
    _send(api, verified_vendor, room, "Any questions?", "Just ask")
    settle(pubsub)
    read = api.post(f"/v1/chats/{room}:read", headers=customer.auth)
    assert (read.status_code, read.json()["unread"]) == (200, 0)

    # When the job runs after the away threshold
    _away(customer)
    assert stack.services["scheduler"].trigger("send_chat_digests").last_status == 200
    settle(pubsub)

    # Then no email, and nothing is pending for them any more
    assert _digests(mail, customer) == []
    assert _rows("SELECT 1 FROM chat_digests WHERE recipient_id = :id", id=customer.id) == []
