"""What a learner may see of a submitted attempt, by the quiz's review policy."""

from sqlalchemy import func, select

from lms.extensions import db
from quizzes.models import Attempt

FULL = "full"  # score, right answers, feedback and explanations
SCORE_ONLY = "score_only"  # the score and pass/fail, nothing per question
WRONG_ONLY = "wrong_only"  # which questions were right or wrong, never the right answers

POLICY_TEXT = {
    "practice": "Practice: check each answer as you go, see the right answers after you submit, retry freely.",
    "exam": "Exam: you see only your score until you have used all your attempts.",
    "retry_without_key": "Retry: after each attempt you see which questions you got wrong, but not the answers.",
}


def attempt_counts(quiz_id: int, user_id: int) -> tuple[int, int]:
    """How many of the learner's attempts at this quiz are submitted, and how many are open."""
    rows = db.session.execute(
        select(Attempt.status, func.count())
        .where(Attempt.quiz_id == quiz_id, Attempt.user_id == user_id)
        .group_by(Attempt.status)
    ).all()
    counts = {status: count for status, count in rows}
    return counts.get("submitted", 0), counts.get("open", 0)


def review_level(attempt) -> str:
    """How much of a submitted attempt its learner may see now.

    Only submitted attempts count as used, and while another attempt at the quiz is open no right answer is
    shown at all: the key of an earlier attempt must never be on screen while the timer of the next one runs.
    """
    quiz = attempt.quiz
    submitted, open_now = attempt_counts(quiz.id, attempt.user_id)
    if quiz.review == "exam":
        used_up = bool(quiz.max_attempts) and submitted >= quiz.max_attempts
        return FULL if used_up and not open_now else SCORE_ONLY
    if quiz.review == "practice" and not open_now:
        return FULL
    return WRONG_ONLY
