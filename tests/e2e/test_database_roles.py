"""Each function connects to PostgreSQL as its manifest `database_role`: public reads are
read-only, nobody rewrites the audit log, and a grant the migrations forgot fails a
request here rather than in production (docs/operations.md, "Database roles")."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
import sqlalchemy
from sqlalchemy import event, text

from common import bootstrap
from devstack import manifest
from devstack.loader import load
from tests.e2e.catalog import list_product

# The functions' roles and the edge workers' (edge_workers/services.yaml): the fraud
# worker keeps its own history.
ROLES = sorted({f.database_role for f in manifest.functions().values() if f.database_role}
               | {s.database_role for s in manifest.edge_services().values() if s.database_role})


@contextmanager
def connected_as(role: str):
    """A connection as `role` whose transaction is rolled back, whatever it was allowed."""
    with bootstrap.database_role(role), bootstrap.engine().connect() as db:
        yield db
        db.rollback()


@contextmanager
def users_of_this_thread(any_thread: bool = False):
    """The database user of every statement this thread (or any) runs inside the block."""
    users: list[str] = []
    me = threading.get_ident()

    def record(conn, *args):  # noqa: ANN001
        if any_thread or threading.get_ident() == me:
            users.append(conn.engine.url.username)

    event.listen(sqlalchemy.Engine, "before_cursor_execute", record)
    try:
        yield users
    finally:
        event.remove(sqlalchemy.Engine, "before_cursor_execute", record)


def test_each_role_logs_in_as_itself(stack):
    for role in ROLES:
        with connected_as(role) as db:
            assert db.execute(text("SELECT current_user")).scalar_one() == role


def test_a_function_serves_its_requests_as_its_role(api, verified_vendor):
    # Given a listed product
    product = list_product(api, verified_vendor)

    # When the public read function serves it
    with users_of_this_thread() as users:
        response = load(manifest.functions()["get_product"]).test_client().get(
            f"/v1/products/{product['id']}")

    # Then every statement ran as the read-only role
    assert response.status_code == 200
    assert users and set(users) == {"bazaar_reader"}


def test_the_local_server_serves_each_function_as_its_role(api):
    # When the public search is asked through the local server (the router, its own threads)
    with users_of_this_thread(any_thread=True) as users:
        response = api.get("/v1/products", params={"q": "lamp"})

    # Then its statements ran as the read-only role, none as the owner
    assert response.status_code == 200
    assert "bazaar_reader" in users and "postgres" not in users


@pytest.mark.parametrize("statement", [
    "INSERT INTO search_lexicon (word) VALUES ('zzgrant')",
    "UPDATE products SET stock = 0 WHERE false",
    "DELETE FROM product_images WHERE false",
    "UPDATE accounts SET state = 'blocked' WHERE false",
    "SELECT email FROM accounts LIMIT 1",
    "SELECT key FROM idempotency_keys LIMIT 1",
    "SELECT payload FROM outbox_events LIMIT 1",
], ids=["insert", "update", "delete", "block", "emails", "idempotency", "outbox"])
def test_the_public_read_role_reads_the_catalog_and_nothing_else(stack, statement):
    with connected_as("bazaar_reader") as db:
        assert db.execute(text("SELECT count(*) FROM products")).scalar_one() >= 0
        with pytest.raises(sqlalchemy.exc.ProgrammingError, match="permission denied"):
            db.execute(text(statement))


@pytest.mark.parametrize("role", ROLES)
def test_no_role_rewrites_or_deletes_the_audit_log(stack, role):
    with connected_as(role) as db:
        for statement in ["DELETE FROM admin_actions WHERE false",
                          "UPDATE admin_actions SET reason = reason WHERE false",
                          "TRUNCATE admin_actions"]:
            with pytest.raises(sqlalchemy.exc.ProgrammingError, match="permission denied"):
                with db.begin_nested():
                    db.execute(text(statement))


def test_only_the_roles_of_admin_actions_append_to_the_audit_log(stack):
    # bazaar_admin (accounts, vendors), and the roles whose functions include an admin's
    # audited action: hiding a review (bazaar_reviews), reading a reported chat (bazaar_chat),
    # resolving a fraud case or blocking as the fraud-detector (bazaar_fraud_cases).
    owner = bootstrap.engine()
    with owner.connect() as db:
        appenders = [role for role in ROLES if db.execute(text(
            "SELECT has_table_privilege(:role, 'admin_actions', 'INSERT')"),
            {"role": role}).scalar_one()]
    assert appenders == ["bazaar_admin", "bazaar_chat", "bazaar_fraud_cases", "bazaar_reviews"]


def test_every_table_is_granted_to_a_role_and_no_role_may_change_the_schema(stack):
    with bootstrap.engine().connect() as db:
        tables = db.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version' ORDER BY tablename")).scalars().all()
        reachable = {table: [role for role in ROLES if db.execute(text(
            "SELECT has_any_column_privilege(:role, :table, 'SELECT, INSERT, UPDATE')"),
            {"role": role, "table": table}).scalar_one()] for table in tables}
        powers = db.execute(text(
            "SELECT r.rolname, t.tablename FROM pg_roles r, pg_tables t "
            "WHERE r.rolname = ANY(:roles) AND t.schemaname = 'public' "
            "AND has_table_privilege(r.rolname, 'public.' || t.tablename, "
            "'TRUNCATE, REFERENCES, TRIGGER')"), {"roles": ROLES}).all()
        creators = [role for role in ROLES if db.execute(text(
            "SELECT has_schema_privilege(:role, 'public', 'CREATE') "
            "OR has_database_privilege(:role, current_database(), 'CREATE')"),
            {"role": role}).scalar_one()]
        retired = db.execute(text(
            "SELECT count(*) FROM information_schema.role_table_grants "
            "WHERE grantee = 'bazaar_app'")).scalar_one()
    assert [table for table, roles in reachable.items() if not roles] == []
    assert powers == [] and creators == [] and retired == 0


def test_a_grant_missing_from_the_migrations_fails_the_request_here(api, verified_vendor):
    # Given a product the public read function serves
    product = list_product(api, verified_vendor)
    read = load(manifest.functions()["get_product"]).test_client()
    path = f"/v1/products/{product['id']}"
    assert read.get(path).status_code == 200

    # When its role lacks one grant (as if a migration had forgotten it)
    owner = bootstrap.engine()
    with owner.begin() as db:
        db.execute(text("REVOKE SELECT ON product_images FROM bazaar_reader"))
    try:
        response = read.get(path)
    finally:
        with owner.begin() as db:
            db.execute(text("GRANT SELECT ON product_images TO bazaar_reader"))

    # Then the request fails, here, before any deployment
    assert response.status_code == 500
    assert read.get(path).status_code == 200
