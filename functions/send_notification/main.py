"""Mails what identity, vendor and order events call for: verification link, password reset
link, vendor verified / rejected; the buyer's order confirmation, failed payment,
cancellation and shipment, and each vendor's sale (docs/decisions/0017); an away chat
member's digest (who wrote, how many unread; never the text).

Trigger: Pub/Sub push (subscriptions identity-notifications, vendor-notifications,
order-notifications, chat-digest-notifications in terraform/events.yaml). Exactly once per
event id (inbox), and per event and addressee for order mails; stale events are dropped.
Settings: database (role bazaar_notifications), Firebase Auth (action links), SMTP_*,
MAIL_FROM, PUBLIC_BASE_URL.
"""

import functions_framework

from common import bootstrap
from common.domain.events import ChatDigestDue, Event
from common.events import consumer
from common.services.chat_digests import mail_digest
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
    if isinstance(event, ChatDigestDue):
        mail_digest(event, tx, mailer=bootstrap.mailer(),
                    public_base_url=bootstrap.settings().public_base_url)
        return
    notify(event, tx, identity=bootstrap.identity(),
           mailer=bootstrap.mailer(), public_base_url=bootstrap.settings().public_base_url)
