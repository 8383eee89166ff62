"""A registration exists in both Firebase Auth and the database, or in neither."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import sqlalchemy

from common import bootstrap
from common.adapters.unit_of_work import UnitOfWork
from common.domain.errors import ServiceUnavailable
from common.domain.identity import Role
from common.services.registration import NewAccount, reconcile_stale_registrations, register
from devstack.ports import free_port
from tests.conftest import ROOT, unique_email

PASSWORD = "Sunny-meadow-42"


def _in_database(email: str) -> bool:
    with bootstrap.unit_of_work() as tx:
        return tx.accounts.by_email(email) is not None


def _in_firebase(email: str) -> bool:
    from firebase_admin import auth

    try:
        auth.get_user_by_email(email, app=bootstrap.identity()._app)
    except auth.UserNotFoundError:
        return False
    return True


def _dead_database_uow() -> UnitOfWork:
    engine = sqlalchemy.create_engine(
        "postgresql+pg8000://postgres@/bazaar?unix_sock=/nonexistent/.s.PGSQL.5432")
    return UnitOfWork(engine, relay=None)


def test_database_down_after_auth_removes_the_firebase_user(stack):
    # Given a database that answers the first transaction and then goes away
    factories = iter([bootstrap.unit_of_work, _dead_database_uow, _dead_database_uow])
    email = unique_email("db-down")
    with pytest.raises(ServiceUnavailable):
        register(NewAccount("Dora", email, PASSWORD, Role.CUSTOMER),
                 lambda: next(factories)(), bootstrap.identity())
    # Then the Firebase user is gone at once, and the reconciler removes the pending row
    assert not _in_firebase(email)
    assert _in_database(email)
    reconcile_stale_registrations(bootstrap.unit_of_work, bootstrap.identity(), older_than_s=0)
    assert not _in_database(email)


def test_the_reconciler_removes_both_halves_of_an_interrupted_registration(stack):
    # Given a registration that died after creating the Firebase user (no activation)
    email = unique_email("crashed")
    factories = iter([bootstrap.unit_of_work])

    def crash_on_second_transaction():  # noqa: ANN202
        try:
            return next(factories)()
        except StopIteration:
            raise SystemExit("the instance died") from None  # no except clause runs

    with pytest.raises(SystemExit):
        register(NewAccount("Cris", email, PASSWORD, Role.CUSTOMER),
                 crash_on_second_transaction, bootstrap.identity())
    assert _in_database(email) and _in_firebase(email)
    # When the reconciler runs, then neither half remains
    removed = reconcile_stale_registrations(bootstrap.unit_of_work, bootstrap.identity(),
                                            older_than_s=0)
    assert removed >= 1
    assert not _in_database(email) and not _in_firebase(email)


def _call(function: str, method: str, path: str, body: dict, env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tests.integration.call_function", function, method, path,
         json.dumps(body)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("down", ["database", "auth"])
def test_a_downstream_outage_is_a_503_problem_and_nothing_half_written(stack, down):
    env = {**os.environ}
    if down == "database":
        env["DATABASE_URL"] = "postgresql+pg8000://postgres@/bazaar?unix_sock=/nonexistent/s"
    else:
        env["FIREBASE_AUTH_EMULATOR_HOST"] = f"127.0.0.1:{free_port()}"
    email = unique_email(f"{down}-outage")
    answer = _call("register_customer", "POST", "/v1/customers",
                   {"name": "Olga", "email": email, "password": PASSWORD}, env)
    assert answer["status"] == 503
    assert answer["body"]["code"] == "service_unavailable"
    assert answer["headers"]["Content-Type"] == "application/problem+json"
    assert "Retry-After" in answer["headers"]
    if down == "auth":  # whether Firebase made the user is unknown: the reconciler finds out
        reconcile_stale_registrations(bootstrap.unit_of_work, bootstrap.identity(),
                                      older_than_s=0)
    assert not _in_database(email) and not _in_firebase(email)


def test_a_scheduled_function_answers_a_database_outage_with_a_503_problem(stack):
    env = {**os.environ, "DATABASE_URL": "postgresql+pg8000://postgres@/b?unix_sock=/nonexistent/s"}
    answer = _call("sweep_outbox", "POST", "/", {}, env)
    assert answer["status"] == 503
    assert answer["body"]["code"] == "service_unavailable"
