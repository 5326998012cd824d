"""Many learners at once, on SQLite and PostgreSQL: exact counts, no lock error, nothing graded or issued twice."""

from sqlalchemy import func, select

from lms.extensions import db
from tests.helpers import at_once
from tests.test_crash_safety import MODULES, lab_with_badges

LEARNERS = 12


def count(app, model) -> int:
    """Rows of a table."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_cohort_finishing_a_course_at_the_same_moment_gets_exact_counts(app, make_user, tmp_path):
    from badges.models import Award
    from courses.models import Course, CourseCompletion, Lesson, LessonCompletion, ModuleCompletion
    from courses.services import complete_lesson, enrol
    from quizzes.attempts import slot_views, start_attempt, submit_attempt
    from quizzes.models import Attempt, Quiz

    course = lab_with_badges(app, tmp_path)
    learners = [make_user() for _ in range(LEARNERS)]
    with app.app_context():
        lessons = {lesson.slug: lesson.id for lesson in db.session.scalars(select(Lesson))}

    def finish_course(n):
        user_id = learners[n]["id"]
        enrol(user_id, db.session.get_one(Course, course.id))
        for module in range(1, MODULES + 1):
            complete_lesson(user_id, db.session.get_one(Lesson, lessons[f"m{module}-read"]))
            attempt = start_attempt(db.session.get_one(Quiz, course.quizzes[f"m{module}"]), user_id)
            right = {view.slot: view.qtype.correct_response(view.version.config) for view in slot_views(attempt)}
            # The same attempt submitted twice, as a double click does: graded once.
            first, _ = submit_attempt(attempt.id, user_id, right)
            again, _ = submit_attempt(attempt.id, user_id, {})
            assert first.score == again.score == 100.0

    _, errors = at_once(LEARNERS, finish_course, app=app)
    assert errors == []
    assert count(app, LessonCompletion) == LEARNERS * MODULES
    assert count(app, ModuleCompletion) == LEARNERS * MODULES
    assert count(app, CourseCompletion) == LEARNERS
    assert count(app, Attempt) == LEARNERS * MODULES
    assert count(app, Award) == LEARNERS * MODULES  # one badge per module, none for the course in this lab
    with app.app_context():
        scores = set(db.session.scalars(select(Attempt.score)))
        per_learner = db.session.execute(select(Award.user_id, func.count()).group_by(Award.user_id)).tuples().all()
    assert scores == {100.0}
    assert sorted(n for _user, n in per_learner) == [MODULES] * LEARNERS
