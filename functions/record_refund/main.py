"""The payment saga's second step: record an executed refund in one transaction.

Trigger: HTTP, internal only (workflows/payment.yaml, `RECORD_REFUND_URL`). Input:
`{"refund_id"}`. Output: `{"refund_id", "outcome": "succeeded" | "failed"}`. Events:
order.refunded or order.cancelled. Settings: database, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.http import saga_step
from common.services.refunding import record_refund as record
from common.services.refunding import refund_id_of


@functions_framework.http
@saga_step
def record_refund(body: dict) -> dict:
    refund_id = refund_id_of(body)
    outcome = record(refund_id, uow=bootstrap.refunds_unit_of_work)
    return {"refund_id": refund_id, "outcome": outcome}
