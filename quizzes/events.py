"""Events the quizzes plugin emits (see `lms.events`)."""

import dataclasses
from typing import ClassVar

from lms.events import Event


@dataclasses.dataclass(frozen=True)
class QuizStarted(Event):
    """A learner started an attempt at a quiz."""

    name: ClassVar[str] = "quiz.started"
    user_id: int
    quiz_id: int
    attempt_id: int


@dataclasses.dataclass(frozen=True)
class QuizSubmitted(Event):
    """An attempt was submitted and graded (once); `score` is a percentage."""

    name: ClassVar[str] = "quiz.submitted"
    user_id: int
    course_id: int
    quiz_id: int
    attempt_id: int
    score: float
    passed: bool


@dataclasses.dataclass(frozen=True)
class QuizRescored(Event):
    """A scored attempt was scored again, a trainer having corrected a mark; `score` is its new percentage."""

    name: ClassVar[str] = "quiz.rescored"
    user_id: int
    course_id: int
    quiz_id: int
    attempt_id: int
    score: float
    passed: bool
    previous_score: float
    previous_passed: bool
