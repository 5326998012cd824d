"""essay marking: answers a trainer marks, who marked them and when

Revision ID: b4e6a8c0d2f5
Revises: a3d5f7b9c1e4
Create Date: 2026-12-02 07:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b4e6a8c0d2f5"
down_revision = "a3d5f7b9c1e4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attempt_answers") as batch:
        batch.add_column(sa.Column("needs_marking", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("marked_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("marked_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_attempt_answers_marked_by_id_users"), "users", ["marked_by_id"], ["id"], ondelete="SET NULL"
        )
    # The marking queue reads only the answers still waiting, whatever the number of answers marked or graded.
    op.create_index(
        "ix_attempt_answers_waiting",
        "attempt_answers",
        ["id"],
        sqlite_where=sa.text("needs_marking = 1"),
        postgresql_where=sa.text("needs_marking"),
    )


def downgrade():
    op.drop_index("ix_attempt_answers_waiting", table_name="attempt_answers")
    with op.batch_alter_table("attempt_answers") as batch:
        batch.drop_constraint(batch.f("fk_attempt_answers_marked_by_id_users"), type_="foreignkey")
        batch.drop_column("marked_at")
        batch.drop_column("marked_by_id")
        batch.drop_column("needs_marking")
