"""The fraud worker's own history: signals and decisions (edge_workers/fraud).

`fraud_signals` holds one row per observed event (an order screened, a declined payment, a
login, …) keyed by the event's id, counted in sliding windows by account, device and IP;
`fraud_decisions` the one decision per subject (an order id), so a retried or replayed
request is decided once. Role `bazaar_fraud` is the worker's: its two tables, the inbox of
its event door, the outbox (fraud.case_opened), fraud_cases (migration 0017) to open cases, and
the columns of accounts and orders that the features and deferred screening read.

Revision ID: 0018
Revises: 0017
"""

from alembic import op

from common.migrations.roles import create_roles, drop_roles, grant_exactly

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

KINDS = ("order", "decline", "registration", "login", "login_failed", "password_reset",
         "review", "chat", "payment")

TABLES = f"""
CREATE TABLE fraud_signals (
    id          bigserial PRIMARY KEY,
    event_id    text NOT NULL UNIQUE CHECK (length(event_id) BETWEEN 1 AND 200),
    kind        text NOT NULL CHECK (kind IN ({", ".join(f"'{k}'" for k in KINDS)})),
    at          timestamptz NOT NULL,
    account_id  text,
    device_id   text,
    ip          text,
    card        text,
    country     text,
    amount      bigint,
    subject     text,
    detail      jsonb NOT NULL DEFAULT '{{}}' CHECK (jsonb_typeof(detail) = 'object')
);
CREATE INDEX fraud_signals_by_account ON fraud_signals (account_id, at);
CREATE INDEX fraud_signals_by_device ON fraud_signals (device_id, at);
CREATE INDEX fraud_signals_by_ip ON fraud_signals (ip, at);
CREATE INDEX fraud_signals_by_kind ON fraud_signals (kind, at);
CREATE INDEX fraud_signals_by_subject ON fraud_signals (subject, at);

CREATE TABLE fraud_decisions (
    subject   text PRIMARY KEY CHECK (length(subject) BETWEEN 1 AND 200),
    decision  jsonb NOT NULL CHECK (jsonb_typeof(decision) = 'object'),
    at        timestamptz NOT NULL
);
"""

ROLE = "bazaar_fraud"
GRANTS = {
    "fraud_signals": "SELECT, INSERT",
    "fraud_decisions": "SELECT, INSERT",
    "inbox_events": "SELECT, INSERT",
    # fraud.case_opened, published right after commit (the relay marks it published).
    "outbox_events": "SELECT, INSERT, UPDATE (published_at, publish_attempts)",
    "fraud_cases": "SELECT, INSERT",
    # Account age, and whether the account may still act.
    "accounts": "SELECT (id, created_at, role, state)",
    # Deferred screening (order.placed, screening "deferred") reads the order itself.
    "orders": "SELECT (id, buyer_id, total_amount, currency, payment_method, shipping_address, "
              "created_at)",
}
SEQUENCES = ("fraud_signals_id_seq",)

DOWNGRADE = "DROP TABLE fraud_decisions, fraud_signals;"


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(create_roles([ROLE]))
    op.execute(grant_exactly(ROLE, GRANTS, SEQUENCES))


def downgrade() -> None:
    op.execute(DOWNGRADE)
    op.execute(drop_roles([ROLE]))
