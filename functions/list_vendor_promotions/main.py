"""GET /v1/vendors/me/promotions: the vendor's promotions, newest first, each with its
status, dates, fee, what was refunded, spend (fee − refunded), impressions and clicks.

Trigger: HTTP. Settings: database (role bazaar_promotions), Firebase Auth.
"""

import functions_framework

from common import bootstrap
from common.api import promotion_list_schemas as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.promotion_lifecycle import promotions_of_vendor


@functions_framework.http
@endpoint(OPERATIONS["list_vendor_promotions"])
def list_vendor_promotions(call: Call):
    return present.vendor_promotions(promotions_of_vendor(
        call.principal.account_id, uow=bootstrap.promotion_lifecycle_unit_of_work))
