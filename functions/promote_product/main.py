"""POST /v1/products/{product_id}/promotions: the vendor promotes its listed product for
whole days, paying the fee from its payable balance or its saved card (201).

Trigger: HTTP (vendors; Idempotency-Key required). Events: promotion.scheduled. Settings:
database (role bazaar_promotions), Firebase Auth, Pub/Sub, Stripe, the promotion rates.
"""

import flask
import functions_framework

from common import bootstrap
from common.api import promotion_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint, idempotency_of
from common.services.promotion_purchase import Collaborators, Wanted, promote


@functions_framework.http
@endpoint(OPERATIONS["promote_product"])
def promote_product(call: Call):
    key, digest = idempotency_of(flask.request)
    body = call.body
    wanted = Wanted(call.params["product_id"], body.days, body.starts_at, body.ends_at)
    deps = Collaborators(uow=bootstrap.promotions_unit_of_work, payments=bootstrap.payments(),
                         settings=bootstrap.settings())
    return present.promotion(promote(call.principal, wanted, key, digest, deps))
