"""GET /v1/admin/chats/{chat_id}/messages?before=&page_size=: an admin reads a reported room.

Trigger: HTTP (admins; 404 unless a member reported the room). Every read is recorded in
the audit log (admin_actions, action `chat.read`, the room as target) and committed before
any message is read. Settings: database (role bazaar_chat), Firebase Auth, Firestore.
"""

import functions_framework

from common import bootstrap
from common.api import chat_presenters as present
from common.api.chat_schemas import MessagePage
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.chat_moderation import admin_read_chat as read


@functions_framework.http
@endpoint(OPERATIONS["admin_read_chat"])
def admin_read_chat(call: Call):
    messages, before = read(call.principal, call.params["chat_id"], call.query.before,
                            call.query.page_size, rooms=bootstrap.chat_rooms(),
                            uow=bootstrap.chat_unit_of_work)
    return MessagePage(items=[present.message(m) for m in messages], next_page_token=before)
