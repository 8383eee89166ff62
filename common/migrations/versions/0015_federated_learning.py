"""Federated learning: the published model versions and the device updates of each round
(docs/decisions/0024-federated-learning.md).

`fl_models` lists every immutable model object in the model bucket with the round that made
it: how many updates it averaged, its sampling rate and noise multiplier (the privacy
accountant composes these rows) and the (ε, δ) spent up to it. `fl_updates` holds one
update per device pseudonym per model version (float32 little-endian bytes, items × dim),
until the round that averages them; a second update of one device is refused by the key.

Role `bazaar_federated` serves get_fl_model, submit_fl_update and aggregate_fl_round: the
outbox, the account columns a signed-in request reads, its two tables, and what choosing
the model's items reads (listed products, promotions, paid order lines).

Revision ID: 0015
Revises: 0014
"""

from alembic import op

from common.migrations.roles import create_roles, drop_roles, grant_exactly

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE fl_models (
    version           integer PRIMARY KEY CHECK (version >= 1),
    object_path       text NOT NULL UNIQUE,
    dim               integer NOT NULL CHECK (dim BETWEEN 1 AND 256),
    items             integer NOT NULL CHECK (items >= 0),
    -- What devices train with (learning rate, regularization, local epochs, clip norm, …).
    hyper             jsonb NOT NULL,
    -- The round that produced this version (0 updates for the seeded version 1).
    round_updates     integer NOT NULL DEFAULT 0 CHECK (round_updates >= 0),
    sampling_rate     double precision NOT NULL DEFAULT 0
                      CHECK (sampling_rate BETWEEN 0 AND 1),
    noise_multiplier  double precision NOT NULL DEFAULT 0 CHECK (noise_multiplier >= 0),
    -- Privacy spent by all rounds up to this version (NULL: none yet, or no noise: no bound).
    epsilon           double precision,
    delta             double precision,
    created_at        timestamptz NOT NULL
);

CREATE TABLE fl_updates (
    model_version  integer NOT NULL REFERENCES fl_models (version),
    client         text NOT NULL CHECK (client ~ '^[0-9a-f]{32}$'),
    num_examples   integer NOT NULL CHECK (num_examples >= 1),
    "update"       bytea NOT NULL,
    norm           double precision NOT NULL CHECK (norm >= 0),
    received_at    timestamptz NOT NULL,
    PRIMARY KEY (model_version, client)
);
"""

ROLE = "bazaar_federated"
GRANTS = {
    "outbox_events": "SELECT, INSERT, UPDATE (published_at, publish_attempts)",
    "accounts": "SELECT (id, role, state, email_verified)",
    "vendor_profiles": "SELECT (account_id, status)",
    "products": "SELECT (id, status, created_at)",
    "promotions": "SELECT (product_id, status, ends_at)",
    "order_parts": "SELECT (id, status)",
    "order_lines": "SELECT (part_id, product_id, quantity)",
    "fl_models": "SELECT, INSERT",
    "fl_updates": "SELECT, INSERT, DELETE",
}

DOWNGRADE = "DROP TABLE fl_updates, fl_models;"


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(create_roles([ROLE]))
    op.execute(grant_exactly(ROLE, GRANTS))


def downgrade() -> None:
    op.execute(DOWNGRADE)
    op.execute(drop_roles([ROLE]))
