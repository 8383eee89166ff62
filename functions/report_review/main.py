"""POST /v1/reviews/{review_id}:report: anyone signed in flags a review for the admins;
the same reporter again is answered alike and counted once.

Trigger: HTTP (signed in). Events: review.reported (a reporter's first report only).
Settings: database (role bazaar_reviews), Firebase Auth, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.api.operations import OPERATIONS
from common.api.review_moderation_schemas import ReviewReportReceived
from common.http import Call, endpoint
from common.services.review_moderation import report_review as report


@functions_framework.http
@endpoint(OPERATIONS["report_review"])
def report_review(call: Call):
    review_id = call.params["review_id"]
    report(call.principal, review_id, call.body.reason,
           uow=bootstrap.review_moderation_unit_of_work)
    return ReviewReportReceived(review_id=review_id, reported=True)
