"""A quiz that asks one whole exercise (a practice call, a typing test) is described as that exercise: its rules
and what a try shows afterwards, in place of "1 question; pass mark 80%" and words about questions got wrong."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, select

from lms.extensions import db
from quizzes.bank import question_types
from quizzes.models import Question, QuestionVersion, Quiz, QuizQuestion
from quizzes.review import POLICY_TEXT

# Built once: the quiz page of an exercise runs it. The quiz's one active question's current content.
SOLE_CONFIG = (
    select(QuestionVersion.config)
    .join(
        Question, and_(Question.id == QuestionVersion.question_id, Question.current_version == QuestionVersion.number)
    )
    .join(QuizQuestion, QuizQuestion.question_id == Question.id)
    .where(QuizQuestion.quiz_id == bindparam("quiz_id"), Question.active.is_(True))
    .limit(1)
)


@dataclass(frozen=True)
class Exercise:
    """How a quiz page speaks of the one exercise its quiz asks."""

    name: str  # "call", "typing test"
    rules: str  # how it is scored and what passing takes
    policy: str  # what the learner sees after a try


def quiz_exercise(quiz: Quiz, asked: int, sole_type: str | None) -> Exercise | None:
    """The exercise the quiz is, when each attempt asks one question of a whole-exercise type; else None."""
    qtype = question_types().get(sole_type or "")
    if asked != 1 or quiz.draws_by_tag or qtype is None or not qtype.whole_exercise:
        return None
    config = db.session.scalar(SOLE_CONFIG, {"quiz_id": quiz.id}) or {}
    return Exercise(
        name=qtype.exercise(config),
        rules=qtype.exercise_rules(config, quiz.pass_mark),
        policy=qtype.exercise_policy(quiz.review) or POLICY_TEXT[quiz.review],
    )


def sole_exercise(views):
    """The slot view of the one exercise an attempt asks alone, or None for an attempt of questions."""
    if len(views) != 1 or views[0].qtype is None or not views[0].qtype.whole_exercise:
        return None
    return views[0]


def attempt_exercise(views) -> str:
    """The name of the exercise an attempt asks alone ("call"), or "" for an attempt of questions."""
    view = sole_exercise(views)
    return view.qtype.exercise(view.version.config) if view else ""


def attempt_policy(quiz: Quiz, views) -> str:
    """What the quiz's review policy shows after a try, in the words of the exercise the attempt asks alone."""
    view = sole_exercise(views)
    return (view and view.qtype.exercise_policy(quiz.review)) or POLICY_TEXT[quiz.review]
