"""POST /v1/promotions/{promotion_id}:cancel: the vendor cancels its promotion; the whole
days not begun are refunded where the fee came from (all of it before it starts).

Trigger: HTTP (vendors). Events: promotion.cancelled. Settings: database (role
bazaar_promotions), Firebase Auth, Pub/Sub, Stripe.
"""

import functions_framework

from common import bootstrap
from common.api import promotion_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.promotion_purchase import Collaborators, cancel


@functions_framework.http
@endpoint(OPERATIONS["cancel_promotion"])
def cancel_promotion(call: Call):
    deps = Collaborators(uow=bootstrap.promotions_unit_of_work, payments=bootstrap.payments(),
                         settings=bootstrap.settings())
    return present.promotion(cancel(call.principal, call.params["promotion_id"], deps))
