"""course trainers: admins assign trainers to the courses whose quizzes they author

Revision ID: e7b9c1d3f5a2
Revises: d4e6a8c0b2f1
Create Date: 2026-12-02 05:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e7b9c1d3f5a2"
down_revision = "d4e6a8c0b2f1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "course_trainers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_course_trainers_course_id_courses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_course_trainers_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_trainers")),
        sa.UniqueConstraint("course_id", "user_id", name=op.f("uq_course_trainers_course_id_user_id")),
    )
    op.create_index(op.f("ix_course_trainers_course_id"), "course_trainers", ["course_id"])
    op.create_index(op.f("ix_course_trainers_user_id"), "course_trainers", ["user_id"])


def downgrade():
    op.drop_index(op.f("ix_course_trainers_user_id"), table_name="course_trainers")
    op.drop_index(op.f("ix_course_trainers_course_id"), table_name="course_trainers")
    op.drop_table("course_trainers")
