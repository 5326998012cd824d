"""locally changed questions: a trainer's edit to a pack question survives the next sync

Revision ID: a3d5f7b9c1e4
Revises: f2c4e6a8b0d3
Create Date: 2026-12-02 06:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a3d5f7b9c1e4"
down_revision = "f2c4e6a8b0d3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("locally_changed", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("locally_changed")
