"""POST /v1/chats/{chat_id}:read: everything the member has received in the room is read.

Trigger: HTTP (the room's members; 404 for anyone else). Writes the member's read marker
`rooms/{id}/reads/{uid}` (never backwards). Settings: database (authentication), Firebase
Auth, Firestore.
"""

import functions_framework

from common import bootstrap
from common.api import chat_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.chat_messages import mark_read


@functions_framework.http
@endpoint(OPERATIONS["mark_chat_read"])
def mark_chat_read(call: Call):
    return present.chat(mark_read(call.principal, call.params["chat_id"],
                                  rooms=bootstrap.chat_rooms()))
