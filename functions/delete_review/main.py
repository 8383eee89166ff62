"""DELETE /v1/products/{product_id}/reviews/{review_id}: the author deletes their review (204).

Trigger: HTTP (customers, verified email). Events: review.deleted. Settings: database (role
bazaar_reviews), Firebase Auth, Pub/Sub.
"""

import flask
import functions_framework

from common import bootstrap
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.reviews import delete_review as delete


@functions_framework.http
@endpoint(OPERATIONS["delete_review"])
def delete_review(call: Call):
    delete(call.principal, call.params["product_id"], call.params["review_id"],
           uow=bootstrap.reviews_unit_of_work)
    return flask.Response(status=204)
