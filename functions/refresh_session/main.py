"""POST /v1/sessions:refresh: a new ID token for a refresh token (refused once blocked).

Trigger: HTTP. Settings: database, Firebase Auth.
"""

import functions_framework

from common import bootstrap
from common.api import schemas
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.sessions import refresh


@functions_framework.http
@endpoint(OPERATIONS["refresh_session"])
def refresh_session(call: Call):
    tokens = refresh(call.body.refresh_token, uow=bootstrap.unit_of_work,
                     identity=bootstrap.identity())
    return schemas.RefreshedSession(id_token=tokens.id_token, refresh_token=tokens.refresh_token,
                                    expires_in=tokens.expires_in)
