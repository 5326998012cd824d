"""cohorts: named groups of learners

Revision ID: e8b0d2f4a6c9
Revises: d6a8c0e2f4b7
Create Date: 2026-12-02 08:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e8b0d2f4a6c9"
down_revision = "d6a8c0e2f4b7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohorts")),
        sa.UniqueConstraint("name", name=op.f("uq_cohorts_name")),
    )
    op.create_table(
        "cohort_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_cohort_members_cohort_id_cohorts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_cohort_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_members")),
        sa.UniqueConstraint("cohort_id", "user_id", name=op.f("uq_cohort_members_cohort_id_user_id")),
    )
    op.create_index(op.f("ix_cohort_members_user_id"), "cohort_members", ["user_id"])


def downgrade():
    op.drop_index(op.f("ix_cohort_members_user_id"), table_name="cohort_members")
    op.drop_table("cohort_members")
    op.drop_table("cohorts")
