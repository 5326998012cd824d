"""Progress derived from completion facts against the current course structure."""

import dataclasses
import functools
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from flask import url_for
from sqlalchemy import bindparam, func, select, update

from courses.events import CourseCompleted, ModuleCompleted
from courses.models import CourseCompletion, Enrolment, Lesson, LessonCompletion, Module, ModuleCompletion
from courses.outline import CourseOutline, LessonOutline, ModuleOutline, outline_by_id
from lms.achievements import celebrate, watching
from lms.db import insert_if_absent, json_merged, prepared
from lms.events import emit
from lms.extensions import db
from lms.models import utcnow
from lms.plugins import plugin_manager, real_app


@dataclasses.dataclass
class Step:
    """One thing a learner does in a course: read a lesson, pass a quiz."""

    kind: str  # "lesson" or "quiz"
    title: str
    endpoint: str
    values: dict
    done: bool
    module_id: int | None  # None for course-level steps such as a final assessment
    item_id: int | None = None  # the id of the lesson, quiz, ... the step is about, within its kind
    detail: str = ""
    required: bool = True
    score: float | None = None  # the learner's best score, for steps that are scored (a quiz)

    @property
    def url(self) -> str:
        """Where the step happens (needs a request context)."""
        return url_for(self.endpoint, **self.values)


def percent(done: int, total: int) -> int:
    """A whole-number percentage of steps done, rounded half up as a person would (2 of 3 is 67%), but 100 only
    when every step is done (199 of 200 is 99%)."""
    if total <= 0:
        return 0
    if done >= total:
        return 100
    return min(99, (200 * done + total) // (2 * total))


def best_score(steps: Iterable[Step]) -> float | None:
    """The best score among scored steps, or None when none has one."""
    scores = [step.score for step in steps if step.score is not None]
    return max(scores) if scores else None


class StepLink(NamedTuple):
    """What a list of steps shows of one: where it leads, its title, whether it is done, and whether it is needed.

    The link is kept as its endpoint and values, not as a URL: a list of steps is the key of a remembered
    fragment (lms.fragments), so the URLs are built only when the list is rendered, not for every page.
    """

    endpoint: str
    values: tuple  # (name, value) pairs, hashable as a memo key needs
    title: str
    done: bool
    required: bool = True  # False: practice, which completes nothing

    @property
    def url(self) -> str:
        """Where the step happens (needs a request context)."""
        return url_for(self.endpoint, **dict(self.values))


@dataclasses.dataclass
class ModuleProgress:
    """A module's steps and how many are done."""

    module: ModuleOutline | Module  # a Module when replaying the completion of a module the pack has since dropped
    steps: list  # not changed once built: the counts below are worked out once

    @functools.cached_property
    def required(self) -> list:
        """The steps that count towards completion."""
        return [step for step in self.steps if step.required]

    @functools.cached_property
    def done(self) -> int:
        """How many required steps are done."""
        return sum(step.done for step in self.required)

    @functools.cached_property
    def total(self) -> int:
        """How many required steps there are."""
        return len(self.required)

    @property
    def percent(self) -> int:
        """Whole-number percentage of required steps done."""
        return percent(self.done, self.total)

    @property
    def complete(self) -> bool:
        """Every required step is done."""
        return self.total > 0 and self.done == self.total

    @property
    def remaining(self) -> list:
        """Required steps still to do, in order."""
        return [step for step in self.required if not step.done]

    def step_links(self) -> tuple[StepLink, ...]:
        """Every step as a list shows it."""
        return tuple(
            StepLink(step.endpoint, tuple(step.values.items()), step.title, step.done, step.required)
            for step in self.steps
        )


@dataclasses.dataclass
class CourseProgress:
    """A learner's progress through a course."""

    course: CourseOutline
    modules: list
    extra_steps: list  # course-level steps, e.g. the final assessment

    @functools.cached_property
    def required_extra(self) -> list[Step]:
        """The course-level steps that count towards completion, such as a final assessment."""
        return [step for step in self.extra_steps if step.required]

    @functools.cached_property
    def done(self) -> int:
        """Required steps done across all modules and the course-level ones."""
        return sum(module.done for module in self.modules) + sum(step.done for step in self.required_extra)

    @functools.cached_property
    def total(self) -> int:
        """Required steps across all modules and the course-level ones."""
        return sum(module.total for module in self.modules) + len(self.required_extra)

    @property
    def percent(self) -> int:
        """Whole-number percentage, never above 100 (derived from facts against today's structure)."""
        return percent(self.done, self.total)

    def steps(self) -> list[Step]:
        """Every step: each module's, then the course-level ones."""
        return [step for module in self.modules for step in module.steps] + list(self.extra_steps)

    @property
    def modules_complete(self) -> bool:
        """Every module is complete (a final assessment then opens)."""
        return bool(self.modules) and all(module.complete for module in self.modules)

    @property
    def complete(self) -> bool:
        """Every module is complete, and every required course-level step done."""
        return self.modules_complete and all(step.done for step in self.required_extra)

    def next_step(self) -> Step | None:
        """The first unfinished step that counts, in course order (the modules', then the course-level ones); once
        none is left, the first optional one (a practice exercise)."""
        steps = [step for module in self.modules for step in module.steps] + list(self.extra_steps)
        unfinished = [step for step in steps if not step.done]
        return next((step for step in unfinished if step.required), unfinished[0] if unfinished else None)


LESSONS_DONE = (
    select(LessonCompletion.lesson_id)
    .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
    .where(
        LessonCompletion.user_id == bindparam("user_id"),
        Lesson.course_id.in_(bindparam("course_ids", expanding=True)),
    )
)


def course_progress(user_id: int, course: CourseOutline) -> CourseProgress:
    """Work out a learner's progress through a course from their completion facts."""
    return courses_progress(user_id, [course])[0]


def courses_progress(user_id: int, courses: list[CourseOutline]) -> list[CourseProgress]:
    """A learner's progress through each of these courses, read in as many statements as for one course (a
    dashboard costs the same however many courses the learner is enrolled in)."""
    if not courses:
        return []
    done_lessons = set(
        db.session.connection()
        .execute(LESSONS_DONE, {"user_id": user_id, "course_ids": [course.id for course in courses]})
        .scalars()
    )
    added: dict[int, list[Step]] = {course.id: [] for course in courses}
    app = real_app()
    for steps_by_course in plugin_manager(app).hook.lms_progress_steps(app=app, user_id=user_id, courses=courses):
        for course_id, steps in (steps_by_course or {}).items():
            added[course_id].extend(steps)
    return [progress_from(course, done_lessons, added[course.id]) for course in courses]


def progress_from(course: CourseOutline, done_lessons: set[int], added: list[Step]) -> CourseProgress:
    """A course's progress: its lessons (done when in `done_lessons`) and the steps plugins `added`, each in its
    module, or at the end when it belongs to the whole course."""
    steps_by_module = {
        module.id: [lesson_step(course, module, lesson, lesson.id in done_lessons) for lesson in module.lessons]
        for module in course.modules
    }
    extra = []
    for step in added:
        if step.module_id in steps_by_module:
            steps_by_module[step.module_id].append(step)
        elif step.module_id is None:
            extra.append(step)
    return CourseProgress(
        course=course,
        modules=[ModuleProgress(module=module, steps=steps_by_module[module.id]) for module in course.modules],
        extra_steps=extra,
    )


def lesson_step(course: CourseOutline, module: ModuleOutline, lesson: LessonOutline, done: bool) -> Step:
    """The step of reading a lesson."""
    return Step(
        kind="lesson",
        title=lesson.title,
        endpoint="courses.lesson",
        values={"course_slug": course.slug, "module_slug": module.slug, "lesson_slug": lesson.slug},
        done=done,
        module_id=module.id,
        item_id=lesson.id,
        detail="Read" if done else "Not marked as complete yet",
    )


ENROLMENT = select(Enrolment.id).where(
    Enrolment.user_id == bindparam("user_id"), Enrolment.course_id == bindparam("course_id")
)


LOCK_ENROLMENT = ENROLMENT.with_for_update()


def lock_enrolment(user_id: int, course_id: int) -> int | None:
    """Lock the learner's enrolment row for this transaction, serializing their progress updates; its id, or
    None when the learner is not enrolled."""
    return db.session.connection().execute(LOCK_ENROLMENT, {"user_id": user_id, "course_id": course_id}).scalar()


def record_completions(
    user_id: int, course_id: int, cells: dict | None = None, outline: CourseOutline | None = None
) -> None:
    """Inside a write transaction: record newly completed modules and course, and emit their events once; `cells`
    are report cells to keep on the enrolment in the same statement (see `keep_cells`); `outline`, the course's
    outline when the caller read it in this request (else it is read again)."""
    db.session.flush()
    course = outline if outline is not None and outline.id == course_id else outline_by_id(course_id)
    progress = course_progress(user_id, course)
    now = utcnow()  # one moment for the facts and the summary, so they agree
    for module_progress in progress.modules:
        module = module_progress.module
        if module_progress.complete and insert_if_absent(
            ModuleCompletion, user_id=user_id, module_id=module.id, completed_at=now
        ):
            emit(module_completed(user_id, course, module_progress))
    if progress.complete and insert_if_absent(CourseCompletion, user_id=user_id, course_id=course.id, completed_at=now):
        emit(course_completed(user_id, progress))
    keep_summary(user_id, course_id, progress, now, cells)


def keep_summary(
    user_id: int, course_id: int, progress: CourseProgress, now: datetime, cells: dict | None = None
) -> None:
    """Inside a write transaction: store the enrolment's progress, modules done, completion and activity, and
    any report cells another plugin passes along (see `keep_cells`)."""
    values = {
        "u": user_id,
        "c": course_id,
        "percent": progress.percent,
        "modules": sum(1 for module in progress.modules if module.complete),
        "now": now,
        "completed": now if progress.complete else None,
        "patch": cells or {},
    }
    db.session.connection().execute(prepared(_summary), values)


def _summary():
    return (
        update(Enrolment)
        .where(Enrolment.user_id == bindparam("u"), Enrolment.course_id == bindparam("c"))
        .values(
            progress_percent=bindparam("percent"),
            modules_done=bindparam("modules"),
            last_activity_at=bindparam("now"),
            # Completed once: a later change to the course does not move the date.
            completed_at=func.coalesce(
                Enrolment.completed_at, bindparam("completed", type_=Enrolment.completed_at.type)
            ),
            cells=json_merged(Enrolment.cells, "patch"),
        )
    )


def note_activity(user_id: int, course_id: int, cells: dict) -> None:
    """Inside a write transaction: the learner did something in the course now (a quiz submitted), with the
    report cells that changed."""
    db.session.connection().execute(
        prepared(_activity_and_cells), {"u": user_id, "c": course_id, "now": utcnow(), "patch": cells}
    )


def _activity_and_cells():
    return (
        update(Enrolment)
        .where(Enrolment.user_id == bindparam("u"), Enrolment.course_id == bindparam("c"))
        .values(last_activity_at=bindparam("now"), cells=json_merged(Enrolment.cells, "patch"))
    )


def keep_cells(user_id: int, course_id: int, cells: dict) -> None:
    """Inside a write transaction: store report cells on the learner's enrolment, such as "badge:<id>": 1 when a
    badge is earned (None removes a cell). Plugins keep their learner-table cells here, so the table and its
    exports read one row per learner."""
    db.session.connection().execute(prepared(_cells), {"u": user_id, "c": course_id, "patch": cells})


def _cells():
    return (
        update(Enrolment)
        .where(Enrolment.user_id == bindparam("u"), Enrolment.course_id == bindparam("c"))
        .values(cells=json_merged(Enrolment.cells, "patch"))
    )


def module_completed(user_id: int, course: CourseOutline, progress: ModuleProgress) -> ModuleCompleted:
    """The event announcing that the learner completed this module."""
    module = progress.module
    return ModuleCompleted(
        user_id=user_id,
        course_id=course.id,
        course_slug=course.slug,
        module_id=module.id,
        module_slug=module.slug,
        module_title=module.title,
        best_score=best_score(progress.steps),
    )


def course_completed(user_id: int, progress: CourseProgress) -> CourseCompleted:
    """The event announcing that the learner completed the course."""
    course = progress.course
    return CourseCompleted(
        user_id=user_id,
        course_id=course.id,
        course_slug=course.slug,
        course_title=course.title,
        best_score=best_score(progress.steps()),
        modules_completed=sum(1 for module in progress.modules if module.complete),
        final_score=best_score(progress.required_extra),
    )


def recorded_completions(event_types: set[type]) -> list[ModuleCompleted | CourseCompleted]:
    """Module and course completion events rebuilt from the recorded facts, oldest first.

    Rare by design (a listener catching up), so each learner's progress is worked out once per course.
    """
    progress: dict[tuple[int, int], CourseProgress] = {}

    def progress_of(user_id: int, course_id: int) -> CourseProgress:
        if (user_id, course_id) not in progress:
            progress[user_id, course_id] = course_progress(user_id, outline_by_id(course_id))
        return progress[user_id, course_id]

    found: list[tuple] = []
    if ModuleCompleted in event_types:
        module_rows = db.session.execute(
            select(ModuleCompletion.completed_at, ModuleCompletion.user_id, Module).join(
                Module, Module.id == ModuleCompletion.module_id
            )
        ).all()
        for at, user_id, module in module_rows:
            learner_progress = progress_of(user_id, module.course_id)
            found_module = next((m for m in learner_progress.modules if m.module.id == module.id), None)
            # A module the pack has since dropped still counts: its completion is replayed without its steps.
            replayed = found_module or ModuleProgress(module=module, steps=[])
            found.append((at, module_completed(user_id, learner_progress.course, replayed)))
    if CourseCompleted in event_types:
        course_rows = db.session.execute(
            select(CourseCompletion.completed_at, CourseCompletion.user_id, CourseCompletion.course_id)
        ).all()
        for at, user_id, course_id in course_rows:
            found.append((at, course_completed(user_id, progress_of(user_id, course_id))))
    return [event for _at, event in sorted(found, key=lambda pair: pair[0])]


def celebrate_completion(event: ModuleCompleted | CourseCompleted) -> None:
    """The message the learner sees on their next page when this completion was theirs, with the way on."""
    if not watching(event.user_id):
        return
    if isinstance(event, ModuleCompleted):
        way_on = (url_for("courses.continue_course", course_slug=event.course_slug), "Continue to your next step")
        celebrate(
            event.user_id, f"Module complete: {event.module_title}", "Every step of this module is done.", link=way_on
        )
        return
    celebrate(
        event.user_id,
        f"Course complete: {event.course_title}",
        "Congratulations: you have finished every step of the course.",
        link=(url_for("courses.course", course_slug=event.course_slug), "See your course"),
    )
