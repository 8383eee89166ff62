"""Carries out a fraud case: on fraud.case_opened, the case's action (account_blocked: the
admin block path as the fraud-detector, reason fraud; review_hidden: the review hidden and
its summary corrected); on fraud.case_resolved, what the resolution changes (again, for
the resolutions whose effects the request could not finish).

Trigger: Pub/Sub push (subscription fraud-case-actions). Reads the case, not the event: a
case resolved before the delivery is not acted on. Exactly once per event id (inbox); each
effect idempotent. Events: account.blocked, review.hidden (and the resolution's). Settings:
database (role bazaar_fraud_cases), Firebase Auth (admin), Pub/Sub, Stripe and Workflows
(a held order's review).
"""

import functions_framework

from common import bootstrap
from common.domain.events import FraudCaseOpened, FraudCaseResolved
from common.events import consumer
from common.services.fraud_cases import act_on_case, apply_resolution


@functions_framework.cloud_event
@consumer("act_on_fraud_case", unit_of_work=bootstrap.fraud_cases_unit_of_work)
def act_on_fraud_case(event: FraudCaseOpened | FraudCaseResolved, tx) -> None:
    if isinstance(event, FraudCaseOpened):
        act_on_case(event.case_id, bootstrap.fraud_case_collaborators())
    elif isinstance(event, FraudCaseResolved):
        apply_resolution(event.case_id, bootstrap.fraud_case_collaborators())
