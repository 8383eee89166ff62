"""Orders: parts per vendor, lines with frozen prices and commission, stock reservations,
payments with their append-only events, the steps of each order, buyers' provider customers.

Roles (docs/operations.md, "Database roles"): `bazaar_orders` places and reads orders
(the order doors), `bazaar_sagas` completes and compensates them (the purchase saga's
steps, the expiry sweep, the reconciler); `bazaar_payments` (the webhook door, 0006) now
also records what the provider says about a payment we know and marks its inbox rows.
Status columns change only through column-level UPDATE grants.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

from common.migrations.roles import create_roles, drop_roles, grant_exactly

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE orders (
    id                      uuid PRIMARY KEY,
    buyer_id                uuid NOT NULL REFERENCES accounts (id),
    status                  text NOT NULL CHECK (status IN ('pending_payment', 'paid', 'shipped',
                                'delivered', 'payment_failed', 'cancelled', 'refunded')),
    currency                text NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR'),
    total_amount            bigint NOT NULL CHECK (total_amount > 0),
    payment_method          text NOT NULL
                            CHECK (payment_method IN ('card', 'paypal', 'bank_transfer')),
    shipping_address        jsonb NOT NULL,
    idempotency_key         text NOT NULL,
    request_hash            text NOT NULL,
    execution_name          text,
    reservation_expires_at  timestamptz NOT NULL,
    failure_reason          text,
    -- A sweep or the reconciler works on the order outside a transaction until then.
    claimed_until           timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    paid_at                 timestamptz,
    UNIQUE (buyer_id, idempotency_key)
);
CREATE INDEX orders_by_buyer ON orders (buyer_id, created_at DESC, id DESC);
CREATE INDEX orders_newest ON orders (created_at DESC, id DESC);
CREATE INDEX orders_pending ON orders (reservation_expires_at) WHERE status = 'pending_payment';

CREATE TABLE order_parts (
    id                 uuid PRIMARY KEY,
    order_id           uuid NOT NULL REFERENCES orders (id),
    vendor_id          uuid NOT NULL REFERENCES accounts (id),
    status             text NOT NULL CHECK (status IN ('pending_payment', 'paid', 'shipped',
                           'delivered', 'cancelled', 'refunded')),
    subtotal_amount    bigint NOT NULL CHECK (subtotal_amount > 0),
    commission_amount  bigint NOT NULL CHECK (commission_amount >= 0),
    tracking           text,
    shipped_at         timestamptz,
    delivered_at       timestamptz,
    UNIQUE (order_id, vendor_id)
);
CREATE INDEX order_parts_by_vendor ON order_parts (vendor_id, order_id);

CREATE TABLE order_lines (
    id                 uuid PRIMARY KEY,
    order_id           uuid NOT NULL REFERENCES orders (id),
    part_id            uuid NOT NULL REFERENCES order_parts (id),
    product_id         uuid NOT NULL REFERENCES products (id),
    product_name       text NOT NULL,
    quantity           integer NOT NULL CHECK (quantity > 0),
    unit_price_amount  bigint NOT NULL CHECK (unit_price_amount > 0),
    line_amount        bigint NOT NULL CHECK (line_amount = unit_price_amount * quantity),
    commission_rate_bp integer NOT NULL CHECK (commission_rate_bp BETWEEN 0 AND 10000),
    commission_amount  bigint NOT NULL CHECK (commission_amount BETWEEN 0 AND line_amount),
    refunded_quantity  integer NOT NULL DEFAULT 0
                       CHECK (refunded_quantity BETWEEN 0 AND quantity),
    refunded_amount    bigint NOT NULL DEFAULT 0 CHECK (refunded_amount BETWEEN 0 AND line_amount),
    UNIQUE (order_id, product_id)
);
CREATE INDEX order_lines_by_part ON order_lines (part_id);

CREATE TABLE stock_reservations (
    order_id        uuid PRIMARY KEY REFERENCES orders (id),
    status          text NOT NULL CHECK (status IN ('held', 'committed', 'released')),
    expires_at      timestamptz NOT NULL,
    released_at     timestamptz,
    release_reason  text,
    CHECK ((status = 'released') = (released_at IS NOT NULL))
);

CREATE TABLE payments (
    id                 uuid PRIMARY KEY,
    order_id           uuid NOT NULL UNIQUE REFERENCES orders (id),
    provider           text NOT NULL,
    provider_ref       text UNIQUE,
    method             text NOT NULL CHECK (method IN ('card', 'paypal', 'bank_transfer')),
    amount             bigint NOT NULL CHECK (amount > 0),
    -- 'creating' until the provider answered; then the provider's state, never backwards.
    status             text NOT NULL CHECK (status IN ('creating', 'requires_action',
                           'processing', 'authorized', 'succeeded', 'failed', 'canceled')),
    amount_received    bigint NOT NULL DEFAULT 0 CHECK (amount_received >= 0),
    next_action        jsonb,
    decline_code       text,
    -- What the provider needs to start it again after a crash (no card data: a token id).
    payment_method_token text,
    return_url         text,
    callback_url       text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE payment_events (
    id                 bigserial PRIMARY KEY,
    payment_id         uuid NOT NULL REFERENCES payments (id),
    kind               text NOT NULL,
    amount             bigint,
    provider_event_id  text UNIQUE,
    detail             jsonb NOT NULL DEFAULT '{}'::jsonb,
    occurred_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_events_by_payment ON payment_events (payment_id, id);

CREATE TABLE order_steps (
    id        bigserial PRIMARY KEY,
    order_id  uuid NOT NULL REFERENCES orders (id),
    part_id   uuid REFERENCES order_parts (id),
    step      text NOT NULL,
    detail    jsonb NOT NULL DEFAULT '{}'::jsonb,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_steps_by_order ON order_steps (order_id, id);

-- A buyer's customer at the payment provider (bank transfers credit its cash balance).
CREATE TABLE customer_payment_profiles (
    account_id             uuid PRIMARY KEY REFERENCES accounts (id),
    provider_customer_ref  text NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now()
);
"""

OUTBOX = {"outbox_events": "SELECT, INSERT, UPDATE (published_at, publish_attempts)"}
SIGNED_IN = {"accounts": "SELECT (id, name, role, state, email_verified)",
             "vendor_profiles": "SELECT (account_id, status, payment_methods)"}
ORDER_STATUS = "UPDATE (status, failure_reason, paid_at, updated_at, execution_name)"
# What completing or failing an order writes (placement compensates a decline through it too).
DECIDE = {
    "orders": f"SELECT, {ORDER_STATUS[:-1]}, claimed_until)",
    "order_parts": "SELECT, UPDATE (status)",
    "order_lines": "SELECT",
    "stock_reservations": "SELECT, UPDATE (status, released_at, release_reason)",
    "products": "SELECT, UPDATE (stock, updated_at)",
    "payments": "SELECT, UPDATE (provider_ref, status, amount_received, next_action, "
                "decline_code, callback_url, updated_at)",
    "payment_events": "SELECT, INSERT",
    "order_steps": "SELECT, INSERT",
    **OUTBOX,
}
GRANTS: dict[str, dict[str, str]] = {
    "bazaar_orders": {
        **SIGNED_IN, **DECIDE,
        "orders": f"SELECT, INSERT, {ORDER_STATUS}",
        "order_parts": "SELECT, INSERT, UPDATE (status)",
        "order_lines": "SELECT, INSERT",
        "stock_reservations": "SELECT, INSERT, UPDATE (status, released_at, release_reason)",
        "payments": "SELECT, INSERT, UPDATE (provider_ref, status, amount_received, "
                    "next_action, decline_code, callback_url, updated_at)",
        "customer_payment_profiles": "SELECT, INSERT",
    },
    "bazaar_sagas": DECIDE,
}
SEQUENCES = {role: ("payment_events_id_seq", "order_steps_id_seq") for role in GRANTS}
# The webhook door: what the provider said about a payment, and its inbox rows processed.
PAYMENTS_GRANTS = {
    "provider_events": "UPDATE (processed_at)",
    "orders": "SELECT (id, status)",
    "payments": "SELECT, UPDATE (provider_ref, status, amount_received, next_action, "
                "decline_code, updated_at)",
    "payment_events": "SELECT, INSERT",
}


def _grants() -> str:
    lines = [grant_exactly(role, tables, SEQUENCES[role]) for role, tables in GRANTS.items()]
    lines.extend(f"GRANT {privileges} ON {table} TO bazaar_payments;"
                 for table, privileges in PAYMENTS_GRANTS.items())
    lines.append("GRANT USAGE ON SEQUENCE payment_events_id_seq TO bazaar_payments;")
    return "\n".join(lines)


DOWNGRADE = """
REVOKE ALL ON provider_events FROM bazaar_payments;
GRANT SELECT, INSERT ON provider_events TO bazaar_payments;
DROP TABLE customer_payment_profiles, order_steps, payment_events, payments,
           stock_reservations, order_lines, order_parts, orders;
"""


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(create_roles(GRANTS))
    op.execute(_grants())


def downgrade() -> None:
    op.execute(DOWNGRADE)
    op.execute(drop_roles(GRANTS))
