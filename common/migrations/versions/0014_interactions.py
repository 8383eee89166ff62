"""Interactions: per-pseudonym preference features and the device-to-account links of login
merges (docs/decisions/0022-interactions-and-preferences.md).

Everything here is keyed by pseudonyms (common/domain/pseudonyms.py: 32 hex characters),
never by raw account or device ids. Role `bazaar_interactions` serves record_interactions
(the signed-in caller's account columns, the rate limit counters), update_preferences and
record_purchase_features (the inbox, the facts of the products interacted with or bought,
its two tables).

Revision ID: 0014
Revises: 0013
"""

from alembic import op

from common.migrations.roles import create_roles, drop_roles, grant_exactly

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLES = """
-- Weights are as of updated_at (the latest interaction folded in); readers decay them.
CREATE TABLE user_features (
    pseudonym         text PRIMARY KEY CHECK (pseudonym ~ '^[0-9a-f]{32}$'),
    category_weights  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(category_weights) = 'object'),
    vendor_weights    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(vendor_weights) = 'object'),
    price_band        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(price_band) = 'object'),
    recent            jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(recent) = 'array'),
    bought            jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(bought) = 'array'),
    updated_at        timestamptz
);

-- A device's anonymous features were merged into this account's (once per pair).
CREATE TABLE device_links (
    device_pseudonym   text NOT NULL CHECK (device_pseudonym ~ '^[0-9a-f]{32}$'),
    account_pseudonym  text NOT NULL CHECK (account_pseudonym ~ '^[0-9a-f]{32}$'),
    linked_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_pseudonym, account_pseudonym)
);
"""

ROLE = "bazaar_interactions"
GRANTS = {
    "inbox_events": "SELECT, INSERT",
    "rate_limit_counters": "SELECT, INSERT, UPDATE",
    # An authenticated request re-reads the caller (docs/decisions/0005).
    "accounts": "SELECT (id, role, state, email_verified)",
    "vendor_profiles": "SELECT (account_id, status)",
    "products": "SELECT (id, vendor_id, category_id, subcategory_id, price_amount)",
    "order_lines": "SELECT (order_id, product_id)",
    "user_features": "SELECT, INSERT, UPDATE",
    "device_links": "SELECT, INSERT",
}

DOWNGRADE = "DROP TABLE device_links, user_features;"


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(create_roles([ROLE]))
    op.execute(grant_exactly(ROLE, GRANTS))


def downgrade() -> None:
    op.execute(DOWNGRADE)
    op.execute(drop_roles([ROLE]))
