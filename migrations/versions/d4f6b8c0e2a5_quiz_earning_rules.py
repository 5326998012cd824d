"""quiz earning rules: a cool-down between attempts, and whether a quiz counts towards completion

Revision ID: d4f6b8c0e2a5
Revises: c3e5a7b9d1f4
Create Date: 2026-12-02 14:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d4f6b8c0e2a5"
down_revision = "c3e5a7b9d1f4"
branch_labels = None
depends_on = None

# Until now every module quiz counted towards its module, and no quiz outside a module counted at all. A quiz
# that counts must keep its key until a pass, so those that showed it freely now show only the questions missed.
BACKFILL = "UPDATE quizzes SET counts_towards_completion = (module_id IS NOT NULL)"
KEY_AFTER_PASS = "UPDATE quizzes SET review = 'retry_without_key' WHERE counts_towards_completion AND review = 'practice'"


def upgrade():
    with op.batch_alter_table("quizzes") as batch:
        batch.add_column(sa.Column("cooldown_minutes", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(
            sa.Column("counts_towards_completion", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute(BACKFILL)
    op.execute(KEY_AFTER_PASS)


def downgrade():
    with op.batch_alter_table("quizzes") as batch:
        batch.drop_column("counts_towards_completion")
        batch.drop_column("cooldown_minutes")
