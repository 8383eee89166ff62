"""Database roles by what a function does, replacing `bazaar_app` (all data, every table).

Each function's IAM database user is granted exactly the role its functions/manifest.yaml
entry names (`database_role`; docs/operations.md, "Database roles"); locally each function
logs in as that role (devstack/loader.py), so a grant missing here fails a test. Nobody
may UPDATE or DELETE the audit log (`admin_actions`): admins only append to it. Tables
get no privileges by default any more: a migration that adds a table grants it to the
roles that need it, as below.

Revision ID: 0005
Revises: 0003
"""

from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None

# Shared by several roles. The outbox: write events, and let the relay claim
# (SELECT … FOR UPDATE needs UPDATE on a column) and mark them; never rewrite one.
OUTBOX = {"outbox_events": "SELECT, INSERT, UPDATE (published_at, publish_attempts)"}
IDEMPOTENCY = {"idempotency_keys": "SELECT, INSERT, UPDATE, DELETE"}
# An authenticated request re-reads the caller's state (docs/decisions/0005).
SIGNED_IN = {"accounts": "SELECT (id, name, role, state, email_verified)",
             "vendor_profiles": "SELECT (account_id, status)"}
CATALOG_READ = {table: "SELECT" for table in ("categories", "subcategories", "products",
                                              "product_images", "search_lexicon")}

GRANTS: dict[str, dict[str, str]] = {
    # Anonymous public reads of the catalog; of accounts, only a vendor's name and state.
    "bazaar_reader": {**CATALOG_READ, "accounts": "SELECT (id, name, state)"},
    # Registration (and its reconciler), sessions, email verification, password resets,
    # the caller's own profile. DELETE on accounts: a registration's compensation and the
    # reconciler remove a row still `registering` (its vendor profile cascades).
    "bazaar_identity": {
        "accounts": "SELECT, INSERT, UPDATE, DELETE",
        "vendor_profiles": "SELECT, INSERT, UPDATE",
        "rate_limit_counters": "SELECT, INSERT, UPDATE",
        **IDEMPOTENCY, **OUTBOX,
    },
    # Vendor review and account blocks; the audit log is append-only.
    "bazaar_admin": {
        "accounts": "SELECT, UPDATE (state, blocked_reason, updated_at)",
        "vendor_profiles": "SELECT, UPDATE (status, checklist, review_note, rejection_reason, "
                           "reviewed_by, reviewed_at)",
        "admin_actions": "INSERT",
        **IDEMPOTENCY, **OUTBOX,
    },
    # Vendors' products and images (listing, editing, unlisting, upload URLs, deletion).
    "bazaar_catalog": {
        **SIGNED_IN,
        "categories": "SELECT", "subcategories": "SELECT",
        "products": "SELECT, INSERT, UPDATE",
        "product_images": "SELECT, INSERT, UPDATE",
        "search_lexicon": "SELECT, INSERT",
        **IDEMPOTENCY, **OUTBOX,
    },
    # The image pipeline: indexing uploads, expiring the ones that never came.
    "bazaar_indexer": {
        "products": "SELECT, UPDATE (image_labels)",
        "product_images": "SELECT, UPDATE",
        "search_lexicon": "SELECT, INSERT",
        **OUTBOX,
    },
    # Event consumers: the inbox, and the account an event is about. UPDATE (updated_at)
    # only because the status sync reads the account under its row lock (FOR UPDATE).
    "bazaar_events": {
        "inbox_events": "SELECT, INSERT",
        "accounts": "SELECT, UPDATE (updated_at)",
        "vendor_profiles": "SELECT",
    },
    # The outbox sweep; forgetting expired idempotency keys and throttle windows.
    "bazaar_maintenance": {
        "outbox_events": "SELECT, UPDATE (published_at, publish_attempts)",
        "idempotency_keys": "SELECT, DELETE",
        "rate_limit_counters": "SELECT, DELETE",
    },
}
SEQUENCES = {"bazaar_admin": ("admin_actions_id_seq",)}
ROLES = tuple(GRANTS)


def _create_roles() -> str:
    """Roles belong to the cluster (another database may have made them): create once."""
    names = ", ".join(f"'{role}'" for role in ROLES)
    return f"""
DO $$ DECLARE name text; BEGIN
    FOREACH name IN ARRAY ARRAY[{names}] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', name);
        END IF;
    END LOOP;
END $$;
"""


def _revoke_all(role: str) -> str:
    return (f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};\n"
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role};\n")


def _grants() -> str:
    lines = []
    for role, tables in GRANTS.items():
        lines.append(_revoke_all(role))
        lines.extend(f"GRANT {privileges} ON {table} TO {role};"
                     for table, privileges in tables.items())
        lines.extend(f"GRANT USAGE ON SEQUENCE {sequence} TO {role};"
                     for sequence in SEQUENCES.get(role, ()))
    return "\n".join(lines)


# bazaar_app was granted everything, on every future table too (0001). Its grants go; the
# role goes unless another database of the cluster still grants it something.
RETIRE_BAZAAR_APP = """
DO $$ BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'bazaar_app') THEN
        REVOKE ALL ON ALL TABLES IN SCHEMA public FROM bazaar_app;
        REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM bazaar_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM bazaar_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM bazaar_app;
        BEGIN
            DROP ROLE bazaar_app;
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE NOTICE 'bazaar_app kept: another database still grants it privileges';
        END;
    END IF;
END $$;
"""

# 0001's bazaar_app, as it was.
RESTORE_BAZAAR_APP = """
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bazaar_app') THEN
        CREATE ROLE bazaar_app NOLOGIN;
    END IF;
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO bazaar_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO bazaar_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO bazaar_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO bazaar_app;
"""


def _drop_role(role: str) -> str:
    return f"""
DO $$ BEGIN
    DROP ROLE {role};
EXCEPTION WHEN dependent_objects_still_exist THEN
    RAISE NOTICE '{role} kept: another database still grants it privileges';
END $$;
"""


def upgrade() -> None:
    op.execute(_create_roles())
    op.execute(_grants())
    op.execute(RETIRE_BAZAAR_APP)


def downgrade() -> None:
    op.execute(RESTORE_BAZAAR_APP)
    for role in ROLES:
        op.execute(_revoke_all(role))
        op.execute(_drop_role(role))
