"""authored quizzes: trainers create quizzes with an introduction, which pack syncs leave alone

Revision ID: f2c4e6a8b0d3
Revises: e7b9c1d3f5a2
Create Date: 2026-12-02 06:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f2c4e6a8b0d3"
down_revision = "e7b9c1d3f5a2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("quizzes") as batch:
        batch.add_column(sa.Column("introduction", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("authored", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_quizzes_created_by_id_users"), "users", ["created_by_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index(batch.f("ix_quizzes_created_by_id"), ["created_by_id"])


def downgrade():
    with op.batch_alter_table("quizzes") as batch:
        batch.drop_index(batch.f("ix_quizzes_created_by_id"))
        batch.drop_constraint(batch.f("fk_quizzes_created_by_id_users"), type_="foreignkey")
        batch.drop_column("created_by_id")
        batch.drop_column("authored")
        batch.drop_column("introduction")
