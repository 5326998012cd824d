"""session generation: signing out or changing a password ends a user's sessions

Revision ID: 5c1d2e7a9b40
Revises: aeb167b3a01e
Create Date: 2026-12-02 00:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5c1d2e7a9b40"
down_revision = "aeb167b3a01e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("session_generation")
