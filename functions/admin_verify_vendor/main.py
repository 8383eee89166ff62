"""POST /v1/admin/vendors/{vendor_id}:verify: Vendor Verification with the checklist (admins).

Trigger: HTTP. Events: vendor.verified (the vendor is mailed). Settings: database, Auth, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.api import schemas
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.vendor_verification import verify_vendor


@functions_framework.http
@endpoint(OPERATIONS["admin_verify_vendor"])
def admin_verify_vendor(call: Call):
    review = verify_vendor(call.params["vendor_id"], call.body.checklist.model_dump(),
                           call.body.note, admin_id=call.principal.account_id,
                           uow=bootstrap.unit_of_work)
    return schemas.VendorReview(id=review.vendor_id, status=review.status.value,
                                reviewed_at=review.reviewed_at)
