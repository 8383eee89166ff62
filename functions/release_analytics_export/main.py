"""Releases the k-anonymous exports of orders and interactions: per dataset, the classes
that reach ANALYTICS_EXPORT_K persons (and ANALYTICS_EXPORT_L categories) on the accumulated
release, audited before anything is written, as `exports/<dataset>/<release id>.jsonl` in the
analytics bucket; smaller classes wait for a later run (docs/decisions/0030).

Trigger: HTTP, internal, every hour (Cloud Scheduler). Events: none. Settings: database
(role bazaar_analytics_export), PSEUDONYM_KEY (counts buyers as persons), ANALYTICS_BUCKET,
ANALYTICS_EXPORT_K, ANALYTICS_EXPORT_L, ANALYTICS_EXPORT_MAX_WAIT_DAYS.
"""

import dataclasses

import functions_framework

from common import bootstrap
from common.http import internal
from common.services.analytics_export import release_exports


@functions_framework.http
@internal
def release_analytics_export() -> dict:
    outcomes = release_exports(uow=bootstrap.analytics_export_unit_of_work,
                               objects=bootstrap.analytics_export_objects(),
                               settings=bootstrap.settings())
    return {"releases": [dataclasses.asdict(outcome) for outcome in outcomes]}
