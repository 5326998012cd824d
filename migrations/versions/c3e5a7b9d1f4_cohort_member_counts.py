"""cohort member counts: each cohort keeps its number of members

Revision ID: c3e5a7b9d1f4
Revises: b2d4f6a8c0e1
Create Date: 2026-12-02 11:15:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c3e5a7b9d1f4"
down_revision = "b2d4f6a8c0e1"
branch_labels = None
depends_on = None

BACKFILL = "UPDATE cohorts SET member_count = (SELECT count(*) FROM cohort_members m WHERE m.cohort_id = cohorts.id)"


def upgrade():
    with op.batch_alter_table("cohorts") as batch:
        batch.add_column(sa.Column("member_count", sa.Integer(), server_default="0", nullable=False))
    op.execute(BACKFILL)


def downgrade():
    with op.batch_alter_table("cohorts") as batch:
        batch.drop_column("member_count")
