"""Queues each message for its recipient's away-member digest (chat_digests: per room, the
oldest and newest pending message and how many).

Trigger: Pub/Sub push (subscription chat-digests: chat.message_posted). Exactly once per
event id (inbox); any delivery order gives the same row. Settings: database (role
bazaar_chat).
"""

import functions_framework

from common import bootstrap
from common.domain.events import ChatMessagePosted
from common.events import consumer
from common.services.chat_digests import queue_digest


@functions_framework.cloud_event
@consumer("queue_chat_digest", unit_of_work=bootstrap.chat_unit_of_work)
def queue_chat_digest(event: ChatMessagePosted, tx) -> None:
    queue_digest(event, tx)
