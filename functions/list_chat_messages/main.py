"""GET /v1/chats/{chat_id}/messages?before=&page_size=: a room's messages, newest first.

Trigger: HTTP (the room's members; 404 for anyone else). `next_page_token` is the `before`
of the next, older page. Settings: database (authentication), Firebase Auth, Firestore.
"""

import functions_framework

from common import bootstrap
from common.api import chat_presenters as present
from common.api.chat_schemas import MessagePage
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.chat_messages import message_page


@functions_framework.http
@endpoint(OPERATIONS["list_chat_messages"])
def list_chat_messages(call: Call):
    messages, before = message_page(call.principal, call.params["chat_id"], call.query.before,
                                    call.query.page_size, rooms=bootstrap.chat_rooms())
    return MessagePage(items=[present.message(m) for m in messages], next_page_token=before)
