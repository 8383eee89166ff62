"""POST /v1/reviews/{review_id}/reply: the product's vendor answers a review publicly, once.

Trigger: HTTP (vendors, verified email). Events: review.replied. Output: 201, the review
with its reply. Settings: database (role bazaar_reviews), Firebase Auth, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.api import review_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.review_moderation import reply_to_review as reply


@functions_framework.http
@endpoint(OPERATIONS["reply_to_review"])
def reply_to_review(call: Call):
    review = reply(call.principal, call.params["review_id"], call.body.text,
                   uow=bootstrap.review_moderation_unit_of_work)
    return present.review(review)
