"""The quizzes plugin's part of a learner's record: every attempt, its score, and a link to its answers."""

from flask import url_for
from sqlalchemy import select

from lms.extensions import db
from lms.records import RecordPart, TimelineEntry
from quizzes.models import Attempt, Quiz


def attempts_part(learner_id: int, course_ids: set[int] | None) -> RecordPart:
    """Every attempt of the learner at quizzes of these courses, oldest first."""
    query = (
        select(Attempt.id, Attempt.number, Attempt.status, Attempt.started_at, Attempt.submitted_at)
        .add_columns(Attempt.score, Attempt.passed, Quiz.title)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Attempt.user_id == learner_id)
    )
    if course_ids is not None:
        query = query.where(Quiz.course_id.in_(course_ids))
    attempts = db.session.execute(query.order_by(Attempt.started_at, Attempt.id)).all()
    timeline = []
    for attempt in attempts:
        link = url_for("quizzes.attempt_record", attempt_id=attempt.id)
        timeline.append(TimelineEntry(attempt.started_at, f"Started attempt {attempt.number} at {attempt.title}", link))
        if attempt.submitted_at:
            result = "waiting for a mark" if attempt.score is None else f"{attempt.score:g}%"
            timeline.append(
                TimelineEntry(
                    attempt.submitted_at, f"Submitted attempt {attempt.number} at {attempt.title}: {result}", link
                )
            )
    return RecordPart(
        order=20,
        title="Quiz attempts",
        template="quizzes/_record.html",
        context={"attempts": attempts},
        timeline=timeline,
    )
