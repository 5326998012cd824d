"""What a learner may see of a submitted attempt, by the quiz's review policy, and what to revisit after it."""

from sqlalchemy import func, select

from courses.outline import CourseOutline, ModuleOutline, outline_by_id
from lms.extensions import db
from quizzes.models import Attempt, Question

FULL = "full"  # score, right answers, feedback and explanations
SCORE_ONLY = "score_only"  # the score and the topics to revisit, nothing per question
WRONG_ONLY = "wrong_only"  # which questions were wrong, with their text and the learner's answer; never the key

PRACTICE = "practice"
POLICY_TEXT = {
    PRACTICE: "Practice: see how you are doing as you go and every right answer after you submit. "
    "A practice quiz never counts towards completion or a badge.",
    "retry_without_key": "Retry: after an attempt you see which questions you got wrong, with your own answers and "
    "the lessons to revisit. The right answers show once you have passed.",
    "exam": "Exam: after an attempt you see your score and the topics to revisit. "
    "The right answers show once you have passed.",
}
# Each policy in a few words, for the trainer's summary of a quiz.
POLICY_NAMES = {
    PRACTICE: "practice, every answer shown after a try",
    "retry_without_key": "retry, answers shown once passed",
    "exam": "exam, the score only until passed",
}
# The policies that keep the key hidden until a pass: the only ones a quiz that counts towards completion
# (and so towards a badge) may use.
KEY_AFTER_PASS = ("exam", "retry_without_key")
KEY_BEFORE_PASS_MESSAGE = (
    "a quiz that counts towards completion (and so towards a badge) must not show its right answers before a "
    "pass: give it review {policies}, or make it practice that does not count".format(
        policies=" or ".join(KEY_AFTER_PASS)
    )
)


def learner_standing(quiz_id: int, user_id: int) -> tuple[bool, bool]:
    """The learner's attempts at this quiz: whether one is open, and whether a submitted one passed."""
    rows = db.session.execute(
        select(Attempt.status, Attempt.passed, func.count())
        .where(Attempt.quiz_id == quiz_id, Attempt.user_id == user_id)
        .group_by(Attempt.status, Attempt.passed)
    ).all()
    open_now = any(status == "open" for status, _passed, _count in rows)
    passed = any(status == "submitted" and passed for status, passed, _count in rows)
    return open_now, passed


def review_level(attempt) -> str:
    """How much of a submitted attempt its learner may see now.

    A practice quiz shows everything; any other shows its key only once the learner has passed it. While another
    attempt at the quiz is open no right answer is shown at all: the key of an earlier attempt must never be on
    screen while the timer of the next one runs. An attempt at a quiz that does not count, holding a question a
    counting quiz asks (quizzes.key_guard), shows its score only.
    """
    quiz = attempt.quiz
    open_now, passed = learner_standing(quiz.id, attempt.user_id)
    if not open_now and (quiz.review == PRACTICE or passed):
        level = FULL
    else:
        level = SCORE_ONLY if quiz.review == "exam" else WRONG_ONLY
    # Imported here: the guard reads the bank, whose pack checks import this module.
    from quizzes.key_guard import holds_withheld

    if level != SCORE_ONLY and holds_withheld(attempt):
        return SCORE_ONLY  # it asks what a counting quiz asks: which answers were right would give that key away
    return level


def missed(views: list) -> list:
    """The graded questions of an attempt that were not fully right (trainer-marked ones still waiting excluded)."""
    return [
        view
        for view in views
        if view.graded
        and not (view.answer is not None and view.answer.needs_marking)
        and (view.answer is None or (view.answer.score or 0) < 1)
    ]


def modules_to_revisit(course: CourseOutline, quiz_module_id: int | None, views: list) -> list[ModuleOutline]:
    """The modules whose lessons teach what these questions asked, in course order.

    A question's tags name its topic ("bpo/entry-level-roles" is the module `entry-level-roles`); a question
    without such a tag belongs to its quiz's module.
    """
    by_slug = {module.slug: module for module in course.modules}
    question_ids = {view.version.question_id for view in views}
    rows = db.session.execute(select(Question.id, Question.tags).where(Question.id.in_(question_ids)))
    tags: dict[int, list] = {question_id: found or [] for question_id, found in rows}
    wanted: set[int] = set()
    for view in views:
        topics = [tag.rstrip("/").rsplit("/", 1)[-1] for tag in tags.get(view.version.question_id, [])]
        modules = [by_slug[topic].id for topic in topics if topic in by_slug]
        if modules:
            wanted.update(modules)
        elif quiz_module_id is not None:
            wanted.add(quiz_module_id)
    return [module for module in course.modules if module.id in wanted]


def revisit_for(attempt, views: list, outline: CourseOutline | None = None) -> list[ModuleOutline]:
    """What the learner should read again after this attempt: the modules of the questions they missed (`outline`:
    its course's, when the caller read it)."""
    wrong = missed(views)
    if not wrong:
        return []
    course = outline if outline is not None else outline_by_id(attempt.quiz.course_id)
    return modules_to_revisit(course, attempt.quiz.module_id, wrong)
