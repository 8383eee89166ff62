"""POST /v1/admin/reviews/{review_id}:restore: an admin restores a hidden review, listed
and counted in the rating summary again in one transaction; audited.

Trigger: HTTP (admins). Events: review.restored. Settings: database (role bazaar_reviews),
Firebase Auth, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.api.operations import OPERATIONS
from common.api.review_moderation_schemas import ModeratedReview
from common.http import Call, endpoint
from common.services.review_moderation import restore_review


@functions_framework.http
@endpoint(OPERATIONS["admin_restore_review"])
def admin_restore_review(call: Call):
    review_id = call.params["review_id"]
    status = restore_review(review_id, call.body.reason, admin_id=call.principal.account_id,
                            uow=bootstrap.review_moderation_unit_of_work)
    return ModeratedReview(id=review_id, status=status.value)
