"""item statistics: running sums per question version and option picks, kept as attempts are scored

Revision ID: c5f7b9d1e3a6
Revises: b4e6a8c0d2f5
Create Date: 2026-12-02 07:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c5f7b9d1e3a6"
down_revision = "b4e6a8c0d2f5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "item_stats",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("full_marks", sa.Integer(), nullable=False),
        sa.Column("sum_x", sa.Float(), nullable=False),
        sa.Column("sum_xx", sa.Float(), nullable=False),
        sa.Column("sum_y", sa.Float(), nullable=False),
        sa.Column("sum_yy", sa.Float(), nullable=False),
        sa.Column("sum_xy", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["question_versions.id"],
            name=op.f("fk_item_stats_version_id_question_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_item_stats")),
    )
    op.create_table(
        "item_option_picks",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("option", sa.String(length=40), nullable=False),
        sa.Column("picks", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["question_versions.id"],
            name=op.f("fk_item_option_picks_version_id_question_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "option", name=op.f("pk_item_option_picks")),
    )


def downgrade():
    op.drop_table("item_option_picks")
    op.drop_table("item_stats")
