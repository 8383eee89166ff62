"""POST /v1/payments/webhooks/stripe: Stripe's signed events, recorded once in the inbox.

Trigger: HTTP (public: Stripe calls it). Events: none (the orders issue reacts to the
inbox). Settings: database, STRIPE_WEBHOOK_SECRET.
"""

import flask
import functions_framework

from common import bootstrap
from common.api.operations import OPERATIONS
from common.api.payment_schemas import WebhookReceived
from common.http import Call, endpoint
from common.services.payment_webhooks import receive_provider_event


@functions_framework.http
@endpoint(OPERATIONS["receive_stripe_webhook"])
def receive_stripe_webhook(call: Call):
    # The signature covers the exact bytes: the body as read (and bounded) by the door.
    received = receive_provider_event(flask.request.get_data(cache=True),
                                      flask.request.headers.get("Stripe-Signature", ""),
                                      webhooks=bootstrap.payment_webhooks(),
                                      inbox=bootstrap.provider_events())
    return WebhookReceived(event_id=received.event_id, duplicate=received.duplicate)
