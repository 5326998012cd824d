"""A quiz that does not count never gives away the key of one that does.

A quiz that counts towards completion (and so towards a badge) hides its right answers until the learner passes
it. A quiz that does not count shows them sooner: practice as the learner goes, any other once passed, and it may
be easy to pass. So such a quiz leaves out every question a counting quiz of its course may ask (one it holds, or
one its draw by tag, or from the whole bank, may pick) when an attempt starts, whatever put the question there
(the bank, a draw, a GIFT import, a pack sync, a tag edited later); and an attempt that already holds one (started
before) shows neither that key when checked nor any key in its review (`quizzes.review.review_level`).
"""

from collections.abc import Collection, Iterable

from sqlalchemy import select

from lms.extensions import db
from quizzes.bank import matches_tags, question_types
from quizzes.models import Question, Quiz, QuizQuestion


def counted_among(course_id: int, among: Collection[int]) -> set[int]:
    """Those of the questions `among` that a quiz of the course counting towards completion, published or not, may
    ask. The bank is read for these questions only: the cost follows the quizzes, not the size of the bank."""
    if not among:
        return set()
    counting = db.session.execute(
        select(Quiz.id, Quiz.draw_count, Quiz.draw_tags).where(
            Quiz.course_id == course_id, Quiz.counts_towards_completion.is_(True)
        )
    ).all()
    if not counting:
        return set()
    held = db.session.execute(
        select(QuizQuestion.quiz_id, QuizQuestion.question_id).where(QuizQuestion.quiz_id.in_([q.id for q in counting]))
    ).all()
    ids = {question_id for _quiz_id, question_id in held if question_id in among}
    holding = {quiz_id for quiz_id, _question_id in held}
    # As quizzes.bank.draws_from_bank: a draw by tag, or a draw from a quiz that holds no questions of its own.
    drawn_tags = [tags or [] for quiz_id, count, tags in counting if count and (tags or quiz_id not in holding)]
    if drawn_tags:
        ids |= {
            question_id
            for question_id, tags in graded_tags(course_id, among)
            if any(matches_tags(tags, wanted) for wanted in drawn_tags)
        }
    return ids


def graded_tags(course_id: int, among: Collection[int]) -> list[tuple[int, list]]:
    """Each graded question of the course among these (retired ones too: they may come back) with its tags."""
    graded = [name for name, qtype in question_types().items() if qtype.graded]
    rows = db.session.execute(
        select(Question.id, Question.tags).where(
            Question.course_id == course_id, Question.type.in_(graded), Question.id.in_(list(among))
        )
    )
    return [(question_id, tags or []) for question_id, tags in rows]


def withheld_among(quiz: Quiz, among: Collection[int]) -> set[int]:
    """Those of the questions `among` this quiz must not ask or show the key of: for a quiz that does not count,
    those a counting quiz of its course may ask."""
    return set() if quiz.counts_towards_completion else counted_among(quiz.course_id, among)


def askable(quiz: Quiz, questions: Iterable[Question]) -> list[Question]:
    """The questions of `questions` the quiz may ask (all of them, when it counts)."""
    questions = list(questions)
    withheld = withheld_among(quiz, {question.id for question in questions})
    return [question for question in questions if question.id not in withheld]


def holds_withheld(attempt) -> bool:
    """Whether an attempt holds a question its quiz may no longer show the key of (it started before)."""
    return bool(withheld_among(attempt.quiz, {slot["question_id"] for slot in attempt.slots}))
