"""time allowances: a learner's extra time, or no time limit, on the timed quizzes of a course

Revision ID: b7d9f1a3c5e8
Revises: a5c7e9b1d3f6
Create Date: 2026-12-06 19:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b7d9f1a3c5e8"
down_revision = "a5c7e9b1d3f6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "time_allowances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("time_percent", sa.Integer(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_time_allowances_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_time_allowances_course_id_courses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"], ["users.id"], name=op.f("fk_time_allowances_granted_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_allowances")),
        sa.UniqueConstraint("user_id", "course_id", name=op.f("uq_time_allowances_user_id_course_id")),
    )
    op.create_index(op.f("ix_time_allowances_course_id"), "time_allowances", ["course_id"])
    op.create_index(op.f("ix_time_allowances_granted_by_id"), "time_allowances", ["granted_by_id"])


def downgrade():
    op.drop_index(op.f("ix_time_allowances_granted_by_id"), table_name="time_allowances")
    op.drop_index(op.f("ix_time_allowances_course_id"), table_name="time_allowances")
    op.drop_table("time_allowances")
