"""PATCH /v1/products/{product_id}/reviews/{review_id}: the author changes their review.

Trigger: HTTP (customers, verified email). Events: review.edited. Settings: database (role
bazaar_reviews), Firebase Auth, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.api import review_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.reviews import edit_review as edit


@functions_framework.http
@endpoint(OPERATIONS["edit_review"])
def edit_review(call: Call):
    review = edit(call.principal, call.params["product_id"], call.params["review_id"],
                  call.body.changes(), uow=bootstrap.reviews_unit_of_work)
    return present.review(review)
