"""Mails what identity, vendor and order events call for: verification link, password reset
link, vendor verified / rejected; the buyer's order confirmation, failed payment,
cancellation and shipment, and each vendor's sale (docs/decisions/0017).

Trigger: Pub/Sub push (subscriptions identity-notifications, vendor-notifications,
order-notifications in terraform/events.yaml). Exactly once per event id (inbox), and per
event and addressee for order mails; stale events are dropped.
Settings: database (role bazaar_notifications), Firebase Auth (action links), SMTP_*,
MAIL_FROM, PUBLIC_BASE_URL.
"""

import functions_framework

from common import bootstrap
from common.domain.events import Event
from common.events import consumer
from common.services.notifications import is_stale, notify
from common.services.order_notifications import ORDER_EVENTS, notify_order


@functions_framework.cloud_event
@consumer("send_notification", is_stale=is_stale,
          unit_of_work=bootstrap.notifications_unit_of_work)
def send_notification(event: Event, tx) -> None:
    if isinstance(event, ORDER_EVENTS):
        notify_order(event, tx, mailer=bootstrap.mailer(),
                     each_mail=bootstrap.notifications_unit_of_work)
        return
    notify(event, tx, identity=bootstrap.identity(),
           mailer=bootstrap.mailer(), public_base_url=bootstrap.settings().public_base_url)
