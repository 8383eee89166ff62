"""POST /v1/chats/{chat_id}:report: a member reports the room, with a reason.

Trigger: HTTP (the room's members; 404 for anyone else). A second report by the same member
answers 200 and changes nothing. Events: chat.reported (the member's first report). Effects:
a chat_reports row (what lets an admin read the room), the room's `reported` flag in
Firestore. Settings: database (role bazaar_chat), Firebase Auth, Firestore, Pub/Sub (`chat`).
"""

import functions_framework

from common import bootstrap
from common.api.chat_moderation_schemas import ChatReport
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.chat_moderation import report_chat as report


@functions_framework.http
@endpoint(OPERATIONS["report_chat"])
def report_chat(call: Call):
    room_id = call.params["chat_id"]
    report(call.principal, room_id, call.body.reason, rooms=bootstrap.chat_rooms(),
           access=bootstrap.chat_access(), uow=bootstrap.chat_unit_of_work)
    return ChatReport(id=room_id, reported=True)
