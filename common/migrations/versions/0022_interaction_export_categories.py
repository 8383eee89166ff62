"""The interactions export reads the category of a viewed product.

Interaction rows arrive from the anonymizer without a category (a client names the product
only), so the export took every one as category "unknown": every class had one category
(l = 1) and waited until it was dropped. `bazaar_analytics_export` now reads an event's product,
and that product's category, to fill it in (docs/decisions/0030-k-anonymous-exports.md).

Revision ID: 0022
Revises: 0021
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("GRANT SELECT (id, category_id) ON products TO bazaar_analytics_export")
    op.execute("GRANT SELECT (product_id) ON analytics_events TO bazaar_analytics_export")


def downgrade() -> None:
    op.execute("REVOKE SELECT (product_id) ON analytics_events FROM bazaar_analytics_export")
    op.execute("REVOKE SELECT (id, category_id) ON products FROM bazaar_analytics_export")
