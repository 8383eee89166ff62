"""Orders held for a fraud review (pending_review).

An order the fraud worker sends to review keeps its stock (and a card its authorization)
until an admin approves or rejects it, at most until `review_until` (FRAUD_REVIEW_MAX_S);
docs/decisions/0026-orders-held-for-fraud-review.md. `bazaar_orders` (placement),
`bazaar_sagas` (the expiry sweep) and `bazaar_fraud_cases` (an admin's resolution approves or
rejects the held order, 0017) may move the reservation's expiry; the resolution, which starts
an approved bank transfer, also makes the buyer's provider customer.

Revision ID: 0019
Revises: 0018
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

ORDER_STATUSES = ("'pending_review', 'pending_payment', 'paid', 'shipped', 'delivered', "
                  "'payment_failed', 'cancelled', 'refunded'")
PART_STATUSES = ("'pending_review', 'pending_payment', 'paid', 'shipped', 'delivered', "
                 "'cancelled', 'refunded'")
ROLES = ("bazaar_orders", "bazaar_sagas", "bazaar_fraud_cases")

UPGRADE = f"""
ALTER TABLE orders ADD COLUMN review_until timestamptz;
ALTER TABLE orders DROP CONSTRAINT orders_status_check,
    ADD CONSTRAINT orders_status_check CHECK (status IN ({ORDER_STATUSES})),
    ADD CONSTRAINT orders_review_until_check
        CHECK (status <> 'pending_review' OR review_until IS NOT NULL);
ALTER TABLE order_parts DROP CONSTRAINT order_parts_status_check,
    ADD CONSTRAINT order_parts_status_check CHECK (status IN ({PART_STATUSES}));
CREATE INDEX orders_in_review ON orders (review_until) WHERE status = 'pending_review';
""" + "\n".join(f"""
GRANT UPDATE (reservation_expires_at, review_until) ON orders TO {role};
GRANT UPDATE (expires_at) ON stock_reservations TO {role};""" for role in ROLES) + """
GRANT SELECT, INSERT ON customer_payment_profiles TO bazaar_fraud_cases;
"""

DOWNGRADE = """
REVOKE ALL ON customer_payment_profiles FROM bazaar_fraud_cases;
""" + "\n".join(f"""
REVOKE UPDATE (reservation_expires_at, review_until) ON orders FROM {role};
REVOKE UPDATE (expires_at) ON stock_reservations FROM {role};""" for role in ROLES) + """
DROP INDEX orders_in_review;
ALTER TABLE order_parts DROP CONSTRAINT order_parts_status_check,
    ADD CONSTRAINT order_parts_status_check CHECK (status IN ('pending_payment', 'paid',
        'shipped', 'delivered', 'cancelled', 'refunded'));
ALTER TABLE orders DROP CONSTRAINT orders_review_until_check,
    DROP CONSTRAINT orders_status_check,
    ADD CONSTRAINT orders_status_check CHECK (status IN ('pending_payment', 'paid', 'shipped',
        'delivered', 'payment_failed', 'cancelled', 'refunded'));
ALTER TABLE orders DROP COLUMN review_until;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
