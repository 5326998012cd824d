"""The courses plugin's part of a learner's record: enrolments, completions and each lesson read, with dates."""

from flask import url_for
from sqlalchemy import select

from courses.models import Course, CourseCompletion, Enrolment, Lesson, LessonCompletion, Module, ModuleCompletion
from courses.trainers import authored_course_ids
from lms.access import has_role
from lms.extensions import db
from lms.records import RecordPart, TimelineEntry


def enrolled_course_ids(learner_id: int) -> set[int]:
    """The courses the learner is enrolled in."""
    return set(db.session.scalars(select(Enrolment.course_id).where(Enrolment.user_id == learner_id)))


def trainer_scope(viewer, learner_id: int) -> set[int] | None:
    """For a trainer: the learner's courses they were assigned to (others see nothing through this plugin)."""
    if not has_role(viewer, "trainer"):
        return set()
    allowed = authored_course_ids(viewer)
    enrolled = enrolled_course_ids(learner_id)
    return enrolled if allowed is None else enrolled & allowed


def within(query, column, course_ids: set[int] | None):
    """The query limited to these courses, unless they are None (everything)."""
    return query if course_ids is None else query.where(column.in_(course_ids))


def courses_part(learner_id: int, course_ids: set[int] | None) -> RecordPart:
    """Enrolments with their completion, and each lesson and module the learner completed, by course."""
    enrolments = db.session.execute(
        within(
            select(Course.id, Course.title, Course.slug, Enrolment.enrolled_at, CourseCompletion.completed_at)
            .join(Enrolment, Enrolment.course_id == Course.id)
            .outerjoin(
                CourseCompletion,
                (CourseCompletion.course_id == Course.id) & (CourseCompletion.user_id == learner_id),
            )
            .where(Enrolment.user_id == learner_id),
            Course.id,
            course_ids,
        ).order_by(Enrolment.enrolled_at)
    ).all()
    lessons = db.session.execute(
        within(
            select(Lesson.course_id, Module.title, Lesson.title, LessonCompletion.completed_at)
            .join(LessonCompletion, LessonCompletion.lesson_id == Lesson.id)
            .join(Module, Module.id == Lesson.module_id)
            .where(LessonCompletion.user_id == learner_id),
            Lesson.course_id,
            course_ids,
        ).order_by(LessonCompletion.completed_at)
    ).all()
    modules = db.session.execute(
        within(
            select(Module.course_id, Module.title, ModuleCompletion.completed_at)
            .join(ModuleCompletion, ModuleCompletion.module_id == Module.id)
            .where(ModuleCompletion.user_id == learner_id),
            Module.course_id,
            course_ids,
        ).order_by(ModuleCompletion.completed_at)
    ).all()
    timeline = []
    for course in enrolments:
        link = url_for("courses.course", course_slug=course.slug)
        timeline.append(TimelineEntry(course.enrolled_at, f"Enrolled in {course.title}", link))
        if course.completed_at:
            timeline.append(TimelineEntry(course.completed_at, f"Completed the course {course.title}", link))
    timeline += [TimelineEntry(row.completed_at, f"Read the lesson “{row[2]}” ({row[1]})") for row in lessons]
    timeline += [TimelineEntry(row.completed_at, f"Completed the module “{row[1]}”") for row in modules]
    by_course = {course.id: [row for row in lessons if row.course_id == course.id] for course in enrolments}
    return RecordPart(
        order=10,
        title="Courses and lessons",
        template="courses/_record.html",
        context={"enrolments": enrolments, "lessons": by_course},
        timeline=timeline,
    )
