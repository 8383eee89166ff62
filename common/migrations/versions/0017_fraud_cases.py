"""Fraud cases, their resolutions (the labels) and the fraud-detector system account.

`fraud_cases` holds one row per (kind, subject): what the detector found (score, reasons,
model version, evidence) and the action taken; an admin's resolution (confirmed or
cleared) moves it out of `open` exactly once and stays on the row as the next training's
label (docs/decisions/0027-fraud-cases.md). The `fraud-detector` account (role admin,
no Firebase user: it cannot log in) is the admin of automatic blocks in the audit log.

Role `bazaar_fraud_cases` (act_on_fraud_case, settle_orders_of_blocked_customer,
list_fraud_cases, resolve_fraud_case): the cases, the admin block path (accounts' state,
the audit log), review moderation (hide, restore, the summary), and the order side a
resolution or a block settles through (held orders approved or rejected, unpaid orders
cancelled, paid ones refunded by the payment saga). `bazaar_orders` opens cases in the
order path (INSERT, and SELECT for ON CONFLICT … RETURNING).

Revision ID: 0017
Revises: 0016
"""

from alembic import op

from common.domain.fraud_cases import (
    FRAUD_DETECTOR_EMAIL,
    FRAUD_DETECTOR_ID,
    FRAUD_DETECTOR_NAME,
)
from common.migrations.roles import create_roles, drop_roles, grant_exactly

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

ROLE = "bazaar_fraud_cases"

TABLES = """
CREATE TABLE fraud_cases (
    id               uuid PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('order', 'registration', 'login', 'review',
                                                   'chat', 'payment')),
    subject_id       text NOT NULL CHECK (char_length(subject_id) BETWEEN 1 AND 200),
    account_id       uuid REFERENCES accounts (id),
    score            double precision NOT NULL CHECK (score BETWEEN 0 AND 1),
    model_version    text NOT NULL,
    reasons          jsonb NOT NULL DEFAULT '[]',
    evidence         jsonb NOT NULL DEFAULT '{}',
    action           text NOT NULL CHECK (action IN ('none', 'order_held', 'order_rejected',
                                                     'account_blocked', 'review_hidden')),
    status           text NOT NULL DEFAULT 'open'
                         CHECK (status IN ('open', 'confirmed', 'cleared')),
    created_at       timestamptz NOT NULL,
    resolved_at      timestamptz,
    resolved_by      uuid REFERENCES accounts (id),
    resolution_note  text CHECK (char_length(resolution_note) <= 500),
    UNIQUE (kind, subject_id),
    CHECK ((status = 'open') = (resolved_at IS NULL)
           AND (resolved_at IS NULL) = (resolved_by IS NULL))
);
-- The admin's list: newest first, optionally by status and kind (keyset on created_at, id).
CREATE INDEX fraud_cases_newest ON fraud_cases (created_at DESC, id DESC);
CREATE INDEX fraud_cases_by_status ON fraud_cases (status, created_at DESC, id DESC);
CREATE INDEX fraud_cases_by_account ON fraud_cases (account_id) WHERE account_id IS NOT NULL;
"""

SYSTEM_ACCOUNT = f"""
INSERT INTO accounts (id, email, name, role, state, email_verified)
VALUES ('{FRAUD_DETECTOR_ID}', '{FRAUD_DETECTOR_EMAIL}', '{FRAUD_DETECTOR_NAME}', 'admin',
        'active', true)
ON CONFLICT (id) DO NOTHING;
"""

GRANTS = {
    "fraud_cases": "SELECT, INSERT, UPDATE (status, resolved_at, resolved_by, resolution_note)",
    # The admin block path (common/services/account_blocking.py) and the door's re-read.
    "accounts": "SELECT, UPDATE (state, blocked_reason, updated_at)",
    "vendor_profiles": "SELECT",
    "admin_actions": "INSERT",
    "idempotency_keys": "SELECT, INSERT, UPDATE, DELETE",
    "outbox_events": "SELECT, INSERT, UPDATE (published_at, publish_attempts)",
    "inbox_events": "SELECT, INSERT",
    # Review moderation (common/services/review_moderation.py): hide, restore, the summary.
    "reviews": "SELECT, UPDATE (status, hidden_reason)",
    "product_ratings": "SELECT, INSERT, UPDATE (stars_1, stars_2, stars_3, stars_4, stars_5)",
    # The order side: held orders approved or rejected, unpaid ones cancelled (fail_order),
    # paid-unshipped parts refunded (the refund use case, then the payment saga).
    "orders": "SELECT, UPDATE (status, failure_reason, paid_at, updated_at, execution_name, "
              "claimed_until)",
    "order_parts": "SELECT, UPDATE (status)",
    "order_lines": "SELECT",
    "stock_reservations": "SELECT, UPDATE (status, released_at, release_reason)",
    "products": "SELECT (id, vendor_id, status, stock), UPDATE (stock, updated_at)",
    "payments": "SELECT, UPDATE (provider_ref, status, amount_received, next_action, "
                "decline_code, callback_url, updated_at)",
    "payment_events": "SELECT, INSERT",
    "order_steps": "SELECT, INSERT",
    "refunds": "SELECT, INSERT, UPDATE (execution_name, updated_at)",
    "refund_lines": "SELECT, INSERT",
}
SEQUENCES = ("admin_actions_id_seq", "payment_events_id_seq", "order_steps_id_seq")
# The order path opens a case for a held or rejected order (common/services/ordering.py).
ORDER_PATH = "GRANT SELECT, INSERT ON fraud_cases TO bazaar_orders;"


def _grants() -> str:
    return "\n".join([create_roles([ROLE]), grant_exactly(ROLE, GRANTS, SEQUENCES), ORDER_PATH])


DOWNGRADE = f"""
{drop_roles([ROLE])}
REVOKE ALL ON fraud_cases FROM bazaar_orders;
DROP TABLE fraud_cases;
-- The audit log is append-only: the system account stays if it ever acted.
DELETE FROM accounts WHERE id = '{FRAUD_DETECTOR_ID}'
    AND NOT EXISTS (SELECT FROM admin_actions WHERE admin_id = '{FRAUD_DETECTOR_ID}');
"""


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(SYSTEM_ACCOUNT)
    op.execute(_grants())


def downgrade() -> None:
    op.execute(DOWNGRADE)
