"""GET /v1/email-verification?oob_code=…: the link in the verification email.

Trigger: HTTP (a person clicks it). Output: a short HTML page for browsers, JSON otherwise.
Events: user.email_verified. Settings: database, Firebase Auth, Pub/Sub.
"""

import flask
import functions_framework

from common import bootstrap
from common.api.operations import OPERATIONS
from common.api.schemas import EmailVerified
from common.http import Call, endpoint
from common.services.email_verification import confirm_email as confirm

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Email verified - Bazaar</title></head><body style="font-family:sans-serif">
<h1>Your email address is verified.</h1><p>You can go back to Bazaar and log in.</p>
</body></html>"""


@functions_framework.http
@endpoint(OPERATIONS["confirm_email"])
def confirm_email(call: Call):
    confirm(call.query.oob_code, uow=bootstrap.unit_of_work, identity=bootstrap.identity())
    if flask.request.accept_mimetypes.accept_html:
        return flask.Response(PAGE, status=200, mimetype="text/html")
    return EmailVerified()
