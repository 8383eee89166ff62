"""k-anonymous analytics exports: the accumulated release (docs/decisions/0030).

`analytics_releases` lists each release (its object in the analytics bucket, its audit);
`analytics_release_rows` is the accumulated release: every source row ever released, with the
person it is counted under (a pseudonym, never exported) and its exported record. What waits
is read from the sources themselves: a source row within the wait window and not yet in
`analytics_release_rows`. Role `bazaar_analytics_export` (release_analytics_export) reads
`analytics_order_facts` (a view: an order's country, total, month and categories — never the
buyer's name or address), the anonymized `analytics_events`, and its two tables.

Revision ID: 0021
Revises: 0020
"""

from alembic import op

from common.migrations.roles import create_roles, drop_roles, grant_exactly

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLES = r"""
-- Recorded (with its rows) before its object is written; written_at once the object exists.
CREATE TABLE analytics_releases (
    id           text PRIMARY KEY CHECK (id ~ '^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$'),
    dataset      text NOT NULL CHECK (dataset IN ('orders', 'interactions')),
    object_path  text NOT NULL UNIQUE,
    row_count    integer NOT NULL CHECK (row_count > 0),
    waiting      integer NOT NULL CHECK (waiting >= 0),
    k            integer NOT NULL CHECK (k >= 1),
    l            integer NOT NULL CHECK (l >= 1),
    created_at   timestamptz NOT NULL,
    written_at   timestamptz
);
CREATE INDEX analytics_releases_unwritten ON analytics_releases (dataset, created_at)
    WHERE written_at IS NULL;

-- The accumulated release: a source row is released once (the primary key).
CREATE TABLE analytics_release_rows (
    dataset     text NOT NULL,
    source_id   text NOT NULL,
    release_id  text NOT NULL REFERENCES analytics_releases (id),
    person      text NOT NULL CHECK (person ~ '^[0-9a-f]{32}$'),
    record      jsonb NOT NULL CHECK (jsonb_typeof(record) = 'object'),
    PRIMARY KEY (dataset, source_id)
);
CREATE INDEX analytics_release_rows_by_release ON analytics_release_rows (release_id);

-- What an order export may read of a paid order: one row per order and category.
CREATE VIEW analytics_order_facts AS
SELECT DISTINCT o.id AS order_id, o.buyer_id, o.shipping_address ->> 'country' AS country,
       o.total_amount, o.created_at, p.category_id
FROM orders o
JOIN order_lines l ON l.order_id = o.id
JOIN products p ON p.id = l.product_id
WHERE o.paid_at IS NOT NULL;
"""

ROLE = "bazaar_analytics_export"
GRANTS = {
    "analytics_order_facts": "SELECT",
    "analytics_events": "SELECT (id, pseudonym, type, at_hour, country, device_class, "
                        "category_id)",
    "analytics_releases": "SELECT, INSERT, UPDATE (written_at)",
    "analytics_release_rows": "SELECT, INSERT",
}

DOWNGRADE = """
DROP VIEW analytics_order_facts;
DROP TABLE analytics_release_rows, analytics_releases;
"""


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(create_roles([ROLE]))
    op.execute(grant_exactly(ROLE, GRANTS))


def downgrade() -> None:
    op.execute(DOWNGRADE)
    op.execute(drop_roles([ROLE]))
