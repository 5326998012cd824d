"""marked answers: partial indexes of the essays trainers have marked, latest first (and by marker), to correct a mark

Revision ID: f3c5e7a9b1d2
Revises: e9b1d3f5a7c0
Create Date: 2026-12-07 02:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f3c5e7a9b1d2"
down_revision = "e9b1d3f5a7c0"
branch_labels = None
depends_on = None

MARKED = sa.text("marked_at IS NOT NULL")


def upgrade():
    op.create_index(
        "ix_attempt_answers_marked",
        "attempt_answers",
        ["marked_at", "id"],
        sqlite_where=MARKED,
        postgresql_where=MARKED,
    )
    op.create_index(
        "ix_attempt_answers_marked_by",
        "attempt_answers",
        ["marked_by_id", "marked_at", "id"],
        sqlite_where=MARKED,
        postgresql_where=MARKED,
    )


def downgrade():
    op.drop_index("ix_attempt_answers_marked_by", table_name="attempt_answers")
    op.drop_index("ix_attempt_answers_marked", table_name="attempt_answers")
