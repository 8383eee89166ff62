"""POST /v1/vendors/me/payment-card:setup: the vendor saves a card for promotion fees
(a SetupIntent confirmed here; 3-D Secure first when the issuer wants it).

Trigger: HTTP (vendors). Settings: database (role bazaar_promotions), Firebase Auth, Stripe.
"""

import flask
import functions_framework

from common import bootstrap
from common.api import promotion_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.promotion_purchase import Collaborators, setup_card


@functions_framework.http
@endpoint(OPERATIONS["setup_vendor_payment_card"])
def setup_vendor_payment_card(call: Call):
    body = call.body
    key = flask.request.headers.get("Idempotency-Key") or call.request_id
    deps = Collaborators(uow=bootstrap.promotions_unit_of_work, payments=bootstrap.payments(),
                         settings=bootstrap.settings())
    return present.card_setup(setup_card(call.principal, body.payment_method, body.return_url,
                                         key, deps))
