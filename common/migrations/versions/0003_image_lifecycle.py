"""Image lifecycle: indexing claims with a lease, expiry of unused uploads, deleted images.

An image is `pending` until its upload arrives, `processing` while one indexing run holds
a lease on it (`lease_token`, `lease_until`), then `ready` or `rejected`; a pending image
whose upload never came is `expired` after `upload_expires_at`; the vendor may delete an
image (`deleted`). Expired and deleted images are kept (ids are never reused) but count
toward nothing and are never shown.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE product_images DROP CONSTRAINT product_images_status_check;
ALTER TABLE product_images ADD CONSTRAINT product_images_status_check
    CHECK (status IN ('pending', 'processing', 'ready', 'rejected', 'expired', 'deleted'));

-- The upload URL's expiry plus the grace, set by the upload request; the default (the
-- default URL lifetime plus the grace) serves older rows and rows written by hand.
ALTER TABLE product_images
    ADD COLUMN upload_expires_at timestamptz NOT NULL DEFAULT now() + interval '45 minutes',
    ADD COLUMN lease_token uuid,
    ADD COLUMN lease_until timestamptz,
    ADD COLUMN removed_at timestamptz,
    ADD CONSTRAINT product_images_lease CHECK (
        (status = 'processing') = (lease_token IS NOT NULL AND lease_until IS NOT NULL));

-- What the expiry sweep reads: uploads still awaited, and claims nobody finished.
CREATE INDEX product_images_awaiting_upload ON product_images (upload_expires_at)
    WHERE status = 'pending';
CREATE INDEX product_images_leased ON product_images (lease_until)
    WHERE status = 'processing';
"""

DOWNGRADE = """
DROP INDEX product_images_leased, product_images_awaiting_upload;
ALTER TABLE product_images DROP CONSTRAINT product_images_lease;
UPDATE product_images SET status = 'pending' WHERE status = 'processing';
DELETE FROM product_images WHERE status IN ('expired', 'deleted');
ALTER TABLE product_images DROP COLUMN removed_at, DROP COLUMN lease_until,
    DROP COLUMN lease_token, DROP COLUMN upload_expires_at;
ALTER TABLE product_images DROP CONSTRAINT product_images_status_check;
ALTER TABLE product_images ADD CONSTRAINT product_images_status_check
    CHECK (status IN ('pending', 'ready', 'rejected'));
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
