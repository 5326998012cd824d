"""Quiz steps for the course progress page."""

from sqlalchemy import bindparam, func, select

from courses.progress import Step
from lms.extensions import db
from quizzes.models import Attempt, Quiz

_best_scores = (
    select(Attempt.quiz_id, func.max(Attempt.score).label("best"))
    .where(Attempt.user_id == bindparam("user_id"), Attempt.status == "submitted")
    .group_by(Attempt.quiz_id)
    .subquery()
)
# Each active quiz of some courses with the learner's best submitted score, in one query built once.
QUIZZES_WITH_BEST = (
    select(
        Quiz.course_id,
        Quiz.id,
        Quiz.title,
        Quiz.pass_mark,
        Quiz.module_id,
        Quiz.counts_towards_completion,
        _best_scores.c.best,
    )
    .outerjoin(_best_scores, _best_scores.c.quiz_id == Quiz.id)
    .where(Quiz.course_id.in_(bindparam("course_ids", expanding=True)), Quiz.active.is_(True))
    .order_by(Quiz.id)
)


def quiz_steps(user_id: int, courses) -> dict[int, list]:
    """For each course, one step per active quiz, done when the learner has passed it; required when the quiz
    counts towards completion (a practice quiz is a step the learner may take, never one they must)."""
    course_ids = [course.id for course in courses]
    rows = db.session.connection().execute(QUIZZES_WITH_BEST, {"user_id": user_id, "course_ids": course_ids})
    steps: dict[int, list] = {course_id: [] for course_id in course_ids}
    for course_id, quiz_id, title, pass_mark, module_id, counts_towards_completion, score in rows:
        passed = score is not None and score >= pass_mark
        if score is None:
            detail = f"Not attempted yet (pass mark {pass_mark}%)"
        elif passed:
            detail = f"Passed with {score:g}%"
        else:
            detail = f"Not passed yet: best score {score:g}%, pass mark {pass_mark}%"
        steps[course_id].append(
            Step(
                kind="quiz",
                title=title,
                endpoint="quizzes.quiz",
                values={"quiz_id": quiz_id},
                done=passed,
                module_id=module_id,
                item_id=quiz_id,
                detail=detail,
                score=score,
                required=counts_towards_completion,
            )
        )
    return steps
