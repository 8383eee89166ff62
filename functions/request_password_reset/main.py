"""POST /v1/password-resets: 202 for any email, so the answer never reveals whether one exists.

Past PASSWORD_RESETS_PER_EMAIL in a window the answer is still 202 but nothing is mailed;
past PASSWORD_RESETS_PER_ADDRESS, 429 with Retry-After.
Trigger: HTTP. Events: password_reset.requested (the notification function mails the link).
Settings: database, Pub/Sub, PASSWORD_RESETS_PER_EMAIL, PASSWORD_RESETS_PER_ADDRESS,
PASSWORD_RESET_WINDOW_S.
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
    request_reset(call.body.email, call.client_address, uow=bootstrap.unit_of_work,
                  limiter=bootstrap.password_reset_limiter(), settings=bootstrap.settings())
    return schemas.Accepted()
