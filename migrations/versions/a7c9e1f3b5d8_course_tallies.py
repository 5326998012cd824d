"""course tallies: each course keeps its learners counted by modules done, started and completed, and its
enrolments and completions per day, kept by triggers on the enrolments

Revision ID: a7c9e1f3b5d8
Revises: f6b8d0e2a4c7
Create Date: 2026-12-02 20:00:00

The course dashboard reads these few rows instead of counting every enrolment. Triggers keep them, so every way
an enrolment is written (a lesson read, a quiz submitted, a cohort enrolled, a bulk load, a cascade delete) keeps
them right without a statement more from the app. A later migration that rebuilds the enrolments table (SQLite's
batch mode copies it) drops the SQLite triggers and must create them again.
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c9e1f3b5d8"
down_revision = "f6b8d0e2a4c7"
branch_labels = None
depends_on = None


def started(row: str, false: str) -> str:
    """SQL: whether an enrolment row counts as started (the learner table's STARTED, on OLD or NEW)."""
    return f"({row}.progress_percent > 0 OR coalesce({row}.last_activity_at > {row}.enrolled_at, {false}))"


def sqlite_day(column: str) -> str:
    """SQL: the UTC day of a date-time SQLite keeps as 'YYYY-MM-DD HH:MM:SS...' text."""
    return f"substr({column}, 1, 10)"


def postgres_day(column: str) -> str:
    """SQL: the UTC day of a timestamptz."""
    return f"({column} AT TIME ZONE 'UTC')::date"


SQLITE_ADD_TALLY = """
  INSERT INTO course_tallies (course_id, modules_done, started, completed, learners)
  VALUES (new.course_id, new.modules_done, {started}, new.completed_at IS NOT NULL, 1)
  ON CONFLICT (course_id, modules_done, started, completed) DO UPDATE SET learners = learners + 1;
""".format(started=started("new", "0"))
SQLITE_REMOVE_TALLY = """
  UPDATE course_tallies SET learners = learners - 1
  WHERE course_id = old.course_id AND modules_done = old.modules_done AND started = {started}
    AND completed = (old.completed_at IS NOT NULL);
""".format(started=started("old", "0"))
SQLITE_ADD_DAY = """
  INSERT INTO course_days (course_id, day, enrolments, completions)
  SELECT new.course_id, {day}, {enrolments}, {completions} WHERE {when}
  ON CONFLICT (course_id, day) DO UPDATE SET {column} = {column} + 1;
"""
SQLITE_REMOVE_DAY = """
  UPDATE course_days SET {column} = {column} - 1 WHERE course_id = old.course_id AND day = {day} AND {when};
"""
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER enrolments_tally_insert AFTER INSERT ON enrolments BEGIN
{SQLITE_ADD_TALLY}
{SQLITE_ADD_DAY.format(day=sqlite_day("new.enrolled_at"), enrolments=1, completions=0, when="1", column="enrolments")}
{SQLITE_ADD_DAY.format(day=sqlite_day("new.completed_at"), enrolments=0, completions=1,
                       when="new.completed_at IS NOT NULL", column="completions")}
END""",
    f"""CREATE TRIGGER enrolments_tally_delete AFTER DELETE ON enrolments BEGIN
{SQLITE_REMOVE_TALLY}
{SQLITE_REMOVE_DAY.format(column="enrolments", day=sqlite_day("old.enrolled_at"), when="1")}
{SQLITE_REMOVE_DAY.format(column="completions", day=sqlite_day("old.completed_at"),
                          when="old.completed_at IS NOT NULL")}
END""",
    # Most updates (each submit's last activity) move no count: the WHEN clause leaves them alone.
    f"""CREATE TRIGGER enrolments_tally_update AFTER UPDATE OF modules_done, progress_percent, last_activity_at,
completed_at ON enrolments
WHEN old.modules_done IS NOT new.modules_done OR {started("old", "0")} IS NOT {started("new", "0")}
  OR (old.completed_at IS NULL) IS NOT (new.completed_at IS NULL)
BEGIN
{SQLITE_REMOVE_TALLY}
{SQLITE_ADD_TALLY}
END""",
    f"""CREATE TRIGGER enrolments_days_update AFTER UPDATE OF completed_at ON enrolments
WHEN {sqlite_day("old.completed_at")} IS NOT {sqlite_day("new.completed_at")}
BEGIN
{SQLITE_REMOVE_DAY.format(column="completions", day=sqlite_day("old.completed_at"),
                          when="old.completed_at IS NOT NULL")}
{SQLITE_ADD_DAY.format(day=sqlite_day("new.completed_at"), enrolments=0, completions=1,
                       when="new.completed_at IS NOT NULL", column="completions")}
END""",
]

POSTGRES_FUNCTION = """
CREATE FUNCTION enrolments_keep_tallies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE course_tallies SET learners = learners - 1
    WHERE course_id = OLD.course_id AND modules_done = OLD.modules_done AND started = {old_started}
      AND completed = (OLD.completed_at IS NOT NULL);
    IF OLD.completed_at IS NOT NULL AND (TG_OP = 'DELETE' OR {old_done} IS DISTINCT FROM {new_done}) THEN
      UPDATE course_days SET completions = completions - 1 WHERE course_id = OLD.course_id AND day = {old_done};
    END IF;
    IF TG_OP = 'DELETE' THEN
      UPDATE course_days SET enrolments = enrolments - 1
      WHERE course_id = OLD.course_id AND day = {old_enrolled};
      RETURN OLD;
    END IF;
  END IF;
  INSERT INTO course_tallies AS t (course_id, modules_done, started, completed, learners)
  VALUES (NEW.course_id, NEW.modules_done, {new_started}, NEW.completed_at IS NOT NULL, 1)
  ON CONFLICT (course_id, modules_done, started, completed) DO UPDATE SET learners = t.learners + 1;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO course_days AS d (course_id, day, enrolments, completions)
    VALUES (NEW.course_id, {new_enrolled}, 1, 0)
    ON CONFLICT (course_id, day) DO UPDATE SET enrolments = d.enrolments + 1;
  END IF;
  IF NEW.completed_at IS NOT NULL AND (TG_OP = 'INSERT' OR {old_done} IS DISTINCT FROM {new_done}) THEN
    INSERT INTO course_days AS d (course_id, day, enrolments, completions)
    VALUES (NEW.course_id, {new_done}, 0, 1)
    ON CONFLICT (course_id, day) DO UPDATE SET completions = d.completions + 1;
  END IF;
  RETURN NEW;
END $$
""".format(
    old_started=started("OLD", "false"),
    new_started=started("NEW", "false"),
    old_done=postgres_day("OLD.completed_at"),
    new_done=postgres_day("NEW.completed_at"),
    old_enrolled=postgres_day("OLD.enrolled_at"),
    new_enrolled=postgres_day("NEW.enrolled_at"),
)
POSTGRES_TRIGGERS = [
    POSTGRES_FUNCTION,
    "CREATE TRIGGER enrolments_tally_insert_delete AFTER INSERT OR DELETE ON enrolments "
    "FOR EACH ROW EXECUTE FUNCTION enrolments_keep_tallies()",
    # Most updates (each submit's last activity) move no count: the WHEN clause leaves them alone.
    f"""CREATE TRIGGER enrolments_tally_update AFTER UPDATE OF modules_done, progress_percent, last_activity_at,
completed_at ON enrolments FOR EACH ROW
WHEN (OLD.modules_done IS DISTINCT FROM NEW.modules_done
  OR {started("OLD", "false")} IS DISTINCT FROM {started("NEW", "false")}
  OR (OLD.completed_at IS NULL) IS DISTINCT FROM (NEW.completed_at IS NULL)
  OR {postgres_day("OLD.completed_at")} IS DISTINCT FROM {postgres_day("NEW.completed_at")})
EXECUTE FUNCTION enrolments_keep_tallies()""",
]


def backfill(day, false: str) -> list[str]:
    """SQL: the tallies and days of the enrolments already there (`day` writes a column's day, `false` is
    the dialect's false)."""
    return [
        f"""INSERT INTO course_tallies (course_id, modules_done, started, completed, learners)
        SELECT course_id, modules_done, {started("e", false)}, completed_at IS NOT NULL, count(*)
        FROM enrolments e GROUP BY 1, 2, 3, 4""",
        f"""INSERT INTO course_days (course_id, day, enrolments, completions)
        SELECT course_id, d, sum(enrolments), sum(completions) FROM (
          SELECT course_id, {day("enrolled_at")} AS d, 1 AS enrolments, 0 AS completions FROM enrolments
          UNION ALL
          SELECT course_id, {day("completed_at")}, 0, 1 FROM enrolments WHERE completed_at IS NOT NULL
        ) AS each_fact GROUP BY course_id, d""",
    ]


def upgrade():
    op.create_table(
        "course_tallies",
        sa.Column("course_id", sa.Integer(), sa.ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
        sa.Column("modules_done", sa.Integer(), nullable=False),
        sa.Column("started", sa.Boolean(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("learners", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("course_id", "modules_done", "started", "completed"),
    )
    op.create_table(
        "course_days",
        sa.Column("course_id", sa.Integer(), sa.ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("enrolments", sa.Integer(), nullable=False),
        sa.Column("completions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("course_id", "day"),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in backfill(postgres_day, "false") if postgres else backfill(sqlite_day, "0"):
        op.execute(statement)
    for statement in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER enrolments_tally_update ON enrolments")
        op.execute("DROP TRIGGER enrolments_tally_insert_delete ON enrolments")
        op.execute("DROP FUNCTION enrolments_keep_tallies()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER enrolments_tally_{name}")
        op.execute("DROP TRIGGER enrolments_days_update")
    op.drop_table("course_days")
    op.drop_table("course_tallies")
