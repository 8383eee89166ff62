"""Publishes model version 1 when none exists; afterwards, once FL_MIN_UPDATES device
updates arrived for the current version, aggregates them (clip, robust filter, capped
weights, Gaussian noise), accounts the privacy spent and publishes the next version.

Trigger: HTTP, internal, every minute (Cloud Scheduler). Events: fl.model_published.
Settings: database (role bazaar_federated), Pub/Sub (`federated`), MODEL_BUCKET,
MODEL_BASE_URL, FL_* (README "Settings").
"""

import functions_framework

from common import bootstrap
from common.http import internal
from common.services.federated_rounds import aggregate_round


@functions_framework.http
@internal
def aggregate_fl_round() -> dict:
    return aggregate_round(uow=bootstrap.federated_unit_of_work,
                           objects=bootstrap.model_objects(), settings=bootstrap.settings())
