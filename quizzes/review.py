"""What a learner may see of a submitted attempt, by the quiz's review policy."""

from quizzes.attempts import attempts_used

FULL = "full"  # score, right answers, feedback and explanations
SCORE_ONLY = "score_only"  # the score and pass/fail, nothing per question
WRONG_ONLY = "wrong_only"  # which questions were right or wrong, never the right answers

POLICY_TEXT = {
    "practice": "Practice: check each answer as you go, see the right answers after you submit, retry freely.",
    "exam": "Exam: you see only your score until you have used all your attempts.",
    "retry_without_key": "Retry: after each attempt you see which questions you got wrong, but not the answers.",
}


def review_level(attempt) -> str:
    """How much of a submitted attempt its learner may see now."""
    quiz = attempt.quiz
    if quiz.review == "practice":
        return FULL
    if quiz.review == "exam":
        used_up = quiz.max_attempts and attempts_used(quiz.id, attempt.user_id) >= quiz.max_attempts
        return FULL if used_up else SCORE_ONLY
    return WRONG_ONLY
