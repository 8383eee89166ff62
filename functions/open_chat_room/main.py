"""Opens the buyer's chat room with each vendor of a paid order (or reuses it), links the
order and posts its system message there.

Trigger: Pub/Sub push (subscription chat-rooms: order.paid). Exactly once per event id
(inbox), and a replay that gets past it changes nothing: the room id comes from the pair,
the system message's id from the order and vendor, and both are created with a
must-not-exist precondition. Settings: database (role bazaar_chat: members' names),
Firestore.
"""

import functions_framework

from common import bootstrap
from common.domain.events import OrderPaid
from common.events import consumer
from common.services.chat_rooms import open_rooms_for


@functions_framework.cloud_event
@consumer("open_chat_room", unit_of_work=bootstrap.chat_unit_of_work)
def open_chat_room(event: OrderPaid, tx) -> None:
    open_rooms_for(event, tx, bootstrap.chat_rooms())
