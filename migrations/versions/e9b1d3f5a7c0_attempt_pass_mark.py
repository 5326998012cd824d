"""attempt pass mark: the pass mark an attempt was scored against, kept with its score

Revision ID: e9b1d3f5a7c0
Revises: d7f9b1c3e5a8
Create Date: 2026-12-07 02:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e9b1d3f5a7c0"
down_revision = "d7f9b1c3e5a8"
branch_labels = None
depends_on = None


def upgrade():
    # Attempts scored before keep None: the mark they were scored against is not known (the quiz's may have moved).
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("pass_mark", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("pass_mark")
