"""The counts the course dashboard reads (learners by modules done, started and completed; enrolments and
completions by day; badges held) are kept by the database as enrolments and awards are written, and always
agree with counting the rows themselves."""

import importlib.util
import pathlib
from collections import Counter

from sqlalchemy import delete, func, select, text

from lms.extensions import db
from tests import test_badges_issuing as issuing
from tests import test_demo_data

generated = test_demo_data.generated
MIGRATION = pathlib.Path(__file__).resolve().parents[1] / "migrations" / "versions" / "a7c9e1f3b5d8_course_tallies.py"


def counted(course_id: int) -> dict:
    """The dashboard's counts worked out from every enrolment and award, as a report without tallies would."""
    from badges.models import Award, BadgeClass
    from courses.learner_table import STARTED
    from courses.models import Enrolment

    rows = db.session.execute(
        select(Enrolment.modules_done, STARTED, Enrolment.completed_at.is_not(None), func.count())
        .where(Enrolment.course_id == course_id)
        .group_by(Enrolment.modules_done, STARTED, Enrolment.completed_at.is_not(None))
    ).all()
    days: Counter = Counter()
    for enrolled_at, completed_at in db.session.execute(
        select(Enrolment.enrolled_at, Enrolment.completed_at).where(Enrolment.course_id == course_id)
    ):
        days[enrolled_at.date(), "enrolments"] += 1
        if completed_at is not None:
            days[completed_at.date(), "completions"] += 1
    held = db.session.execute(
        select(BadgeClass.id, func.count(Award.id).filter(Award.revoked_at.is_(None)))
        .outerjoin(Award, Award.badge_class_id == BadgeClass.id)
        .where(BadgeClass.course_id == course_id)
        .group_by(BadgeClass.id)
    ).all()
    return {
        "tallies": {(modules, bool(began), bool(done)): n for modules, began, done, n in rows},
        "days": dict(days),
        "held": dict(held),
    }


def kept(course_id: int) -> dict:
    """The same counts as the database keeps them."""
    from badges.models import BadgeClass
    from courses.models import CourseDay, CourseTally

    tallies = db.session.execute(
        select(CourseTally.modules_done, CourseTally.started, CourseTally.completed, CourseTally.learners).where(
            CourseTally.course_id == course_id, CourseTally.learners != 0
        )
    ).all()
    days: Counter = Counter()
    for day, enrolments, completions in db.session.execute(
        select(CourseDay.day, CourseDay.enrolments, CourseDay.completions).where(CourseDay.course_id == course_id)
    ):
        if enrolments:
            days[day, "enrolments"] = enrolments
        if completions:
            days[day, "completions"] = completions
    held = db.session.execute(select(BadgeClass.id, BadgeClass.held_count).where(BadgeClass.course_id == course_id))
    return {
        "tallies": {(modules, began, done): n for modules, began, done, n in tallies},
        "days": dict(days),
        "held": dict(held.all()),
    }


def assert_agree(app, course_id: int) -> dict:
    """The kept counts are the counted ones; returns them."""
    with app.app_context():
        expected = counted(course_id)
        assert kept(course_id) == expected
    return expected


def test_generated_learners_are_tallied_as_they_are_loaded(app, generated):
    counts = assert_agree(app, generated.id)
    assert sum(counts["tallies"].values()) == test_demo_data.LEARNERS
    assert len({day for day, _kind in counts["days"]}) > 30  # sign-ups and completions over months
    assert any(done for _m, _s, done in counts["tallies"]) and any(n for n in counts["held"].values())


def test_lessons_quizzes_completions_revocations_and_deletions_keep_the_tallies(app, make_user, generated):
    from badges.models import Award
    from badges.services import revoke
    from lms.models import User

    course = issuing.course_info(app, generated.slug)
    newcomer = make_user()["id"]
    issuing.enrol_learner(app, newcomer, course)
    assert_agree(app, course.id)  # enrolled: not started
    issuing.take_quiz(app, newcomer, next(iter(course.modules.values())).quiz_id, correct=False)
    assert_agree(app, course.id)  # started by a failed quiz
    issuing.complete_module(app, newcomer, course)
    issuing.complete_course(app, newcomer, course)
    counts = assert_agree(app, course.id)  # every module, the final and the course badge
    assert counts["tallies"][len(course.modules), True, True] >= 1
    admin = make_user("admin")["id"]
    with app.app_context():
        public_ids = db.session.scalars(
            select(Award.public_id).where(Award.user_id == newcomer, Award.revoked_at.is_(None)).limit(2)
        ).all()
        for public_id in public_ids:
            revoke(db.session.get_one(User, admin), public_id, "Awarded in error.")
        leavers = db.session.scalars(select(User.id).where(User.role == "learner").limit(5)).all()
        db.session.execute(delete(User).where(User.id.in_(leavers)))  # their enrolments and awards go with them
        db.session.commit()
    assert_agree(app, course.id)


def test_the_upgrade_works_out_the_same_tallies_from_the_enrolments(app, generated):
    from courses.models import CourseDay, CourseTally

    spec = importlib.util.spec_from_file_location("tallies_migration", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        before = kept(generated.id)
        db.session.execute(delete(CourseTally))
        db.session.execute(delete(CourseDay))
        postgres = db.session.get_bind().dialect.name == "postgresql"
        day = migration.postgres_day if postgres else migration.sqlite_day
        false = "false" if postgres else "0"
        for statement in migration.backfill(day, false):
            db.session.execute(text(statement))
        assert kept(generated.id) == before
        db.session.rollback()
