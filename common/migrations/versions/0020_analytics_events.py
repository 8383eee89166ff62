"""Anonymized analytics and interaction events, central store (docs/anonymization-policy.md).

Rows come only from the edge anonymizer's topics (`analytics`, `interactions`): a zone
pseudonym, the hour, the country, a device class, the product and allow-listed coarse
properties; no raw id, address, agent or exact time. Role `bazaar_analytics` serves
store_analytics_events (the inbox, its one table, INSERT only).

Revision ID: 0020
Revises: 0019
"""

from alembic import op

from common.migrations.roles import create_roles, drop_roles, grant_exactly

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE analytics_events (
    id           uuid PRIMARY KEY,
    pseudonym    text NOT NULL CHECK (pseudonym ~ '^[0-9a-f]{32}$'),
    zone         text NOT NULL CHECK (zone IN ('eu', 'americas', 'asia')),
    type         text NOT NULL CHECK (type ~ '^[a-z_]{1,40}$'),
    at_hour      timestamptz NOT NULL CHECK (at_hour = date_trunc('hour', at_hour)),
    country      text CHECK (country ~ '^[A-Z]{2}$'),
    device_class text CHECK (device_class IN ('mobile', 'tablet', 'desktop', 'bot', 'other')),
    product_id   uuid,
    category_id  text,
    properties   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(properties) = 'object'),
    received_at  timestamptz NOT NULL
);
CREATE INDEX analytics_events_at_hour ON analytics_events (at_hour);
CREATE INDEX analytics_events_pseudonym ON analytics_events (pseudonym, at_hour);
"""
ROLE = "bazaar_analytics"
GRANTS = {
    "inbox_events": "SELECT, INSERT",
    "analytics_events": "SELECT, INSERT",
}
DOWNGRADE = "DROP TABLE analytics_events;"
# 0014's grants of bazaar_interactions without those of record_interactions' door.
INTERACTIONS = "bazaar_interactions"
INTERACTIONS_BEFORE = {
    "inbox_events": "SELECT, INSERT",
    "rate_limit_counters": "SELECT, INSERT, UPDATE",
    "accounts": "SELECT (id, role, state, email_verified)",
    "vendor_profiles": "SELECT (account_id, status)",
    "products": "SELECT (id, vendor_id, category_id, subcategory_id, price_amount)",
    "order_lines": "SELECT (order_id, product_id)",
    "user_features": "SELECT, INSERT, UPDATE",
    "device_links": "SELECT, INSERT",
}
INTERACTIONS_NOW = {table: grant for table, grant in INTERACTIONS_BEFORE.items()
                    if table not in ("rate_limit_counters", "accounts", "vendor_profiles")}


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(create_roles([ROLE]))
    op.execute(grant_exactly(ROLE, GRANTS))
    op.execute(grant_exactly(INTERACTIONS, INTERACTIONS_NOW))


def downgrade() -> None:
    op.execute(grant_exactly(INTERACTIONS, INTERACTIONS_BEFORE))
    op.execute(DOWNGRADE)
    op.execute(drop_roles([ROLE]))
