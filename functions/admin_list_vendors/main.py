"""GET /v1/admin/vendors?status=…: vendors by verification status, oldest first (admins).

Trigger: HTTP. Settings: database, Firebase Auth, PAGE_TOKEN_KEY.
"""

import functions_framework

from common import bootstrap
from common.api import presenters, schemas
from common.api.operations import OPERATIONS
from common.domain.identity import VendorStatus
from common.http import Call, endpoint
from common.services.vendor_verification import list_vendors


@functions_framework.http
@endpoint(OPERATIONS["admin_list_vendors"])
def admin_list_vendors(call: Call):
    q = call.query
    vendors, next_token = list_vendors(
        VendorStatus(q.status), q.page_size, q.page_token, uow=bootstrap.unit_of_work,
        token_key=bootstrap.settings().page_token_signing_key())
    return schemas.VendorPage(items=[presenters.vendor_summary(v) for v in vendors],
                              next_page_token=next_token)
