"""GET /v1/me: the caller's profile, role, email verification and vendor status.

Trigger: HTTP. Settings: database, Firebase Auth.
"""

import functions_framework

from common import bootstrap
from common.api import presenters
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.profiles import get_profile


@functions_framework.http
@endpoint(OPERATIONS["get_me"])
def get_me(call: Call):
    return presenters.me(get_profile(call.principal.account_id, uow=bootstrap.unit_of_work))
