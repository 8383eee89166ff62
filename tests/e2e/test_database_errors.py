"""What the database server reports: a retry may cure it (503 + Retry-After), or it is a
bug (500); either way, no bound value such as an email reaches a log line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
import sqlalchemy
from sqlalchemy import exc as sa_exc

from common import bootstrap
from common.adapters.database import is_transient
from tests.conftest import ROOT, unique_email
from tests.e2e.catalog import list_product


def _server_error(sqlstate: str) -> sa_exc.DBAPIError:
    """A SQLAlchemy error around what pg8000 raises for an ErrorResponse of the server."""
    import pg8000.dbapi

    orig = pg8000.dbapi.ProgrammingError({"S": "ERROR", "C": sqlstate, "M": "reported"})
    return sa_exc.ProgrammingError("SELECT 1", {}, orig)


@pytest.mark.parametrize("sqlstate", [
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
    "57014",  # query_canceled (statement timeout)
    "57P01",  # admin_shutdown (failover)
    "53300",  # too_many_connections
    "08006",  # connection_failure
])
def test_what_a_retry_may_cure_is_transient(sqlstate):
    assert is_transient(_server_error(sqlstate))


@pytest.mark.parametrize("sqlstate", ["42501", "23505", "22P02", "42P01"])
def test_bugs_and_refusals_are_not_transient(sqlstate):
    assert not is_transient(_server_error(sqlstate))


def test_a_statement_timeout_inside_a_use_case_is_a_503_with_retry_after(api, verified_vendor):
    # Given a product row held locked past the statement timeout by another session
    product = list_product(api, verified_vendor)
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with bootstrap.engine().connect() as db:
            db.execute(sqlalchemy.text("SELECT 1 FROM products WHERE id = :id FOR UPDATE"),
                       {"id": product["id"]})
            locked.set()
            release.wait(30)
            db.rollback()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        # When the owner edits it
        answer = api.patch(f"/v1/products/{product['id']}", json={"stock": 9},
                           headers=verified_vendor.auth)
    finally:
        release.set()
        holder.join()
    # Then the answer says to retry, and nothing changed
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "service_unavailable"
    assert answer.headers["Retry-After"].isdigit()
    assert api.get(f"/v1/products/{product['id']}").json()["stock"] == product["stock"]


def test_a_database_error_logs_no_email(stack):
    # Given a function whose database role may not write the accounts table (it logs in
    # as its manifest `database_role`, devstack/loader.py)
    with bootstrap.engine().begin() as db:
        db.execute(sqlalchemy.text("REVOKE INSERT ON accounts FROM bazaar_identity"))
    env = {**os.environ, "LOG_LEVEL": "INFO"}
    email = unique_email("logged")
    # When someone registers with their email
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tests.integration.call_function", "register_customer",
             "POST", "/v1/customers", json.dumps({"name": "Lena", "email": email,
                                                  "password": "Sunny-meadow-42"})],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    finally:
        with bootstrap.engine().begin() as db:
            db.execute(sqlalchemy.text("GRANT INSERT ON accounts TO bazaar_identity"))
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    # Then it is an internal error, logged with its SQLSTATE and stack but not the email
    assert answer["status"] == 500
    output = result.stdout + result.stderr
    assert '"sqlstate": "42501"' in output
    assert email not in output and email.split("@")[0] not in output
