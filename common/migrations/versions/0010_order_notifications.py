"""Order notifications, and the buyer's email for a bank transfer's refund.

Role `bazaar_notifications` (send_notification, which ran as `bazaar_events` until now):
the inbox, the columns of an account and vendor profile a mail is addressed and worded
from, and of an order only what its mails say (ids, amounts, product names, quantities,
tracking): no shipping address, no payment. `bazaar_events` keeps serving
sync_account_status only, and gains nothing.

`bazaar_refunds` may read an account's email: a bank transfer is refunded to the payer's
bank, whose details the provider asks the payer for by email (docs/decisions/0016).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

from common.migrations.roles import create_roles, drop_roles, grant_exactly

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ROLE = "bazaar_notifications"
GRANTS = {
    "inbox_events": "SELECT, INSERT",
    # What PostgresAccounts.get reads (common/adapters/accounts.py): no blocked_reason.
    "accounts": "SELECT (id, email, name, role, state, email_verified, created_at)",
    "vendor_profiles": "SELECT (account_id, legal_name, registration_number, country, "
                       "address, website, status, payment_methods, rejection_reason)",
    "orders": "SELECT (id, buyer_id, currency, total_amount)",
    "order_parts": "SELECT (id, order_id, vendor_id, subtotal_amount, commission_amount, "
                   "tracking)",
    "order_lines": "SELECT (id, order_id, part_id, product_id, product_name, quantity, "
                   "unit_price_amount, line_amount)",
}
REFUNDS_READ_EMAIL = "GRANT SELECT (email) ON accounts TO bazaar_refunds;"


def _grants() -> str:
    return "\n".join([create_roles([ROLE]), grant_exactly(ROLE, GRANTS), REFUNDS_READ_EMAIL])


DOWNGRADE = f"""
REVOKE SELECT (email) ON accounts FROM bazaar_refunds;
{drop_roles([ROLE])}
"""


def upgrade() -> None:
    op.execute(_grants())


def downgrade() -> None:
    op.execute(DOWNGRADE)
