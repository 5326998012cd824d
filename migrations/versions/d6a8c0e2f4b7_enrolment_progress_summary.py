"""enrolment progress summary: each enrolment keeps its progress, modules done, last activity and completion

Revision ID: d6a8c0e2f4b7
Revises: c5f7b9d1e3a6
Create Date: 2026-12-02 08:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d6a8c0e2f4b7"
down_revision = "c5f7b9d1e3a6"
branch_labels = None
depends_on = None

# The steps of a course as courses.progress counts them: its active lessons in active modules, and its active
# quizzes placed in active modules; a quiz step is done when a submitted attempt reached its pass mark.
STEPS = """(
    (SELECT count(*) FROM lessons l JOIN modules m ON m.id = l.module_id
      WHERE l.course_id = enrolments.course_id AND l.active AND m.active)
  + (SELECT count(*) FROM quizzes q JOIN modules m ON m.id = q.module_id
      WHERE q.course_id = enrolments.course_id AND q.active AND m.active)
)"""
DONE = """(
    (SELECT count(*) FROM lesson_completions c JOIN lessons l ON l.id = c.lesson_id
      JOIN modules m ON m.id = l.module_id
      WHERE c.user_id = enrolments.user_id AND l.course_id = enrolments.course_id AND l.active AND m.active)
  + (SELECT count(*) FROM quizzes q JOIN modules m ON m.id = q.module_id
      WHERE q.course_id = enrolments.course_id AND q.active AND m.active AND EXISTS (
        SELECT 1 FROM attempts a WHERE a.quiz_id = q.id AND a.user_id = enrolments.user_id
          AND a.status = 'submitted' AND a.score >= q.pass_mark))
)"""


def backfill(dialect: str) -> str:
    """The UPDATE that works out every enrolment's summary from the progress facts already recorded."""
    smaller = "min" if dialect == "sqlite" else "least"  # the smaller of two values
    return f"""UPDATE enrolments SET
          progress_percent = CASE WHEN {STEPS} = 0 THEN 0 ELSE {smaller}(100, (100 * {DONE}) / {STEPS}) END,
          modules_done = (SELECT count(*) FROM module_completions mc JOIN modules m ON m.id = mc.module_id
                          WHERE mc.user_id = enrolments.user_id AND m.course_id = enrolments.course_id),
          completed_at = (SELECT cc.completed_at FROM course_completions cc
                          WHERE cc.user_id = enrolments.user_id AND cc.course_id = enrolments.course_id),
          last_activity_at = coalesce((SELECT max(t) FROM (
              SELECT c.completed_at AS t FROM lesson_completions c JOIN lessons l ON l.id = c.lesson_id
                WHERE c.user_id = enrolments.user_id AND l.course_id = enrolments.course_id
              UNION ALL
              SELECT a.submitted_at FROM attempts a JOIN quizzes q ON q.id = a.quiz_id
                WHERE a.user_id = enrolments.user_id AND q.course_id = enrolments.course_id) AS activity),
            enrolled_at)"""


def upgrade():
    with op.batch_alter_table("enrolments") as batch:
        batch.add_column(sa.Column("progress_percent", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("modules_done", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(backfill(op.get_bind().dialect.name))
    op.create_index("ix_enrolments_course_progress", "enrolments", ["course_id", "progress_percent", "user_id"])
    op.create_index("ix_enrolments_course_activity", "enrolments", ["course_id", "last_activity_at", "user_id"])
    op.create_index("ix_enrolments_course_enrolled", "enrolments", ["course_id", "enrolled_at", "user_id"])
    op.create_index("ix_enrolments_course_modules", "enrolments", ["course_id", "modules_done", "user_id"])


def downgrade():
    for name in ("modules", "enrolled", "activity", "progress"):
        op.drop_index(f"ix_enrolments_course_{name}", table_name="enrolments")
    with op.batch_alter_table("enrolments") as batch:
        for column in ("completed_at", "last_activity_at", "modules_done", "progress_percent"):
            batch.drop_column(column)
