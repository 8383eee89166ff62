"""Records one chat.digest_due per member who was away 15 minutes (CHAT_AWAY_S) while
messages arrived and still has unread ones (their Firestore read marker); send_notification
mails it. Clears what each digest covers, so the next run starts afresh.

Trigger: HTTP, internal, every 5 minutes (Cloud Scheduler). Events: chat.digest_due.
Settings: database (role bazaar_chat), Firestore, Pub/Sub (`chat`).
"""

import functions_framework

from common import bootstrap
from common.http import internal
from common.services.chat_digests import send_due_digests


@functions_framework.http
@internal
def send_chat_digests() -> dict:
    return send_due_digests(uow=bootstrap.chat_unit_of_work, rooms=bootstrap.chat_rooms())
