"""Identity, vendor verification, outbox/inbox, idempotency keys, login throttling.

Revision ID: 0001
Revises:
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UPGRADE = """
CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE accounts (
    id              uuid PRIMARY KEY,
    email           citext NOT NULL UNIQUE CHECK (length(email) <= 254),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role            text NOT NULL CHECK (role IN ('customer', 'vendor', 'admin')),
    state           text NOT NULL CHECK (state IN ('registering', 'active', 'blocked')),
    email_verified  boolean NOT NULL DEFAULT false,
    blocked_reason  text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_registering ON accounts (created_at) WHERE state = 'registering';

CREATE TABLE vendor_profiles (
    account_id          uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    legal_name          text NOT NULL,
    registration_number text NOT NULL,
    country             char(2) NOT NULL,
    address             text NOT NULL,
    website             text,
    status              text NOT NULL
                        CHECK (status IN ('pending_verification', 'verified', 'rejected')),
    payment_methods     text[] NOT NULL DEFAULT ARRAY['card'],
    checklist           jsonb,
    review_note         text,
    rejection_reason    text,
    reviewed_by         uuid REFERENCES accounts (id),
    reviewed_at         timestamptz,
    CHECK (payment_methods <@ ARRAY['card', 'paypal', 'bank_transfer']
           AND cardinality(payment_methods) >= 1)
);
CREATE INDEX vendor_profiles_by_status ON vendor_profiles (status);

-- Who did what to whom, for admins' actions (never deleted).
CREATE TABLE admin_actions (
    id          bigserial PRIMARY KEY,
    admin_id    uuid NOT NULL REFERENCES accounts (id),
    action      text NOT NULL,
    target_id   uuid NOT NULL REFERENCES accounts (id),
    reason      text,
    at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outbox_events (
    id                uuid PRIMARY KEY,
    topic             text NOT NULL,
    type              text NOT NULL,
    payload           jsonb NOT NULL,
    occurred_at       timestamptz NOT NULL,
    published_at      timestamptz,
    publish_attempts  integer NOT NULL DEFAULT 0
);
CREATE INDEX outbox_unpublished ON outbox_events (occurred_at) WHERE published_at IS NULL;

CREATE TABLE inbox_events (
    consumer      text NOT NULL,
    event_id      uuid NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

CREATE TABLE idempotency_keys (
    caller            text NOT NULL,
    key               text NOT NULL,
    request_hash      text NOT NULL,
    response_status   integer,
    response_body     text,
    locked_until      timestamptz,
    expires_at        timestamptz NOT NULL,
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

CREATE TABLE rate_limit_counters (
    bucket        text NOT NULL,
    window_start  timestamptz NOT NULL,
    hits          integer NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

-- The functions' IAM database users are members of bazaar_app (granted at deploy time,
-- see docs/operations.md): data access, no DDL.
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

DOWNGRADE = """
DROP TABLE rate_limit_counters, idempotency_keys, inbox_events, outbox_events,
           admin_actions, vendor_profiles, accounts;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
