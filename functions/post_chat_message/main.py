"""POST /v1/chats/{chat_id}/messages: a member sends a message to the other member.

Trigger: HTTP (the room's members, verified email; 404 for anyone else; 429
too_many_messages past 30 a minute). Events: chat.message_posted (the outbox is the
message's system of record; deliver_chat_message writes it into the room, so the 201 comes
before the room shows it). Settings: database (role bazaar_chat), Firebase Auth, Firestore,
Pub/Sub (`chat`).
"""

import functions_framework

from common import bootstrap
from common.api import chat_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.chat_messages import post_message


@functions_framework.http
@endpoint(OPERATIONS["post_chat_message"])
def post_chat_message(call: Call):
    return present.message(post_message(
        call.principal, call.params["chat_id"], call.body.text, rooms=bootstrap.chat_rooms(),
        uow=bootstrap.chat_unit_of_work, limiter=bootstrap.chat_limiter()))
