"""POST /v1/admin/fraud-cases/{case_id}:resolve: an admin confirms or clears an open case,
once (a second resolve is 409 case_already_resolved); audited as fraud_case.resolve.

Cleared: the case's block lifted, its hidden review restored, its held order approved.
Confirmed: its held order rejected, the account blocked. The resolution stays on the case
as the next training's label. Trigger: HTTP (admins). Events: fraud.case_resolved (and the
block path's, moderation's and the order's own). Settings: database (role
bazaar_fraud_cases), Firebase Auth, Pub/Sub, Stripe and Workflows (a held order).
"""

import functions_framework

from common import bootstrap
from common.api import fraud_case_schemas as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.fraud_cases import resolve_case


@functions_framework.http
@endpoint(OPERATIONS["resolve_fraud_case"])
def resolve_fraud_case(call: Call):
    case = resolve_case(call.principal.account_id, call.params["case_id"],
                        call.body.resolution, call.body.note,
                        bootstrap.fraud_case_collaborators())
    return present.fraud_case(case)
