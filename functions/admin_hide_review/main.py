"""POST /v1/admin/reviews/{review_id}:hide: an admin hides a visible review, off the
product's list and out of its rating summary in one transaction; audited.

Trigger: HTTP (admins). Events: review.hidden. Settings: database (role bazaar_reviews),
Firebase Auth, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.api.operations import OPERATIONS
from common.api.review_moderation_schemas import ModeratedReview
from common.http import Call, endpoint
from common.services.review_moderation import hide_review


@functions_framework.http
@endpoint(OPERATIONS["admin_hide_review"])
def admin_hide_review(call: Call):
    review_id = call.params["review_id"]
    status = hide_review(review_id, call.body.reason, admin_id=call.principal.account_id,
                         uow=bootstrap.review_moderation_unit_of_work)
    return ModeratedReview(id=review_id, status=status.value)
