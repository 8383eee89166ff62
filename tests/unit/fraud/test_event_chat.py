"""chat.message_posted: payment diversion, blocked when the sender asks twice."""

import uuid

from edge_workers.fraud.event_handlers import HANDLERS, on_chat_message
from edge_workers.fraud.history import MemoryHistory
from tests.unit.fraud.signals_given import NOW, event_id, minutes

DIVERT = "Please pay me directly to DE89 3704 0044 0532 0130 00, it is cheaper for both"


def message(sender, text, room="room-1"):
    return {"room_id": room, "message_id": str(uuid.uuid4()), "sender_id": sender,
            "recipient_id": str(uuid.uuid4()), "text": text, "sort_key": "1",
            "sent_at": NOW.isoformat()}


def test_an_ordinary_message_is_history_only():
    history = MemoryHistory()
    assert on_chat_message(event_id(), message("s", "Does it ship to Austria?"), history,
                           NOW) == []
    assert history.recorded[0].detail["matches"] == []


def test_an_iban_with_pay_me_directly_opens_a_case_and_the_second_blocks():
    # Given a vendor who asks a buyer to pay outside the platform
    history, sender = MemoryHistory(), str(uuid.uuid4())
    first_message = message(sender, DIVERT)
    [first] = HANDLERS["chat.message_posted"](event_id(), first_message, history, NOW)
    # When the same sender asks again, in another room
    second_message = message(sender, DIVERT, room="room-2")
    [second] = on_chat_message(event_id(), second_message, history, NOW + minutes(10))
    # Then the first is a case, the second blocks the sender
    assert (first.kind, first.subject_id, first.action, first.score) == (
        "chat", first_message["message_id"], "none", 0.6)
    assert (second.action, second.account_id, second.score) == ("account_blocked", sender,
                                                                0.96)
    assert second.reasons == ("an IBAN with a request to pay outside the platform",
                              "the same sender asked for it before")
    # And nothing of the text but the masked IBAN is kept
    assert second.evidence == {"room_id": "room-2", "matches": [
        {"kind": "iban", "excerpt": "DE89 **** 3000"},
        {"kind": "off_platform_phrase", "excerpt": "asks to pay outside the platform"}]}
    assert all("0532" not in str(s.detail) for s in history.recorded)


def test_a_payment_link_is_a_case_that_blocks_nothing():
    [case] = on_chat_message(event_id(), message("s", "Just use paypal.me/shop42"),
                             MemoryHistory(), NOW)
    assert (case.action, case.reasons) == ("none", ("a link to an off-platform payment "
                                                    "service",))


def test_a_phrase_alone_is_too_weak_for_a_case():
    assert on_chat_message(event_id(), message("s", "can you pay me directly?"),
                           MemoryHistory(), NOW) == []


def test_two_links_from_one_sender_do_not_block():
    history = MemoryHistory()
    on_chat_message(event_id(), message("s", "paypal.me/a"), history, NOW)
    [case] = on_chat_message(event_id(), message("s", "paypal.me/a"), history, NOW)
    assert case.action == "none"
