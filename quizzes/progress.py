"""Quiz steps for the course progress page."""

from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from courses.progress import Step
from lms.extensions import db
from quizzes.models import Attempt, Quiz


def quiz_steps(user_id: int, course) -> list:
    """One step per active quiz of the course, done when the learner has passed it."""
    # Only the quizzes' own columns: their questions are not needed to say whether they were passed.
    quizzes = db.session.scalars(
        select(Quiz).where(Quiz.course_id == course.id, Quiz.active.is_(True)).options(lazyload(Quiz.items))
    ).all()
    if not quizzes:
        return []
    best: dict[int, float] = dict(
        db.session.execute(  # type: ignore[arg-type]
            select(Attempt.quiz_id, func.max(Attempt.score))
            .where(
                Attempt.user_id == user_id, Attempt.status == "submitted", Attempt.quiz_id.in_([q.id for q in quizzes])
            )
            .group_by(Attempt.quiz_id)
        ).all()
    )
    steps = []
    for quiz in quizzes:
        score = best.get(quiz.id)
        passed = score is not None and score >= quiz.pass_mark
        if score is None:
            detail = f"Not attempted yet (pass mark {quiz.pass_mark}%)"
        elif passed:
            detail = f"Passed with {score:g}%"
        else:
            detail = f"Not passed yet: best score {score:g}%, pass mark {quiz.pass_mark}%"
        steps.append(
            Step(
                kind="quiz",
                title=quiz.title,
                endpoint="quizzes.quiz",
                values={"quiz_id": quiz.id},
                done=passed,
                module_id=quiz.module_id,
                item_id=quiz.id,
                detail=detail,
                score=score,
                required=quiz.module_id is not None,
            )
        )
    return steps
