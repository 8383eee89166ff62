"""The payment saga's first step: give a refund's money back at the provider, once.

Trigger: HTTP, internal only (workflows/payment.yaml, `EXECUTE_REFUND_URL`). Input:
`{"refund_id"}`. Output: `{"refund_id", "outcome": "executed" | "failed" | "succeeded"}`;
503 while the provider is unavailable (the saga retries). Settings: database, Stripe.
"""

import functions_framework

from common import bootstrap
from common.http import saga_step
from common.services.refunding import execute_refund as execute
from common.services.refunding import refund_id_of


@functions_framework.http
@saga_step
def execute_refund(body: dict) -> dict:
    refund_id = refund_id_of(body)
    outcome = execute(refund_id, uow=bootstrap.refunds_unit_of_work,
                      payments=bootstrap.payments())
    return {"refund_id": refund_id, "outcome": outcome}
