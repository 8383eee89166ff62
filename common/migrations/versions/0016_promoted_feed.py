"""The promoted feed: impressions and clicks per promotion and day
(docs/decisions/0023-promoted-feed.md).

`promotion_stats` is written only with atomic increments (INSERT … ON CONFLICT DO UPDATE
SET n = n + excluded.n), by the consumers of feed.served (impressions) and of
interactions.received (clicks on a product during its active promotion).

Role `bazaar_feed` serves GET /v1/feed/promoted and both counters: the inbox, the account
columns a signed-in request reads, what a feed item shows of a listed product (its vendor's
name, category names, ratings, first ready image), active promotions, the preference
features and device links of P2 (0014), the model versions of P4 (0015), and its own table.
`bazaar_promotions` (0013) reads the counters for a vendor's list of promotions.

Revision ID: 0016
Revises: 0015
"""

from alembic import op

from common.migrations.roles import create_roles, drop_roles, grant_exactly

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE promotion_stats (
    promotion_id  uuid NOT NULL REFERENCES promotions (id),
    day           date NOT NULL,
    impressions   bigint NOT NULL DEFAULT 0 CHECK (impressions >= 0),
    clicks        bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
    PRIMARY KEY (promotion_id, day)
);
"""

ROLE = "bazaar_feed"
GRANTS = {
    "inbox_events": "SELECT, INSERT",
    "accounts": "SELECT (id, name, role, state, email_verified)",
    "vendor_profiles": "SELECT (account_id, status)",
    "products": "SELECT (id, vendor_id, name, price_amount, currency, category_id, "
                "subcategory_id, stock, status, created_at)",
    "categories": "SELECT",
    "subcategories": "SELECT",
    "product_ratings": "SELECT",
    "product_images": "SELECT (id, product_id, status, renditions, created_at)",
    "promotions": "SELECT (id, product_id, vendor_id, status, starts_at, ends_at, ended_at)",
    "promotion_stats": "SELECT, INSERT, UPDATE (impressions, clicks)",
    "user_features": "SELECT",
    "device_links": "SELECT",
    "fl_models": "SELECT",
}
READERS = "GRANT SELECT ON promotion_stats TO bazaar_promotions;"

DOWNGRADE = "DROP TABLE promotion_stats;"


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(create_roles([ROLE]))
    op.execute(grant_exactly(ROLE, GRANTS))
    op.execute(READERS)


def downgrade() -> None:
    op.execute(DOWNGRADE)
    op.execute(drop_roles([ROLE]))
