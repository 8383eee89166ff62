"""GET /v1/admin/fraud-cases?status=&kind=&page_token=: fraud cases, newest first (admins),
each with its score, reasons, model version, action and evidence.

Trigger: HTTP. Settings: database (role bazaar_fraud_cases), Firebase Auth, PAGE_TOKEN_KEY.
"""

import functions_framework

from common import bootstrap
from common.api import fraud_case_schemas as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.fraud_cases import list_cases


@functions_framework.http
@endpoint(OPERATIONS["list_fraud_cases"])
def list_fraud_cases(call: Call):
    q = call.query
    cases, next_token = list_cases(
        q.status, q.kind, q.page_size, q.page_token, uow=bootstrap.fraud_cases_unit_of_work,
        token_key=bootstrap.settings().page_token_signing_key())
    return present.FraudCasePage(items=[present.fraud_case(case) for case in cases],
                                 next_page_token=next_token)
