"""Publishes outbox events still unpublished (the process died between commit and publish),
and forgets expired idempotency keys and login counters.

Trigger: HTTP, internal only, called every minute by Cloud Scheduler. Settings: database, Pub/Sub.
"""

import flask
import functions_framework

from common import bootstrap


@functions_framework.http
def sweep_outbox(request: flask.Request):
    published = bootstrap.relay().sweep()
    bootstrap.idempotency_keys().purge_expired()
    bootstrap.login_limiter().forget_old_windows()
    return flask.jsonify(published=published)
