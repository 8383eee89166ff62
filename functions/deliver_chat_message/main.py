"""Writes a posted message into its Firestore room and counts it for the recipient: the
one writer of members' messages.

Trigger: Pub/Sub push (subscription chat-messages: chat.message_posted). Exactly once: the
message document is created with a must-not-exist precondition in the same atomic batch as
the room's counters, so a replay changes nothing. Settings: database (role bazaar_chat:
the inbox), Firestore.
"""

import functions_framework

from common import bootstrap
from common.domain.events import ChatMessagePosted
from common.events import consumer
from common.services.chat_messages import deliver_message


@functions_framework.cloud_event
@consumer("deliver_chat_message", unit_of_work=bootstrap.chat_unit_of_work)
def deliver_chat_message(event: ChatMessagePosted, tx) -> None:
    deliver_message(event, bootstrap.chat_rooms())
