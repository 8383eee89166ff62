"""POST /v1/admin/accounts/{account_id}:block: refuse an account at once, old tokens included.

Trigger: HTTP. Events: account.blocked (sync_account_status disables the Firebase user).
Settings: database, Firebase Auth, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.api import schemas
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.account_blocking import block_account


@functions_framework.http
@endpoint(OPERATIONS["admin_block_account"])
def admin_block_account(call: Call):
    account_id = call.params["account_id"]
    state = block_account(account_id, call.body.reason, admin_id=call.principal.account_id,
                          uow=bootstrap.unit_of_work, identity=bootstrap.identity())
    return schemas.AccountState(id=account_id, state=state.value)
