"""Mails what identity and vendor events call for: verification link, password reset link,
vendor verified / rejected.

Trigger: Pub/Sub push (subscriptions identity-notifications, vendor-notifications in
terraform/events.yaml). Exactly once per event id (inbox); stale events are dropped.
Settings: database, Firebase Auth (action links), SMTP_*, MAIL_FROM, PUBLIC_BASE_URL.
"""

import functions_framework

from common import bootstrap
from common.domain.events import Event
from common.events import consumer
from common.services.notifications import is_stale, notify


@functions_framework.cloud_event
@consumer("send_notification", is_stale=is_stale)
def send_notification(event: Event, tx) -> None:
    notify(event, tx, identity=bootstrap.identity(),
           mailer=bootstrap.mailer(), public_base_url=bootstrap.settings().public_base_url)
