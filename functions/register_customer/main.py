"""POST /v1/customers: Register as Customer.

Trigger: HTTP. Input: RegisterCustomer. Output: 201 Account.
Events: user.registered (the notification function mails the verification link);
signal.registration once it committed (published directly, best effort: the fraud worker).
Settings: database, Firebase Auth, Pub/Sub (see README "Settings").
"""

import flask
import functions_framework

from common import bootstrap
from common.api import presenters
from common.api.operations import OPERATIONS
from common.domain.identity import Role
from common.http import Call, endpoint
from common.http_origin import request_origin
from common.services.registration import NewAccount, register
from common.services.security_signals import signal_registration


@functions_framework.http
@endpoint(OPERATIONS["register_customer"])
def register_customer(call: Call):
    body = call.body
    new = NewAccount(body.name, body.email, body.password, Role.CUSTOMER)
    account = register(new, bootstrap.unit_of_work, bootstrap.identity())
    signal_registration(account, body.email, request_origin(flask.request),
                        bootstrap.security_signal_publisher())
    return presenters.account(account)
