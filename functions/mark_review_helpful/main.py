"""POST /v1/reviews/{review_id}:helpful: a customer marks someone else's review helpful, once.

Trigger: HTTP (customers). Output: the review with its new helpful_count. Settings:
database (role bazaar_reviews), Firebase Auth.
"""

import functions_framework

from common import bootstrap
from common.api import review_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.review_moderation import mark_helpful


@functions_framework.http
@endpoint(OPERATIONS["mark_review_helpful"])
def mark_review_helpful(call: Call):
    review = mark_helpful(call.principal, call.params["review_id"],
                          uow=bootstrap.review_moderation_unit_of_work)
    return present.review(review)
