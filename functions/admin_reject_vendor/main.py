"""POST /v1/admin/vendors/{vendor_id}:reject: reject a vendor with a reason (admins).

Trigger: HTTP. Events: vendor.rejected (the vendor is mailed the reason).
Settings: database, Firebase Auth, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.api import schemas
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.vendor_verification import reject_vendor


@functions_framework.http
@endpoint(OPERATIONS["admin_reject_vendor"])
def admin_reject_vendor(call: Call):
    review = reject_vendor(call.params["vendor_id"], call.body.reason,
                           admin_id=call.principal.account_id, uow=bootstrap.unit_of_work)
    return schemas.VendorReview(id=review.vendor_id, status=review.status.value,
                                reviewed_at=review.reviewed_at)
