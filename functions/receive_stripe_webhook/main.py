"""POST /v1/payments/webhooks/stripe: Stripe's signed events, recorded once in the inbox.

Trigger: HTTP (public: Stripe calls it). Events: none; an event about one of our payments
updates it and wakes its purchase saga (callback). Settings: database,
STRIPE_WEBHOOK_SECRET, WORKFLOWS_EMULATOR_HOST (locally: callbacks without a token).
"""

import flask
import functions_framework

from common import bootstrap
from common.api.operations import OPERATIONS
from common.api.payment_schemas import WebhookReceived
from common.http import Call, endpoint
from common.services.payment_handoff import hand_off
from common.services.payment_webhooks import receive_provider_event


@functions_framework.http
@endpoint(OPERATIONS["receive_stripe_webhook"])
def receive_stripe_webhook(call: Call):
    # The signature covers the exact bytes: the body as read (and bounded) by the door.
    inbox = bootstrap.provider_events()
    received = receive_provider_event(
        flask.request.get_data(cache=True), flask.request.headers.get("Stripe-Signature", ""),
        webhooks=bootstrap.payment_webhooks(), inbox=inbox,
        hand_off=lambda event: hand_off(event, uow=bootstrap.orders_unit_of_work,
                                        callbacks=bootstrap.workflow_callbacks(),
                                        mark_processed=inbox.mark_processed))
    return WebhookReceived(event_id=received.event_id, duplicate=received.duplicate)
