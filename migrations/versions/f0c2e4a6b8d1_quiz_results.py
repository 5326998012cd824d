"""quiz results: each learner's best score, attempts and pass per quiz, kept as attempts are scored

Revision ID: f0c2e4a6b8d1
Revises: e8b0d2f4a6c9
Create Date: 2026-12-02 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f0c2e4a6b8d1"
down_revision = "e8b0d2f4a6c9"
branch_labels = None
depends_on = None

# Every learner's results so far, from their scored attempts.
BACKFILL = """INSERT INTO quiz_results (quiz_id, user_id, best_score, attempts, passed)
SELECT a.quiz_id, a.user_id, max(a.score), count(*), CASE WHEN max(a.score) >= q.pass_mark THEN TRUE ELSE FALSE END
FROM attempts a JOIN quizzes q ON q.id = a.quiz_id
WHERE a.status = 'submitted' AND a.score IS NOT NULL
GROUP BY a.quiz_id, a.user_id, q.pass_mark"""


def upgrade():
    op.create_table(
        "quiz_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("best_score", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quiz_id"], ["quizzes.id"], name=op.f("fk_quiz_results_quiz_id_quizzes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_quiz_results_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_results")),
        sa.UniqueConstraint("quiz_id", "user_id", name=op.f("uq_quiz_results_quiz_id_user_id")),
    )
    op.create_index(op.f("ix_quiz_results_user_id"), "quiz_results", ["user_id"])
    op.execute(BACKFILL)


def downgrade():
    op.drop_index(op.f("ix_quiz_results_user_id"), table_name="quiz_results")
    op.drop_table("quiz_results")
