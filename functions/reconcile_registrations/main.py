"""Removes registrations interrupted half-way from both Firebase Auth and the database.

Trigger: HTTP, internal only, called every 5 minutes by Cloud Scheduler.
Settings: database, Firebase Auth.
"""

import functions_framework

from common import bootstrap
from common.http import internal
from common.services.registration import reconcile_stale_registrations


@functions_framework.http
@internal
def reconcile_registrations() -> dict:
    return {"removed": reconcile_stale_registrations(bootstrap.unit_of_work, bootstrap.identity())}
