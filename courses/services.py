"""Course services: checking and syncing packs, enrolment and lesson completion."""

import dataclasses

from sqlalchemy import select

from courses import pack_sections
from courses.events import CourseEnrolled, CourseSynced, LessonCompleted
from courses.models import Course, Enrolment, Lesson, LessonCompletion, Module
from courses.outline import CourseOutline, LessonOutline
from courses.pack import Pack, Problem, read_pack
from courses.progress import lock_enrolment, record_completions
from lms.db import begin_write, commit, insert_if_absent
from lms.events import emit
from lms.extensions import db
from lms.models import audit, utcnow
from lms.plugins import plugin_manager, real_app
from lms.services import ServiceError


def check_pack(path) -> tuple[Pack | None, list[Problem]]:
    """Validate a pack folder, including the parts other plugins own (quiz files, badges)."""
    pack, problems = read_pack(path, pack_sections(real_app()))
    if pack is not None:
        app = real_app()
        for group in plugin_manager(app).hook.lms_check_pack(app=app, pack=pack):
            problems.extend(group or ())
    return (pack if not problems else None), problems


@dataclasses.dataclass
class SyncRun:
    """How one sync treats what trainers changed locally, and what it has to report."""

    replace_local: bool = False  # overwrite trainers' edits to pack content with the pack's version
    notes: list[str] = dataclasses.field(default_factory=list)


def sync_pack(pack: Pack, run: SyncRun | None = None) -> Course:
    """Load a valid pack in one transaction, keyed by slugs; what the pack no longer lists becomes inactive."""
    begin_write()
    try:
        course = db.session.scalar(select(Course).where(Course.slug == pack.slug))
        if course is None:
            course = Course(slug=pack.slug, title=pack.title)
            db.session.add(course)
        course.title, course.summary, course.source, course.version, course.active = (
            pack.title,
            pack.summary,
            pack.source,
            pack.version,
            True,
        )
        course.glossary = pack.glossary
        course.synced_at = utcnow()  # every process rebuilds its cached outline of the course (courses.outline)
        db.session.flush()
        sync_structure(course, pack)
        app = real_app()
        plugin_manager(app).hook.lms_sync_pack(app=app, pack=pack, course=course, run=run or SyncRun())
    except Exception:
        db.session.rollback()
        raise
    emit(CourseSynced(course_id=course.id, course_slug=course.slug))
    commit()
    return course


def sync_structure(course: Course, pack: Pack) -> None:
    """Upsert modules and lessons by slug and deactivate the ones the pack dropped."""
    modules = {m.slug: m for m in db.session.scalars(select(Module).where(Module.course_id == course.id))}
    lessons = {
        lesson.slug: lesson for lesson in db.session.scalars(select(Lesson).where(Lesson.course_id == course.id))
    }
    for dropped_module in modules.values():
        dropped_module.active = False  # until the pack lists it again below
    for dropped_lesson in lessons.values():
        dropped_lesson.active = False
    for position, spec in enumerate(pack.modules):
        module = modules.get(spec.slug)
        if module is None:
            module = Module(course_id=course.id, slug=spec.slug, title=spec.title)
            db.session.add(module)
        module.title, module.icon, module.position, module.active = spec.title, spec.icon, position, True
        db.session.flush()
        for lesson_position, lesson_spec in enumerate(spec.lessons):
            lesson = lessons.get(lesson_spec.slug)
            if lesson is None:
                lesson = Lesson(course_id=course.id, slug=lesson_spec.slug, module_id=module.id)
                db.session.add(lesson)
            lesson.module_id = module.id
            lesson.title = lesson_spec.title
            lesson.minutes = lesson_spec.minutes
            lesson.objectives = lesson_spec.objectives
            lesson.body_markdown = lesson_spec.body_markdown
            lesson.body_html = lesson_spec.body_html
            lesson.position = lesson_position
            lesson.active = True
    db.session.flush()
    db.session.expire(course, ["modules"])


def enrol(user_id: int, course: CourseOutline) -> bool:
    """Enrol a learner; True when newly enrolled, False when they already were."""
    if not course.active:
        raise ServiceError("This course is not available.", 404)
    begin_write()
    now = utcnow()  # enrolling is the learner's first activity in the course
    created = insert_if_absent(Enrolment, user_id=user_id, course_id=course.id, enrolled_at=now, last_activity_at=now)
    if created:
        emit(CourseEnrolled(user_id=user_id, course_id=course.id))
    commit()
    return created


def complete_lesson(user_id: int, lesson: LessonOutline, course: CourseOutline | None = None) -> bool:
    """Record that the learner completed a lesson (once); True when this call recorded it. `course`: the lesson's
    course outline, when the caller holds it (it spares a query)."""
    if not lesson.active:
        raise ServiceError("This lesson is no longer part of the course.", 404)
    course_id = lesson.course_id
    begin_write()
    if lock_enrolment(user_id, course_id) is None:
        db.session.rollback()
        raise ServiceError("Enrol in the course first.", 409)
    created = insert_if_absent(LessonCompletion, user_id=user_id, lesson_id=lesson.id)
    if created:
        emit(LessonCompleted(user_id=user_id, course_id=course_id, lesson_id=lesson.id))
        record_completions(user_id, course_id, outline=course)
    commit()
    return created


def enrol_cohort(actor, course: CourseOutline, cohort_id: int) -> int:
    """Enrol every learner of a cohort in the course, in one transaction; how many were newly enrolled."""
    from lms.cohorts import Cohort, member_ids

    if not course.active:
        raise ServiceError("This course is not available.", 404)
    begin_write()
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        db.session.rollback()
        raise ServiceError("There is no such cohort.", 404)
    if not cohort.member_count:
        db.session.rollback()
        raise ServiceError(f"The cohort “{cohort.name}” has no learners yet: add some first.", 409)
    now = utcnow()
    enrolled = 0
    for user_id in db.session.scalars(member_ids(cohort_id)).all():
        values = {"user_id": user_id, "course_id": course.id, "enrolled_at": now, "last_activity_at": now}
        if insert_if_absent(Enrolment, **values):
            emit(CourseEnrolled(user_id=user_id, course_id=course.id))
            enrolled += 1
    audit(actor, "course.enrol_cohort", f"course:{course.id}", cohort=cohort_id, enrolled=enrolled)
    commit()
    return enrolled
