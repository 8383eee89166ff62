"""Refunds: what was given back of an order, line by line, and the commission returned.

A refund is `requested` in the transaction that decides it (the :refund or :cancel door),
then the payment saga (workflows/payment.yaml) executes it at the provider and records it
`succeeded` (or `failed` when the provider refuses) in one more transaction; what the order
lines hold as refunded changes only then. `idempotency_key` is the caller's key scoped to
the caller (or `cancel` for the buyer's one cancellation), unique per order: one effect per
key even past the generic idempotency store.

Role `bazaar_refunds` (cancel_order, refund_order, execute_refund, record_refund,
reconcile_refunds): reads orders, writes refunds, and changes orders, parts, lines and stock
only through column-level UPDATE grants; cancelling an unpaid order goes through the
purchase side's decision (reservation released exactly once), hence 0007's DECIDE columns.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

from common.migrations.roles import create_roles, drop_roles, grant_exactly

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ROLE = "bazaar_refunds"

TABLES = """
CREATE TABLE refunds (
    id                   uuid PRIMARY KEY,
    order_id             uuid NOT NULL REFERENCES orders (id),
    kind                 text NOT NULL CHECK (kind IN ('refund', 'cancel')),
    requested_by         uuid NOT NULL REFERENCES accounts (id),
    requester_role       text NOT NULL CHECK (requester_role IN ('admin', 'vendor', 'customer')),
    reason               text NOT NULL,
    amount               bigint NOT NULL CHECK (amount > 0),
    commission_returned  bigint NOT NULL CHECK (commission_returned >= 0),
    status               text NOT NULL DEFAULT 'requested'
                         CHECK (status IN ('requested', 'succeeded', 'failed')),
    provider_refund_ref  text UNIQUE,
    failure_reason       text,
    idempotency_key      text NOT NULL,
    execution_name       text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (order_id, idempotency_key)
);
CREATE INDEX refunds_by_order ON refunds (order_id, created_at);
-- The reconciler's work: refunds still requested, oldest first.
CREATE INDEX refunds_requested ON refunds (updated_at) WHERE status = 'requested';

CREATE TABLE refund_lines (
    refund_id            uuid NOT NULL REFERENCES refunds (id),
    line_id              uuid NOT NULL REFERENCES order_lines (id),
    part_id              uuid NOT NULL REFERENCES order_parts (id),
    quantity             integer NOT NULL CHECK (quantity > 0),
    amount               bigint NOT NULL CHECK (amount >= 0),
    commission_returned  bigint NOT NULL CHECK (commission_returned >= 0),
    PRIMARY KEY (refund_id, line_id)
);
CREATE INDEX refund_lines_by_line ON refund_lines (line_id);
"""

GRANTS = {
    # An authenticated request re-reads the caller (docs/decisions/0005).
    "accounts": "SELECT (id, name, role, state, email_verified)",
    "vendor_profiles": "SELECT (account_id, status, payment_methods)",
    "idempotency_keys": "SELECT, INSERT, UPDATE, DELETE",
    "outbox_events": "SELECT, INSERT, UPDATE (published_at, publish_attempts)",
    # Cancelling an unpaid order runs the purchase side's decision (0007's DECIDE:
    # fail_order, or complete_order when the payment won the race); a paid order's
    # cancellation and every recorded refund change only the status columns and the
    # lines' refunded quantity and amount.
    "orders": "SELECT, UPDATE (status, failure_reason, paid_at, updated_at, execution_name, "
              "claimed_until)",
    "order_parts": "SELECT, UPDATE (status)",
    "order_lines": "SELECT, UPDATE (refunded_quantity, refunded_amount)",
    "stock_reservations": "SELECT, UPDATE (status, released_at, release_reason)",
    "products": "SELECT, UPDATE (stock, updated_at)",
    "payments": "SELECT, UPDATE (provider_ref, status, amount_received, next_action, "
                "decline_code, callback_url, updated_at)",
    "payment_events": "SELECT, INSERT",
    "order_steps": "SELECT, INSERT",
    "refunds": "SELECT, INSERT, UPDATE (status, provider_refund_ref, failure_reason, "
               "execution_name, updated_at)",
    "refund_lines": "SELECT, INSERT",
}
SEQUENCES = ("payment_events_id_seq", "order_steps_id_seq")


def _grants() -> str:
    return "\n".join([create_roles([ROLE]), grant_exactly(ROLE, GRANTS, SEQUENCES)])


DOWNGRADE = f"""
DROP TABLE refund_lines, refunds;
{drop_roles([ROLE])}
"""


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(_grants())


def downgrade() -> None:
    op.execute(DOWNGRADE)
