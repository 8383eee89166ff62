"""PATCH /v1/vendors/me: a vendor changes the payment methods it accepts, or its website.

Trigger: HTTP. Events: vendor.profile_updated. Settings: database, Firebase Auth, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.api import presenters
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.profiles import update_vendor_profile as update


@functions_framework.http
@endpoint(OPERATIONS["update_vendor_profile"])
def update_vendor_profile(call: Call):
    changes = call.body.model_dump(include=call.body.model_fields_set)
    return presenters.me(update(call.principal.account_id, changes, uow=bootstrap.unit_of_work))
