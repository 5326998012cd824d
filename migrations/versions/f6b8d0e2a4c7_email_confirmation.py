"""email confirmation: a self-registered account signs in once its owner has confirmed the address

Revision ID: f6b8d0e2a4c7
Revises: e5a7c9d1f3b6
Create Date: 2026-12-02 15:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f6b8d0e2a4c7"
down_revision = "e5a7c9d1f3b6"
branch_labels = None
depends_on = None

# Every account that exists already signs in as before.
BACKFILL = "UPDATE users SET email_confirmed_at = created_at"


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(BACKFILL)


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_confirmed_at")
