"""GET /v1/promotions:quote: what promoting the vendor's product for the days asked costs.

Trigger: HTTP (vendors). Settings: database (role bazaar_promotions), Firebase Auth,
PROMOTION_DAILY_RATES / PROMOTION_DAILY_RATE / PROMOTION_MAX_DAYS.
"""

import functions_framework

from common import bootstrap
from common.api import promotion_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services import promotion_purchase
from common.services.promotion_purchase import Wanted


@functions_framework.http
@endpoint(OPERATIONS["quote_promotion"])
def quote_promotion(call: Call):
    query = call.query
    wanted = Wanted(query.product_id, query.days, query.starts_at, query.ends_at)
    return present.quote(promotion_purchase.quote_promotion(
        call.principal, wanted, uow=bootstrap.promotions_unit_of_work,
        settings=bootstrap.settings()))
