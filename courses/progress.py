"""Progress derived from completion facts against the current course structure."""

import dataclasses

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from courses.models import Course, CourseCompletion, Enrolment, Lesson, LessonCompletion, Module, ModuleCompletion
from lms.events import emit
from lms.extensions import db


@dataclasses.dataclass
class Step:
    """One thing a learner does in a course: read a lesson, pass a quiz."""

    kind: str  # "lesson" or "quiz"
    title: str
    endpoint: str
    values: dict
    done: bool
    module_id: int | None  # None for course-level steps such as a final assessment
    detail: str = ""
    required: bool = True

    @property
    def url(self) -> str:
        """Where the step happens (needs a request context)."""
        return url_for(self.endpoint, **self.values)


@dataclasses.dataclass
class ModuleProgress:
    """A module's steps and how many are done."""

    module: Module
    steps: list

    @property
    def required(self) -> list:
        """The steps that count towards completion."""
        return [step for step in self.steps if step.required]

    @property
    def done(self) -> int:
        """How many required steps are done."""
        return sum(step.done for step in self.required)

    @property
    def total(self) -> int:
        """How many required steps there are."""
        return len(self.required)

    @property
    def complete(self) -> bool:
        """Every required step is done."""
        return self.total > 0 and self.done == self.total

    @property
    def remaining(self) -> list:
        """Required steps still to do, in order."""
        return [step for step in self.required if not step.done]


@dataclasses.dataclass
class CourseProgress:
    """A learner's progress through a course."""

    course: Course
    modules: list
    extra_steps: list  # course-level steps, e.g. the final assessment

    @property
    def done(self) -> int:
        """Required steps done across all modules."""
        return sum(module.done for module in self.modules)

    @property
    def total(self) -> int:
        """Required steps across all modules."""
        return sum(module.total for module in self.modules)

    @property
    def percent(self) -> int:
        """Whole-number percentage, never above 100 (derived from facts against today's structure)."""
        return 0 if self.total == 0 else (100 * self.done) // self.total

    @property
    def complete(self) -> bool:
        """Every module is complete."""
        return bool(self.modules) and all(module.complete for module in self.modules)

    def next_step(self) -> Step | None:
        """The first unfinished step, in course order; then optional course-level steps."""
        for module in self.modules:
            for step in module.steps:
                if not step.done:
                    return step
        return next((step for step in self.extra_steps if not step.done), None)


def active_modules(course: Course) -> list:
    """The modules the pack currently lists, in order."""
    return [module for module in course.modules if module.active]


def course_progress(user_id: int, course: Course) -> CourseProgress:
    """Work out a learner's progress from their completion facts."""
    modules = active_modules(course)
    done_lessons = set(
        db.session.scalars(
            select(LessonCompletion.lesson_id)
            .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
            .where(LessonCompletion.user_id == user_id, Lesson.course_id == course.id)
        )
    )
    steps_by_module = {module.id: [] for module in modules}
    for module in modules:
        for lesson in module.lessons:
            if lesson.active:
                steps_by_module[module.id].append(
                    Step(
                        kind="lesson",
                        title=lesson.title,
                        endpoint="learn.lesson",
                        values={"course_slug": course.slug, "module_slug": module.slug, "lesson_slug": lesson.slug},
                        done=lesson.id in done_lessons,
                        module_id=module.id,
                        detail="Read" if lesson.id in done_lessons else "Not marked as complete yet",
                    )
                )
    extra = []
    app = current_app._get_current_object()
    for group in app.extensions["lms"].pm.hook.lms_progress_steps(app=app, user_id=user_id, course=course):
        for step in group or ():
            if step.module_id in steps_by_module:
                steps_by_module[step.module_id].append(step)
            elif step.module_id is None:
                extra.append(step)
    return CourseProgress(
        course=course,
        modules=[ModuleProgress(module=module, steps=steps_by_module[module.id]) for module in modules],
        extra_steps=extra,
    )


def is_enrolled(user_id: int, course_id: int) -> bool:
    """Whether the learner is enrolled in the course."""
    return (
        db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id))
        is not None
    )


def lock_enrolment(user_id: int, course_id: int) -> Enrolment | None:
    """Lock the learner's enrolment row for this transaction, serializing their progress updates."""
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id).with_for_update()
    )


def insert_once(model, **values) -> bool:
    """Insert a fact row unless it exists; True when this call inserted it."""
    exists = db.session.scalar(select(model.id).filter_by(**values))
    if exists is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(model(**values))
    except IntegrityError:
        return False  # another request recorded the same fact at the same moment
    return True


def record_completions(user_id: int, course: Course) -> None:
    """Inside a write transaction: record newly completed modules and course, and emit their events once."""
    db.session.flush()
    progress = course_progress(user_id, course)
    for module_progress in progress.modules:
        if module_progress.complete and insert_once(
            ModuleCompletion, user_id=user_id, module_id=module_progress.module.id
        ):
            emit(
                "module.completed",
                user_id=user_id,
                course_id=course.id,
                module_id=module_progress.module.id,
                module_slug=module_progress.module.slug,
                course_slug=course.slug,
            )
    if progress.complete and insert_once(CourseCompletion, user_id=user_id, course_id=course.id):
        emit("course.completed", user_id=user_id, course_id=course.id, course_slug=course.slug)
