"""POST /v1/admin/accounts/{account_id}:unblock: let a blocked account back in.

Trigger: HTTP. Events: account.unblocked (sync_account_status re-enables the Firebase user).
Settings: database, Firebase Auth, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.api import schemas
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.account_blocking import unblock_account


@functions_framework.http
@endpoint(OPERATIONS["admin_unblock_account"])
def admin_unblock_account(call: Call):
    account_id = call.params["account_id"]
    state = unblock_account(account_id, call.body.reason, admin_id=call.principal.account_id,
                            uow=bootstrap.unit_of_work, identity=bootstrap.identity())
    return schemas.AccountState(id=account_id, state=state.value)
