"""Promotions: what a vendor pays to have a product shown in the promoted feed, and the
vendor's card saved for paying them (docs/decisions/0021-promotions.md).

A promotion runs whole days, [starts_at, ends_at); no two scheduled or active promotions of
one product overlap (an exclusion constraint, btree_gist). Its fee is paid from the vendor's
payable balance (a ledger journal from `vendor_promotions`, per part not yet transferred) or
charged off-session to the saved card (cash in `promotion_card_funds`); either way it is
platform revenue in `platform_promotions`, and a refund is the opposite journal.

Role `bazaar_promotions` serves every promotion function (quote, promote, cancel, the card
setup, the lifecycle job and the unlist/block consumers): inbox, outbox, idempotency keys,
the account columns a signed-in request reads, products' columns a promotion checks, its
own two tables, the ledger (write), and the vendor's unsent transfers (locked while a fee
is taken from them: FOR UPDATE needs an UPDATE privilege, here on `updated_at` only).

Revision ID: 0013
Revises: 0012
"""

from alembic import op

from common.migrations.roles import create_roles, drop_roles, grant_exactly

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

OLD_ACCOUNTS = ("customer_funds", "platform_commission", "vendor_sales", "vendor_commission",
                "vendor_refunds", "vendor_transferred")
OLD_PLATFORM = ("customer_funds", "platform_commission")
NEW_PLATFORM = ("platform_promotions", "promotion_card_funds")
NEW_VENDOR = ("vendor_promotions",)
OLD_KINDS = ("sale", "refund", "transfer", "reversal")
NEW_KINDS = ("promotion_fee", "promotion_refund")


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _ledger_checks(accounts: tuple[str, ...], platform: tuple[str, ...],
                   kinds: tuple[str, ...]) -> str:
    """The ledger's CHECKs on kinds and accounts (names as PostgreSQL gave them in 0008)."""
    return f"""
ALTER TABLE ledger_journals DROP CONSTRAINT ledger_journals_kind_check,
    ADD CONSTRAINT ledger_journals_kind_check CHECK (kind IN ({_quoted(kinds)}));
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_account_check,
    ADD CONSTRAINT ledger_entries_account_check CHECK (account IN ({_quoted(accounts)})),
    DROP CONSTRAINT ledger_entries_check,
    ADD CONSTRAINT ledger_entries_check
        CHECK ((account IN ({_quoted(platform)})) = (vendor_id IS NULL));
"""


TABLES = """
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE promotions (
    id               uuid PRIMARY KEY,
    product_id       uuid NOT NULL REFERENCES products (id),
    vendor_id        uuid NOT NULL REFERENCES accounts (id),
    status           text NOT NULL CHECK (status IN ('scheduled', 'active', 'ended',
                                                     'cancelled')),
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz NOT NULL,
    days             integer NOT NULL CHECK (days > 0),
    daily_rate       bigint NOT NULL CHECK (daily_rate > 0),
    fee_amount       bigint NOT NULL CHECK (fee_amount = daily_rate * days),
    currency         text NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR'),
    paid_with        text NOT NULL CHECK (paid_with IN ('balance', 'card')),
    payment_ref      text,
    refunded_amount  bigint NOT NULL DEFAULT 0 CHECK (refunded_amount BETWEEN 0 AND fee_amount),
    -- A card refund owed is sent after the commit; its provider ref once it was made.
    refund_ref       text,
    idempotency_key  text NOT NULL,
    request_hash     text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    ended_at         timestamptz,
    end_reason       text,
    CHECK (ends_at = starts_at + make_interval(days => days)),
    CHECK ((paid_with = 'card') = (payment_ref IS NOT NULL)),
    UNIQUE (vendor_id, idempotency_key),
    EXCLUDE USING gist (product_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
        WHERE (status IN ('scheduled', 'active'))
);
CREATE INDEX promotions_by_vendor ON promotions (vendor_id, created_at DESC);
CREATE INDEX promotions_due ON promotions (status, starts_at)
    WHERE status IN ('scheduled', 'active');
CREATE INDEX promotions_card_refunds_owed ON promotions (id)
    WHERE paid_with = 'card' AND refunded_amount > 0 AND refund_ref IS NULL;

-- A vendor's card saved for promotion fees (a SetupIntent at the provider).
CREATE TABLE vendor_payment_cards (
    vendor_id              uuid PRIMARY KEY REFERENCES accounts (id),
    provider_customer_ref  text NOT NULL,
    payment_method_ref     text NOT NULL,
    setup_ref              text NOT NULL,
    status                 text NOT NULL CHECK (status IN ('ready', 'requires_action')),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
"""

ROLE = "bazaar_promotions"
GRANTS = {
    "inbox_events": "SELECT, INSERT",
    "outbox_events": "SELECT, INSERT, UPDATE (published_at, publish_attempts)",
    "idempotency_keys": "SELECT, INSERT, UPDATE, DELETE",
    "accounts": "SELECT (id, name, role, state, email_verified)",
    "vendor_profiles": "SELECT (account_id, status)",
    "products": "SELECT (id, vendor_id, category_id, status, name)",
    "promotions": "SELECT, INSERT, UPDATE (status, refunded_amount, refund_ref, ended_at, "
                  "end_reason)",
    "vendor_payment_cards": "SELECT, INSERT, UPDATE",
    "ledger_journals": "SELECT, INSERT",
    "ledger_entries": "SELECT, INSERT",
    "vendor_transfers": "SELECT (part_id, order_id, vendor_id, amount, status, "
                        "provider_transfer_ref, amount_reversed, sent_at), UPDATE (updated_at)",
}
SEQUENCES = ("ledger_entries_id_seq",)

DOWNGRADE = "DROP TABLE vendor_payment_cards, promotions;"


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(_ledger_checks(OLD_ACCOUNTS + NEW_PLATFORM + NEW_VENDOR,
                              OLD_PLATFORM + NEW_PLATFORM, OLD_KINDS + NEW_KINDS))
    op.execute(create_roles([ROLE]))
    op.execute(grant_exactly(ROLE, GRANTS, SEQUENCES))


def downgrade() -> None:
    op.execute(DOWNGRADE)
    op.execute("DELETE FROM ledger_entries WHERE account IN ('platform_promotions', "
               "'promotion_card_funds', 'vendor_promotions')")
    op.execute("DELETE FROM ledger_journals WHERE kind IN ('promotion_fee', 'promotion_refund')")
    op.execute(_ledger_checks(OLD_ACCOUNTS, OLD_PLATFORM, OLD_KINDS))
    op.execute(drop_roles([ROLE]))
