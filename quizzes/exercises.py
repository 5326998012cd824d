"""A quiz that asks one whole exercise (a practice call, a typing test) is described as that exercise: its rules
and what a try shows afterwards, in place of "1 question; pass mark 80%" and words about questions got wrong."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, select

from lms.extensions import db
from quizzes.bank import question_types
from quizzes.models import Question, QuestionVersion, Quiz, QuizQuestion
from quizzes.review import POLICY_TEXT
from quizzes.types.base import QuestionType

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
    """How the pages of a quiz speak of the one exercise it asks."""

    name: str  # "call", "typing test"
    rules: str  # how it is scored and what passing takes
    goal: str  # what passing takes, in a few words: "meet the standard"
    policy: str  # what the learner sees after a try


def exercise_of(qtype: QuestionType, config: dict, quiz: Quiz) -> Exercise:
    """The exercise a question of a whole-exercise type makes of its quiz."""
    return Exercise(
        name=qtype.exercise(config),
        rules=qtype.exercise_rules(config, quiz.pass_mark),
        goal=qtype.exercise_goal(config, quiz.pass_mark),
        policy=qtype.exercise_policy(quiz.review) or POLICY_TEXT[quiz.review],
    )


def quiz_exercise(quiz: Quiz, asked: int, sole_type: str | None) -> Exercise | None:
    """The exercise the quiz is, when each attempt asks one question of a whole-exercise type; else None."""
    qtype = question_types().get(sole_type or "")
    if asked != 1 or quiz.draws_by_tag or qtype is None or not qtype.whole_exercise:
        return None
    return exercise_of(qtype, db.session.scalar(SOLE_CONFIG, {"quiz_id": quiz.id}) or {}, quiz)


def attempt_exercise(quiz: Quiz, views) -> Exercise | None:
    """The exercise an attempt asks alone (its one question is of a whole-exercise type); else None."""
    if len(views) != 1 or views[0].qtype is None or not views[0].qtype.whole_exercise:
        return None
    return exercise_of(views[0].qtype, views[0].version.config, quiz)
