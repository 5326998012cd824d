"""quiz result sums: each quiz keeps its learners' result count, best-score sum, scored attempts and passes

Revision ID: b2d4f6a8c0e1
Revises: a1c3e5b7d9f2
Create Date: 2026-12-02 11:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b2d4f6a8c0e1"
down_revision = "a1c3e5b7d9f2"
branch_labels = None
depends_on = None

COLUMNS = ("results_count", "results_best_sum", "results_attempts", "results_passed")
# The sums of the results recorded so far.
BACKFILL = """UPDATE quizzes SET
results_count = (SELECT count(*) FROM quiz_results r WHERE r.quiz_id = quizzes.id),
results_best_sum = (SELECT coalesce(sum(r.best_score), 0) FROM quiz_results r WHERE r.quiz_id = quizzes.id),
results_attempts = (SELECT coalesce(sum(r.attempts), 0) FROM quiz_results r WHERE r.quiz_id = quizzes.id),
results_passed = (SELECT count(*) FROM quiz_results r WHERE r.quiz_id = quizzes.id AND r.passed)"""


def upgrade():
    with op.batch_alter_table("quizzes") as batch:
        batch.add_column(sa.Column("results_count", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("results_best_sum", sa.Float(), server_default="0", nullable=False))
        batch.add_column(sa.Column("results_attempts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("results_passed", sa.Integer(), server_default="0", nullable=False))
    op.create_index("ix_badge_awards_class_revoked", "badge_awards", ["badge_class_id", "revoked_at"])
    op.execute(BACKFILL)


def downgrade():
    op.drop_index("ix_badge_awards_class_revoked", table_name="badge_awards")
    with op.batch_alter_table("quizzes") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column)
