"""Makes Firestore's `blocked/{uid}` follow the account: present while blocked, so the
security rules deny that uid every chat document at once (ID tokens live up to an hour).

Trigger: Pub/Sub push (subscription chat-access-blocks: account.blocked, account.unblocked).
Reads the account's current state (not the event's) under a per-account advisory lock, so
duplicated or out-of-order deliveries converge. Settings: database (role bazaar_chat),
Firestore.
"""

import functions_framework

from common import bootstrap
from common.domain.events import AccountBlocked, AccountUnblocked
from common.events import consumer
from common.services.chat_access import mirror_block


@functions_framework.cloud_event
@consumer("mirror_account_block", unit_of_work=bootstrap.chat_unit_of_work)
def mirror_account_block(event: AccountBlocked | AccountUnblocked, tx) -> None:
    mirror_block(event.account_id, tx, access=bootstrap.chat_access())
