"""The double-entry ledger, vendors' connected accounts, and transfers to vendors.

`ledger_journals` / `ledger_entries` are append-only (no role but the owner may UPDATE or
DELETE them) and double-entry: a deferred constraint trigger refuses, at commit, a journal
whose entries do not sum to zero or that has fewer than two. A journal's idempotency key
makes each posting happen once (`INSERT … ON CONFLICT DO NOTHING`).
`vendor_transfers` holds one row per paid part: `held` until delivery, `pending` while
owed, `made` once at the vendor's connected account, then `reversed`/`partially_reversed`
(or `cancelled` when nothing was left to transfer); `vendor_transfer_reversals` one row per
refund and part whose transfer must be taken back
(docs/decisions/0015-ledger-commission-and-payouts.md).

Roles: `bazaar_ledger` posts journals and moves vendors' money (post_sale, post_refund,
transfer_to_vendor, pay_out_vendors); `bazaar_vendor_accounts` opens connected accounts
and onboarding links; `bazaar_balances` only reads a vendor's balance; `bazaar_fulfilment`
ships and delivers parts.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

from common.migrations.roles import create_roles, drop_roles, grant_exactly

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ACCOUNTS = ("customer_funds", "platform_commission", "vendor_sales", "vendor_commission",
            "vendor_refunds", "vendor_transferred")
PLATFORM_ACCOUNTS = ("customer_funds", "platform_commission")


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(f"'{name}'" for name in names)


TABLES = f"""
CREATE TABLE ledger_journals (
    id               uuid PRIMARY KEY,
    idempotency_key  text NOT NULL UNIQUE,
    kind             text NOT NULL CHECK (kind IN ('sale', 'refund', 'transfer', 'reversal')),
    order_id         uuid REFERENCES orders (id),
    vendor_id        uuid REFERENCES accounts (id),
    occurred_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ledger_entries (
    id          bigserial PRIMARY KEY,
    journal_id  uuid NOT NULL REFERENCES ledger_journals (id),
    account     text NOT NULL CHECK (account IN ({_quoted(ACCOUNTS)})),
    vendor_id   uuid REFERENCES accounts (id),
    order_id    uuid REFERENCES orders (id),
    part_id     uuid REFERENCES order_parts (id),
    amount      bigint NOT NULL CHECK (amount <> 0),   -- > 0 debit, < 0 credit
    currency    text NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR'),
    CHECK ((account IN ({_quoted(PLATFORM_ACCOUNTS)})) = (vendor_id IS NULL))
);
CREATE INDEX ledger_entries_by_journal ON ledger_entries (journal_id);
CREATE INDEX ledger_entries_by_vendor ON ledger_entries (vendor_id, account)
    WHERE vendor_id IS NOT NULL;
CREATE INDEX ledger_entries_by_part ON ledger_entries (part_id) WHERE part_id IS NOT NULL;

-- At commit: every journal touched balances and has at least two entries (the trigger's
-- argument names the column holding the journal's id).
CREATE FUNCTION ledger_journal_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    journal uuid := (to_jsonb(NEW) ->> TG_ARGV[0])::uuid;
    total numeric;
    entries bigint;
BEGIN
    SELECT coalesce(sum(amount), 0), count(*) INTO total, entries
        FROM ledger_entries WHERE journal_id = journal;
    IF total <> 0 OR entries < 2 THEN
        RAISE EXCEPTION 'ledger journal % does not balance (sum %, % entries)',
            journal, total, entries USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_entries_balance AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION ledger_journal_balances('journal_id');
CREATE CONSTRAINT TRIGGER ledger_journals_balance AFTER INSERT ON ledger_journals
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_journal_balances('id');

CREATE TABLE vendor_payment_accounts (
    vendor_id             uuid PRIMARY KEY REFERENCES accounts (id),
    provider              text NOT NULL,
    provider_account_ref  text NOT NULL UNIQUE,
    status                text NOT NULL CHECK (status IN ('onboarding', 'active', 'restricted')),
    charges_enabled       boolean NOT NULL DEFAULT false,
    payouts_enabled       boolean NOT NULL DEFAULT false,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE vendor_transfers (
    part_id                uuid PRIMARY KEY REFERENCES order_parts (id),
    order_id               uuid NOT NULL REFERENCES orders (id),
    vendor_id              uuid NOT NULL REFERENCES accounts (id),
    amount                 bigint NOT NULL CHECK (amount >= 0),
    currency               text NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR'),
    status                 text NOT NULL CHECK (status IN ('held', 'pending', 'made', 'reversed',
                               'partially_reversed', 'cancelled')),
    provider_transfer_ref  text UNIQUE,
    amount_reversed        bigint NOT NULL DEFAULT 0
                           CHECK (amount_reversed BETWEEN 0 AND amount),
    -- Set when an attempt at the provider starts (its amount is then fixed): the claim.
    sent_at                timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK ((status IN ('made', 'reversed', 'partially_reversed'))
           = (provider_transfer_ref IS NOT NULL))
);
CREATE INDEX vendor_transfers_owed ON vendor_transfers (vendor_id) WHERE status = 'pending';

CREATE TABLE vendor_transfer_reversals (
    refund_key            text NOT NULL,   -- the refund id, or cancel-<order id>
    part_id               uuid NOT NULL REFERENCES vendor_transfers (part_id),
    amount                bigint NOT NULL CHECK (amount > 0),
    status                text NOT NULL CHECK (status IN ('pending', 'made')),
    provider_reversal_ref text UNIQUE,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (refund_key, part_id)
);
CREATE INDEX vendor_transfer_reversals_pending ON vendor_transfer_reversals (part_id)
    WHERE status = 'pending';
"""

OUTBOX = {"outbox_events": "SELECT, INSERT, UPDATE (published_at, publish_attempts)"}
IDEMPOTENCY = {"idempotency_keys": "SELECT, INSERT, UPDATE, DELETE"}
INBOX = {"inbox_events": "SELECT, INSERT"}
SIGNED_IN = {"accounts": "SELECT (id, name, role, state, email_verified)",
             "vendor_profiles": "SELECT (account_id, status)"}
LEDGER_WRITE = {"ledger_journals": "SELECT, INSERT", "ledger_entries": "SELECT, INSERT"}
TRANSFER_COLUMNS = "amount, status, provider_transfer_ref, amount_reversed, sent_at, updated_at"

GRANTS: dict[str, dict[str, str]] = {
    "bazaar_ledger": {
        **LEDGER_WRITE, **INBOX, **OUTBOX,
        "orders": "SELECT (id, status)",
        "order_parts": "SELECT (id, order_id, vendor_id, status, subtotal_amount, "
                       "commission_amount)",
        "payments": "SELECT (order_id, provider_ref, status)",
        "vendor_transfers": f"SELECT, INSERT, UPDATE ({TRANSFER_COLUMNS})",
        "vendor_transfer_reversals": "SELECT, INSERT, UPDATE (status, provider_reversal_ref, "
                                     "updated_at)",
        "vendor_payment_accounts": "SELECT, UPDATE (status, charges_enabled, payouts_enabled, "
                                   "updated_at)",
        "provider_events": "SELECT, UPDATE (processed_at)",
    },
    "bazaar_vendor_accounts": {
        **INBOX, **OUTBOX, **IDEMPOTENCY,
        "accounts": "SELECT (id, name, role, state, email_verified)",
        "vendor_profiles": "SELECT (account_id, status, country)",
        "vendor_payment_accounts": "SELECT, INSERT",
    },
    "bazaar_balances": {
        **SIGNED_IN,
        "ledger_entries": "SELECT (vendor_id, account, amount)",
    },
    "bazaar_fulfilment": {
        **SIGNED_IN, **OUTBOX, **IDEMPOTENCY,
        "orders": "SELECT (id, buyer_id, status), UPDATE (status, updated_at)",
        "order_parts": "SELECT, UPDATE (status, tracking, shipped_at, delivered_at)",
        "order_steps": "INSERT",
    },
}
SEQUENCES = {"bazaar_ledger": ("ledger_entries_id_seq",),
             "bazaar_fulfilment": ("order_steps_id_seq",)}


def _grants() -> str:
    return "\n".join(grant_exactly(role, tables, SEQUENCES.get(role, ()))
                     for role, tables in GRANTS.items())


DOWNGRADE = """
DROP TABLE vendor_transfer_reversals, vendor_transfers, vendor_payment_accounts,
           ledger_entries, ledger_journals;
DROP FUNCTION ledger_journal_balances();
"""


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(create_roles(GRANTS))
    op.execute(_grants())


def downgrade() -> None:
    op.execute(DOWNGRADE)
    op.execute(drop_roles(GRANTS))
