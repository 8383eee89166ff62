"""POST /v1/vendors: Register as Vendor, with the business details admins verify.

Trigger: HTTP. Input: RegisterVendor. Output: 201 Account with status pending_verification.
Events: user.registered, vendor.registered; signal.registration once it committed
(published directly, best effort: the fraud worker).
Settings: database, Firebase Auth, Pub/Sub.
"""

import flask
import functions_framework

from common import bootstrap
from common.api import presenters
from common.api.operations import OPERATIONS
from common.domain.identity import Business, Role
from common.http import Call, endpoint
from common.http_origin import request_origin
from common.services.registration import NewAccount, register
from common.services.security_signals import signal_registration


@functions_framework.http
@endpoint(OPERATIONS["register_vendor"])
def register_vendor(call: Call):
    body = call.body
    business = Business(**body.business.model_dump())
    new = NewAccount(body.name, body.email, body.password, Role.VENDOR, business)
    account = register(new, bootstrap.unit_of_work, bootstrap.identity())
    signal_registration(account, body.email, request_origin(flask.request),
                        bootstrap.security_signal_publisher())
    return presenters.account(account)
