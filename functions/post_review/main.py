"""POST /v1/products/{product_id}/reviews: a buyer of the product rates and reviews it (201).

Trigger: HTTP (customers, verified email). Events: review.posted. Settings: database (role
bazaar_reviews), Firebase Auth, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.api import review_presenters as present
from common.api.operations import OPERATIONS
from common.domain.reviews import ReviewDraft
from common.http import Call, endpoint
from common.services.reviews import post_review as post


@functions_framework.http
@endpoint(OPERATIONS["post_review"])
def post_review(call: Call):
    draft = ReviewDraft(rating=call.body.rating, title=call.body.title, text=call.body.text)
    review = post(call.principal, call.params["product_id"], draft,
                  uow=bootstrap.reviews_unit_of_work)
    return present.review(review)
