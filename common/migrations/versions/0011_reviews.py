"""Reviews by buyers, their helpful votes and reports, and each product's rating summary.

`product_ratings` holds one row per reviewed product: how many visible reviews gave each
number of stars, changed only by atomic `stars_N = stars_N ± 1` statements in the
transaction that changes a review (docs/decisions/0018-reviews.md). Its count, total and
ranking score are generated columns: the score is the Bayesian average of
common/domain/reviews.py (PRIOR_MEAN, PRIOR_WEIGHT; a test keeps the two equal), which
search's `sort=rating` orders by. The never-written rating columns of `products` go.

Role `bazaar_reviews` (every review function): the reviews tables, the purchases that make
a buyer eligible (ids, statuses and quantities only), the product's vendor, the accounts
columns the door reads (name: the author's first name is shown), and the audit log
(INSERT) for admins hiding or restoring a review. The audit log's target may now be any
id (a review, a chat room), not only an account. Every role that reads products through
the catalog adapter reads their summary too.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

from common.migrations.roles import create_roles, drop_roles, grant_exactly

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ROLE = "bazaar_reviews"
# Equal to common/domain/reviews.py PRIOR_MEAN and PRIOR_WEIGHT (tests/integration/reviews).
PRIOR_MEAN, PRIOR_WEIGHT = 3.0, 5

TABLES = f"""
ALTER TABLE products DROP COLUMN rating_average, DROP COLUMN rating_count,
    DROP COLUMN rating_total;

CREATE TABLE product_ratings (
    product_id    uuid PRIMARY KEY REFERENCES products (id),
    stars_1       integer NOT NULL DEFAULT 0 CHECK (stars_1 >= 0),
    stars_2       integer NOT NULL DEFAULT 0 CHECK (stars_2 >= 0),
    stars_3       integer NOT NULL DEFAULT 0 CHECK (stars_3 >= 0),
    stars_4       integer NOT NULL DEFAULT 0 CHECK (stars_4 >= 0),
    stars_5       integer NOT NULL DEFAULT 0 CHECK (stars_5 >= 0),
    rating_count  integer GENERATED ALWAYS AS (
                      stars_1 + stars_2 + stars_3 + stars_4 + stars_5) STORED,
    rating_total  integer GENERATED ALWAYS AS (
                      stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5) STORED,
    score         double precision GENERATED ALWAYS AS (
                      ({PRIOR_WEIGHT} * {PRIOR_MEAN}::double precision
                       + stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5)
                      / ({PRIOR_WEIGHT} + stars_1 + stars_2 + stars_3 + stars_4 + stars_5)
                  ) STORED
);

CREATE TABLE reviews (
    id               uuid PRIMARY KEY,
    product_id       uuid NOT NULL REFERENCES products (id),
    author_id        uuid NOT NULL REFERENCES accounts (id),
    order_line_id    uuid NOT NULL REFERENCES order_lines (id),
    rating           smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title            text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 120),
    body             text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
    status           text NOT NULL DEFAULT 'visible' CHECK (status IN ('visible', 'hidden')),
    hidden_reason    text,
    helpful_count    integer NOT NULL DEFAULT 0 CHECK (helpful_count >= 0),
    report_count     integer NOT NULL DEFAULT 0 CHECK (report_count >= 0),
    reply_body       text CHECK (char_length(reply_body) BETWEEN 1 AND 5000),
    reply_author_id  uuid REFERENCES accounts (id),
    replied_at       timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    edited_at        timestamptz,
    UNIQUE (product_id, author_id),
    CHECK ((reply_body IS NULL) = (reply_author_id IS NULL)
           AND (reply_body IS NULL) = (replied_at IS NULL))
);
CREATE INDEX reviews_newest ON reviews (product_id, created_at DESC, id DESC)
    WHERE status = 'visible';
CREATE INDEX reviews_helpful ON reviews (product_id, helpful_count DESC, created_at DESC, id DESC)
    WHERE status = 'visible';
CREATE INDEX reviews_by_author ON reviews (author_id);

CREATE TABLE review_helpful_votes (
    review_id   uuid NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    voter_id    uuid NOT NULL REFERENCES accounts (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (review_id, voter_id)
);

CREATE TABLE review_reports (
    review_id    uuid NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    reporter_id  uuid NOT NULL REFERENCES accounts (id),
    reason       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (review_id, reporter_id)
);

-- An admin's action may be about a review or a chat room: any id, no longer an account's.
ALTER TABLE admin_actions DROP CONSTRAINT admin_actions_target_id_fkey;
"""

GRANTS = {
    # An authenticated request re-reads the caller (docs/decisions/0005); name: the author's.
    "accounts": "SELECT (id, name, role, state, email_verified)",
    "vendor_profiles": "SELECT (account_id, status, payment_methods)",
    "idempotency_keys": "SELECT, INSERT, UPDATE, DELETE",
    "outbox_events": "SELECT, INSERT, UPDATE (published_at, publish_attempts)",
    "admin_actions": "INSERT",
    # The product reviewed and its vendor; the purchase that makes the buyer eligible.
    "products": "SELECT (id, vendor_id, status)",
    "orders": "SELECT (id, buyer_id)",
    "order_parts": "SELECT (id, order_id, vendor_id, status)",
    "order_lines": "SELECT (id, order_id, part_id, product_id, quantity, refunded_quantity)",
    "reviews": "SELECT, INSERT, DELETE, UPDATE (rating, title, body, edited_at, status, "
               "hidden_reason, helpful_count, report_count, reply_body, reply_author_id, "
               "replied_at)",
    "product_ratings": "SELECT, INSERT, UPDATE (stars_1, stars_2, stars_3, stars_4, stars_5)",
    "review_helpful_votes": "SELECT, INSERT",
    "review_reports": "SELECT, INSERT",
}
SEQUENCES = ("admin_actions_id_seq",)
# The roles that read products through common/adapters/catalog.py or catalog_search.py.
PRODUCT_READERS = ("bazaar_reader", "bazaar_catalog", "bazaar_indexer", "bazaar_orders",
                   "bazaar_sagas", "bazaar_refunds")
READ_SUMMARIES = "\n".join(f"GRANT SELECT ON product_ratings TO {role};"
                           for role in PRODUCT_READERS)


def _grants() -> str:
    return "\n".join([create_roles([ROLE]), grant_exactly(ROLE, GRANTS, SEQUENCES),
                      READ_SUMMARIES])


DOWNGRADE = f"""
{drop_roles([ROLE])}
ALTER TABLE admin_actions DROP CONSTRAINT IF EXISTS admin_actions_target_id_fkey;
ALTER TABLE admin_actions ADD CONSTRAINT admin_actions_target_id_fkey
    FOREIGN KEY (target_id) REFERENCES accounts (id) NOT VALID;
DROP TABLE review_reports, review_helpful_votes, reviews, product_ratings;
ALTER TABLE products
    ADD COLUMN rating_count integer NOT NULL DEFAULT 0 CHECK (rating_count >= 0),
    ADD COLUMN rating_total integer NOT NULL DEFAULT 0 CHECK (rating_total >= 0),
    ADD COLUMN rating_average double precision GENERATED ALWAYS AS (
        CASE WHEN rating_count > 0 THEN rating_total::double precision / rating_count END) STORED;
CREATE INDEX products_rating ON products ((COALESCE(rating_average, -1)) DESC, id DESC)
    WHERE status = 'listed';
"""


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(_grants())


def downgrade() -> None:
    op.execute(DOWNGRADE)
