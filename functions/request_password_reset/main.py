"""POST /v1/password-resets: always 202, so the answer never reveals whether an email exists.

Trigger: HTTP. Events: password_reset.requested (the notification function mails the link).
Settings: database, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.api import schemas
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.password_reset import request_password_reset as request_reset


@functions_framework.http
@endpoint(OPERATIONS["request_password_reset"])
def request_password_reset(call: Call):
    request_reset(call.body.email, uow=bootstrap.unit_of_work)
    return schemas.Accepted()
