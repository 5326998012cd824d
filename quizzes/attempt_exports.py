"""Every attempt at a quiz as CSV or XLSX, for its trainers and admins: who, which attempt, when, and the score."""

from datetime import UTC

from flask_login import current_user
from sqlalchemy import select

from courses.exports import download
from lms.access import allow
from lms.db import read_in_transaction
from lms.extensions import db
from lms.models import User, aware
from lms.security_log import security_event
from quizzes.author import bp, get_quiz
from quizzes.models import Attempt

# Times are the database's, in UTC, said in the headings (the screens show them in the reader's zone).
HEADINGS = ["Learner", "Email", "Attempt", "Status", "Started (UTC)", "Submitted (UTC)", "Score %", "Result"]
STATUS_NAMES = {"open": "In progress", "submitted": "Submitted"}


def attempt_rows(quiz_id: int, chunk: int = 1000):
    """The headings, then each attempt at the quiz by learner and number, read `chunk` at a time."""
    yield HEADINGS
    statement = (
        select(User.display_name, User.email, Attempt.number, Attempt.status, Attempt.started_at)
        .add_columns(Attempt.submitted_at, Attempt.score, Attempt.passed)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.quiz_id == quiz_id)
        .order_by(User.display_name, User.id, Attempt.number)
        .execution_options(yield_per=chunk)
    )
    read_in_transaction()  # rows stream through a server-side cursor, which lives in a transaction
    for row in db.session.execute(statement):
        name, email, number, status, started, submitted, score, passed = row
        if status == "open":
            result = "In progress"
        elif passed is None:
            result = "Waiting for a mark"
        else:
            result = "Passed" if passed else "Not passed"
        shown = STATUS_NAMES.get(status, status)
        yield [name, email, number, shown, in_utc(started), in_utc(submitted), "" if score is None else score, result]


def in_utc(moment) -> str:
    """A moment as the files write it, in UTC whatever zone the database hands it back in; "" for none."""
    stamped = aware(moment)
    return stamped.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if stamped else ""


@bp.route("/quizzes/<int:quiz_id>/attempts.csv")
@allow("trainer")
def attempts_csv(quiz_id: int):
    """Every attempt at the quiz as CSV, streamed as it is read."""
    return attempts_file(quiz_id, "csv")


@bp.route("/quizzes/<int:quiz_id>/attempts.xlsx")
@allow("trainer")
def attempts_xlsx(quiz_id: int):
    """Every attempt at the quiz as an XLSX workbook."""
    return attempts_file(quiz_id, "xlsx")


def attempts_file(quiz_id: int, kind: str):
    """The quiz's attempts as a file of this kind; each export is a security event."""
    quiz = get_quiz(quiz_id)
    security_event("report.export", actor=current_user.id, target=f"quiz:{quiz.id}", format=kind)
    return download(attempt_rows(quiz.id), kind, f"{quiz.slug}-attempts", "Attempts")
