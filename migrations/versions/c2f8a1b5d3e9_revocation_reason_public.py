"""revocation reason public: the admin chooses whether the public sees why a badge was revoked

Revision ID: c2f8a1b5d3e9
Revises: b7e4d9a2c6f1
Create Date: 2026-12-02 01:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c2f8a1b5d3e9"
down_revision = "b7e4d9a2c6f1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("badge_awards") as batch_op:
        batch_op.add_column(
            sa.Column("revocation_reason_public", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("badge_awards") as batch_op:
        batch_op.drop_column("revocation_reason_public")
