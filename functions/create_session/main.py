"""POST /v1/sessions: Login.

Alternative flows: unknown email → 404 email_not_registered (register first); wrong
password → 401 wrong_password (try again); too many failures → 429 with Retry-After;
blocked → 403 account_blocked. Trigger: HTTP. Events: signal.login on success and on a
failed guess (published directly, best effort: the fraud worker). Settings: database,
Firebase Auth, Pub/Sub, LOGIN_ATTEMPTS_PER_EMAIL, LOGIN_ATTEMPTS_PER_ADDRESS, LOGIN_WINDOW_S.
"""

import flask
import functions_framework

from common import bootstrap
from common.api import schemas
from common.api.operations import OPERATIONS
from common.domain.errors import EmailNotRegistered, WrongPassword
from common.http import Call, endpoint
from common.http_origin import request_origin
from common.services.security_signals import signal_failed_login, signal_login
from common.services.sessions import log_in


@functions_framework.http
@endpoint(OPERATIONS["create_session"])
def create_session(call: Call):
    origin, signals = request_origin(flask.request), bootstrap.security_signal_publisher()
    try:
        done = log_in(call.body.email, call.body.password, call.client_address,
                      uow=bootstrap.unit_of_work, identity=bootstrap.identity(),
                      limiter=bootstrap.login_limiter(), settings=bootstrap.settings())
    except (EmailNotRegistered, WrongPassword):
        signal_failed_login(call.body.email, origin, uow=bootstrap.unit_of_work,
                            publisher=signals)
        raise
    signal_login(done.account.id, True, origin, signals)
    account, tokens = done.account, done.tokens
    return schemas.Session(
        id_token=tokens.id_token, refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
        user=schemas.SessionUser(id=account.id, role=account.role.value,
                                 email_verified=account.email_verified),
    )
