"""attempt pass mark: the pass mark an attempt was scored against, kept with its score

Revision ID: e9b1d3f5a7c0
Revises: d7f9b1c3e5a8
Create Date: 2026-12-07 02:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e9b1d3f5a7c0"
down_revision = "d7f9b1c3e5a8"
branch_labels = None
depends_on = None


# A scored attempt takes its quiz's pass mark where that mark gives the pass or fail it was recorded with; where it
# does not, the quiz's mark moved since, and the attempt keeps None (its mark is not known).
BACKFILL = """
UPDATE attempts SET pass_mark = (SELECT quizzes.pass_mark FROM quizzes WHERE quizzes.id = attempts.quiz_id)
WHERE score IS NOT NULL AND passed = (
    SELECT CASE WHEN attempts.score >= quizzes.pass_mark THEN TRUE ELSE FALSE END
    FROM quizzes WHERE quizzes.id = attempts.quiz_id
)
"""


def upgrade():
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("pass_mark", sa.Integer(), nullable=True))
    op.execute(BACKFILL)


def downgrade():
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("pass_mark")
