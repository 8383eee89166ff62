"""Publishes outbox events still unpublished (the process died between commit and publish),
and forgets expired idempotency keys and login counters.

Trigger: HTTP, internal only, called every minute by Cloud Scheduler. Settings: database, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.http import internal


@functions_framework.http
@internal
def sweep_outbox() -> dict:
    published = bootstrap.relay().sweep()
    bootstrap.idempotency_keys().purge_expired()
    bootstrap.login_limiter().forget_old_windows()
    return {"published": published}
