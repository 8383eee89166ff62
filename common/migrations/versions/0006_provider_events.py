"""The payment provider's inbox: each signed webhook event recorded once, before anything
reacts to it (docs/decisions/0012-payment-provider-port.md).

The webhook door (functions/receive_stripe_webhook) logs in as `bazaar_payments`, which
may only add events and read them back (INSERT … ON CONFLICT DO NOTHING RETURNING needs
SELECT). Whoever reacts to the events (the orders issue: rows whose `processed_at` is
null) gets its own role and grant, including UPDATE (processed_at) only.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ROLE = "bazaar_payments"

UPGRADE = f"""
CREATE TABLE provider_events (
    provider        text NOT NULL,
    event_id        text NOT NULL,
    type            text NOT NULL,          -- ours (domain.payments.ProviderEventType)
    provider_type   text NOT NULL,          -- the provider's, e.g. payment_intent.succeeded
    object_ref      text,                   -- the provider object the event is about
    payment_ref     text,                   -- the provider payment it concerns
    order_id        text,                   -- ours, from metadata or the transfer group
    refs            jsonb NOT NULL DEFAULT '{{}}'::jsonb,  -- our ids from metadata
    amount          bigint,                 -- minor units, as the object says
    amount_received bigint,
    amount_refunded bigint,
    amount_reversed bigint,
    amount_remaining bigint,
    currency        text,
    occurred_at     timestamptz NOT NULL,   -- the event's `created`
    payload         jsonb NOT NULL,         -- the event as signed (personal data: never logged)
    received_at     timestamptz NOT NULL DEFAULT now(),
    processed_at    timestamptz,
    PRIMARY KEY (provider, event_id)
);

-- What the reacting side reads: events not yet processed, oldest first; an order's events.
CREATE INDEX provider_events_unprocessed ON provider_events (received_at)
    WHERE processed_at IS NULL;
CREATE INDEX provider_events_order ON provider_events (order_id, occurred_at)
    WHERE order_id IS NOT NULL;

DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN
        CREATE ROLE {ROLE} NOLOGIN;
    END IF;
END $$;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {ROLE};
GRANT SELECT, INSERT ON provider_events TO {ROLE};
"""

DOWNGRADE = f"""
DROP TABLE provider_events;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {ROLE};
DO $$ BEGIN
    DROP ROLE {ROLE};
EXCEPTION WHEN dependent_objects_still_exist THEN
    RAISE NOTICE '{ROLE} kept: another database still grants it privileges';
END $$;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
