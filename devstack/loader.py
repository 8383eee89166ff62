"""Load a function the way Cloud Functions does, connecting to PostgreSQL as its own role.

Deployed, each function has its own IAM database user, granted exactly the
`database_role` of its manifest entry. Locally one process serves every function, so the
app's WSGI entry sets that role for the request (common/bootstrap.py `database_role`):
each request runs on an engine logged in as the role, and a GRANT missing from the
migrations fails the request here as it would in production.
"""

from __future__ import annotations

from typing import Callable, Iterable

import flask
import functions_framework

from common import bootstrap
from devstack.manifest import Function

# A function that declares no `uses: [database]` connects as a role that does not exist:
# touching the database fails as loudly as it would without Cloud SQL grants.
NO_DATABASE = "bazaar_no_database"


def load(function: Function) -> flask.Flask:
    """The functions-framework app of `function`, serving as its database role."""
    app = functions_framework.create_app(function.name, str(function.source),
                                         function.signature_type)
    app.wsgi_app = as_database_role(function.database_role or NO_DATABASE, app.wsgi_app)
    return app


def as_database_role(role: str | None, wsgi_app: Callable[..., Iterable[bytes]]
                     ) -> Callable[..., Iterable[bytes]]:
    def serve(environ: dict, start_response: Callable) -> Iterable[bytes]:
        with bootstrap.database_role(role):
            # Flask runs the view inside this call; the body it returns is already built.
            return wsgi_app(environ, start_response)

    return serve
