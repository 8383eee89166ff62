"""Makes the Firebase user follow the account: disabled (tokens revoked) while blocked.

Trigger: Pub/Sub push (subscription account-status-sync: account.blocked, account.unblocked).
Settings: database, Firebase Auth.
"""

import functions_framework

from common import bootstrap
from common.domain.events import AccountBlocked, AccountUnblocked
from common.events import consumer
from common.services.account_blocking import sync_firebase_state


@functions_framework.cloud_event
@consumer("sync_account_status")
def sync_account_status(event: AccountBlocked | AccountUnblocked, tx) -> None:
    sync_firebase_state(event.account_id, tx, identity=bootstrap.identity())
