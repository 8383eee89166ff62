"""Chat: what of a chat room lives in PostgreSQL — members' reports and the pending
away-member digests; the rooms and messages themselves are in Firestore
(docs/decisions/0019-chat-rooms-in-firestore.md).

Role `bazaar_chat` serves every chat function (the HTTP doors, the consumers that open rooms
and deliver messages, reports, the admin's audited read, the block mirror and the digests):
the inbox, the outbox, idempotency keys, the rate limit counters, the account columns a
signed-in request reads (with the name: rooms show it), a vendor's legal name, its own two
tables, and appending to the audit log.

An admin's read of a room is audited with the room id as `admin_actions.target_id` (a
32-hex id is a uuid; 0011 dropped that column's reference to `accounts`).

Revision ID: 0012
Revises: 0011
"""

from alembic import op

from common.migrations.roles import create_roles, drop_roles, grant_exactly

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = """
-- A member's report of a room (once per member; the room id is Firestore's document id).
CREATE TABLE chat_reports (
    room_id      text NOT NULL CHECK (room_id ~ '^[0-9a-f]{32}$'),
    reporter_id  uuid NOT NULL REFERENCES accounts (id),
    reason       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, reporter_id)
);

-- Messages a recipient has not been mailed about yet, per room: one row per pair, upserted
-- by each message, cleared by the digest that mails them.
CREATE TABLE chat_digests (
    room_id          text NOT NULL CHECK (room_id ~ '^[0-9a-f]{32}$'),
    recipient_id     uuid NOT NULL REFERENCES accounts (id),
    pending_since    timestamptz NOT NULL,
    last_message_at  timestamptz NOT NULL,
    pending_count    integer NOT NULL CHECK (pending_count > 0),
    PRIMARY KEY (room_id, recipient_id)
);
CREATE INDEX chat_digests_due ON chat_digests (pending_since);
"""

ROLE = "bazaar_chat"
GRANTS = {
    "inbox_events": "SELECT, INSERT",
    "outbox_events": "SELECT, INSERT, UPDATE (published_at, publish_attempts)",
    "idempotency_keys": "SELECT, INSERT, UPDATE, DELETE",
    "rate_limit_counters": "SELECT, INSERT, UPDATE",
    "accounts": "SELECT (id, name, role, state, email_verified)",
    "vendor_profiles": "SELECT (account_id, status, legal_name)",
    "chat_reports": "SELECT, INSERT",
    "chat_digests": "SELECT, INSERT, UPDATE, DELETE",
    "admin_actions": "INSERT",
}
SEQUENCES = ("admin_actions_id_seq",)

DOWNGRADE = "DROP TABLE chat_digests, chat_reports;"


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(create_roles([ROLE]))
    op.execute(grant_exactly(ROLE, GRANTS, SEQUENCES))


def downgrade() -> None:
    op.execute(DOWNGRADE)
    op.execute(drop_roles([ROLE]))
