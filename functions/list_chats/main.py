"""GET /v1/chats: the caller's chat rooms, latest message first, with unread counts.

Trigger: HTTP (signed in). Reads Firestore (rooms the caller is a member of, and the
caller's read markers). Settings: database (authentication), Firebase Auth, Firestore,
PAGE_TOKEN_KEY.
"""

import functions_framework

from common import bootstrap
from common.api import chat_presenters as present
from common.api.chat_schemas import ChatPage
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.chat_messages import room_page


@functions_framework.http
@endpoint(OPERATIONS["list_chats"])
def list_chats(call: Call):
    views, next_token = room_page(call.principal, call.query.page_size, call.query.page_token,
                                  rooms=bootstrap.chat_rooms(),
                                  token_key=bootstrap.settings().page_token_signing_key())
    return ChatPage(items=[present.chat(v) for v in views], next_page_token=next_token)
