"""readiness roles: the jobs a course prepares people for, the skills each needs and the quizzes that show them

Revision ID: b3d5f7a9c1e2
Revises: e2b4d6f8a0c3
Create Date: 2026-12-03 14:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b3d5f7a9c1e2"
down_revision = "e2b4d6f8a0c3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "readiness_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("course_id", "slug"),
    )
    op.create_index("ix_readiness_roles_course_id", "readiness_roles", ["course_id"])


def downgrade():
    op.drop_index("ix_readiness_roles_course_id", table_name="readiness_roles")
    op.drop_table("readiness_roles")
