"""The quizzes plugin's part of a learner's record: every attempt, its score, and a link to its answers."""

from flask import url_for
from sqlalchemy import Float, case, cast, or_, select

from lms.extensions import db
from lms.records import RecordPart, TimelineEntry
from quizzes.models import Attempt, Quiz

# The quizzes a course's reports show: the published ones, and one taken off (unpublished, or dropped from its pack)
# while learners have results in it, so the reports keep what they achieved. A draft nobody took has no column.
REPORTED = or_(Quiz.active.is_(True), Quiz.results_count > 0)


def reported_title(title: str, active: bool) -> str:
    """A quiz's title in the reports, marked when it is no longer published."""
    return title if active else f"{title} (unpublished)"


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


def best_score_columns(course_id: int) -> list:
    """A column per reported quiz of the course: each learner's best score, from the cells kept as they submit."""
    from courses.exports import Percent
    from courses.learner_table import Column
    from quizzes.attempts import best_score_cell

    quizzes = db.session.execute(
        select(Quiz.id, Quiz.title, Quiz.active).where(Quiz.course_id == course_id, REPORTED).order_by(Quiz.id)
    ).all()

    texts: dict = {None: ""}  # each score's cell, made once: scores repeat across 100,000 learners

    def show(scores: list) -> list:
        return [texts[score] if score in texts else texts.setdefault(score, Percent(score)) for score in scores]

    headings = [f"Best: {reported_title(quiz.title, quiz.active)}" for quiz in quizzes]
    return [Column(headings, [best_score_cell(quiz.id) for quiz in quizzes], show)]


def quiz_results_chart(course_id: int) -> list:
    """Each reported quiz of the course: learners who tried it, their mean best score, mean attempts and pass rate,
    from the sums each quiz keeps as attempts are scored (one row per quiz, whatever the number of learners)."""
    from courses.dashboard import Chart

    found = db.session.execute(
        select(
            Quiz.title,
            Quiz.active,
            Quiz.results_count,
            case((Quiz.results_count > 0, Quiz.results_best_sum / Quiz.results_count)),
            case((Quiz.results_count > 0, cast(Quiz.results_attempts, Float) / Quiz.results_count)),
            Quiz.results_passed,
        )
        .where(Quiz.course_id == course_id, REPORTED)
        .order_by(Quiz.id)
    ).all()
    if not found:
        return []
    rows = [(reported_title(title, active), *rest) for title, active, *rest in found]

    # A quiz nobody tried has no score or rate: none (a dash in the table, a gap in the chart), not a 0 that reads
    # as everyone failing.
    def share(part, whole):
        return round(100 * part / whole) if whole else None

    return [
        Chart(
            key="quizzes",
            title="Quizzes: mean best score and pass rate of the learners who tried each",
            type="bar",
            labels=[title for title, *_rest in rows],
            series=[
                {
                    "label": "Mean best score %",
                    "values": [None if best is None else round(best) for _t, _n, best, *_r in rows],
                },
                {"label": "Pass rate %", "values": [share(passed, tried) for _t, tried, _b, _a, passed in rows]},
            ],
            extra=[
                {"label": "Learners who tried", "values": [tried for _t, tried, *_r in rows]},
                {
                    "label": "Mean attempts",
                    "values": [None if tries is None else round(float(tries), 1) for *_f, tries, _p in rows],
                },
            ],
            horizontal=True,
        )
    ]
