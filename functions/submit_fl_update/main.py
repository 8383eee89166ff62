"""POST /v1/fl/updates: a device's clipped update of the item factors for the current model
version (202), once per device and version, keyed by the account's pseudonym.

Trigger: HTTP (signed in). Settings: database (role bazaar_federated), Firebase Auth,
PSEUDONYM_KEY, FL_CLIP_NORM.
"""

import functions_framework

from common import bootstrap
from common.api import federated_schemas as fls
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.federated_rounds import submit_update


@functions_framework.http
@endpoint(OPERATIONS["submit_fl_update"])
def submit_fl_update(call: Call):
    settings = bootstrap.settings()
    version = submit_update(
        call.principal.account_id, call.body.model_version, call.body.update,
        call.body.num_examples, uow=bootstrap.federated_unit_of_work,
        clip_norm=settings.fl_clip_norm, pseudonym_key=settings.pseudonym_hmac_key())
    return fls.FlUpdateAccepted(model_version=version, status="accepted")
