"""Generated learners' journeys through each course: enrolment, lessons read, modules and course completed.

Each learner walks the course's steps in order (lessons, then the module's quiz; after every module the final
assessment) as far as their persona's reach,
at dates spread between joining and their last activity. The courses plugin writes the lesson, module and course
facts and the enrolment summary the reports read; other plugins write the rest of each walk through
`lms_demo_progress` (the quizzes plugin the attempts that passed or failed each quiz, the badges plugin the awards).
"""

import dataclasses
import random
from datetime import datetime, timedelta

from sqlalchemy import select

from courses.models import Course, CourseCompletion, Enrolment, LessonCompletion, ModuleCompletion
from courses.outline import CourseOutline, outline_by_id
from courses.progress import Step, course_progress, percent
from lms.db import insert_many
from lms.demo import DemoLearner
from lms.extensions import db
from lms.plugins import plugin_manager, real_app


@dataclasses.dataclass
class Walk:
    """How far one generated learner got through one course, and when."""

    learner: DemoLearner
    course_id: int
    done: list[tuple[Step, datetime]]  # the steps done, in course order, with when
    # Steps tried and not done: the required quiz a learner stopped at (every attempt failed), or an optional
    # course-level step such as the final assessment (its outcome left to the plugin that owns it).
    tried: list[tuple[Step, datetime]]
    modules_completed: list[tuple[int, datetime]]
    completed_at: datetime | None
    # The learner-table cells other plugins keep on the enrolment (`courses.progress.keep_cells`), filled in by
    # them before the enrolment is written.
    cells: dict = dataclasses.field(default_factory=dict)

    @property
    def last_activity_at(self) -> datetime | None:
        """When the learner last did something in the course."""
        times = [at for _step, at in self.done + self.tried]
        return max(times) if times else None


def active_courses() -> list[CourseOutline]:
    """Every active course's outline."""
    ids = db.session.scalars(select(Course.id).where(Course.active.is_(True)).order_by(Course.id))
    return [outline_by_id(course_id) for course_id in ids]


def step_times(rng: random.Random, learner: DemoLearner, count: int) -> list[datetime]:
    """`count` moments in order between joining and the learner's last activity, the last one at it."""
    if count == 0:
        return []
    span = (learner.last_active_at - learner.joined_at).total_seconds()
    earlier = sorted(rng.uniform(0.02, 0.98) * span for _ in range(count - 1))
    return [learner.joined_at + timedelta(seconds=s) for s in earlier] + [learner.last_active_at]


def plan_walk(
    rng: random.Random, learner: DemoLearner, course: CourseOutline, modules: list, finals: list[Step]
) -> Walk:
    """Where this learner got to in the course: `modules` are (module id, its steps) in order, `finals` the
    required course-level steps (the final assessment) that come after every module."""
    steps = [step for _module_id, module_steps in modules for step in module_steps] + finals
    reached = len(steps) if learner.reach >= 1.0 else min(len(steps) - 1, round(learner.reach * len(steps)))
    if learner.reach > 0:
        reached = max(1, reached)
    stopped_at = steps[reached] if reached < len(steps) else None
    # A learner who stopped at a quiz has often tried it and failed; one who stopped at a lesson left no trace.
    tried_current = stopped_at is not None and stopped_at.kind != "lesson" and rng.random() < 0.6
    times = step_times(rng, learner, reached + tried_current)
    done = list(zip(steps[:reached], times, strict=False))
    tried = [(stopped_at, times[-1])] if tried_current and stopped_at is not None else []
    finished_at = {id(step): at for step, at in done}  # steps compare by value: key them by identity
    modules_completed = [
        (module_id, max(finished_at[id(step)] for step in module_steps))
        for module_id, module_steps in modules
        if module_steps and all(id(step) in finished_at for step in module_steps)
    ]
    completed_at = done[-1][1] if done and reached == len(steps) else None
    return Walk(learner, course.id, done, tried, modules_completed, completed_at)


def optional_steps_tried(rng: random.Random, walk: Walk, steps: list[Step], now: datetime) -> None:
    """Most learners who finished go on to the optional course-level steps (the final assessment), last."""
    if walk.completed_at is None:
        return
    for step in steps:
        if rng.random() < 0.7:
            walk.tried.append((step, min(now, walk.completed_at + timedelta(hours=rng.uniform(1, 48)))))


def practice_tried(rng: random.Random, walk: Walk, practice: dict[int, list[Step]], now: datetime) -> None:
    """Many learners who completed a module go on to its practice (a conversation, a drill), after it."""
    for module_id, completed_at in walk.modules_completed:
        for step in practice.get(module_id, []):
            if rng.random() < 0.6:
                walk.tried.append((step, min(now, completed_at + timedelta(hours=rng.uniform(0.5, 72)))))


def add_walks(learners: list[DemoLearner], rng: random.Random, now: datetime) -> None:
    """Enrol the learners in every active course and write how far each got (the `lms_demo_learners` hook)."""
    app = real_app()
    for course in active_courses():
        progress = course_progress(0, course)  # nobody's: every step, none done
        modules = [(module.module.id, module.required) for module in progress.modules]
        practice = {
            module.module.id: [step for step in module.steps if not step.required] for module in progress.modules
        }
        finals = progress.required_extra
        walks = [plan_walk(rng, learner, course, modules, finals) for learner in learners]
        for walk in walks:
            practice_tried(rng, walk, practice, now)
            optional_steps_tried(rng, walk, [step for step in progress.extra_steps if not step.required], now)
        plugin_manager(app).hook.lms_demo_progress(app=app, course=course, walks=walks, rng=rng)
        write_walks(walks, progress.total)


def write_walks(walks: list[Walk], total_steps: int) -> None:
    """The enrolments with their summaries, the lessons read and the modules and courses completed."""
    insert_many(
        Enrolment,
        [
            {
                "user_id": walk.learner.user_id,
                "course_id": walk.course_id,
                "enrolled_at": walk.learner.joined_at,
                "progress_percent": percent(len(walk.done), total_steps),
                "modules_done": len(walk.modules_completed),
                "last_activity_at": walk.last_activity_at or walk.learner.joined_at,  # enrolling is activity
                "completed_at": walk.completed_at,
                "cells": walk.cells or None,
            }
            for walk in walks
        ],
    )
    lessons = [
        {"user_id": walk.learner.user_id, "lesson_id": step.item_id, "completed_at": at}
        for walk in walks
        for step, at in walk.done
        if step.kind == "lesson"
    ]
    insert_many(LessonCompletion, lessons)
    modules = [
        {"user_id": walk.learner.user_id, "module_id": module_id, "completed_at": at}
        for walk in walks
        for module_id, at in walk.modules_completed
    ]
    insert_many(ModuleCompletion, modules)
    courses = [
        {"user_id": walk.learner.user_id, "course_id": walk.course_id, "completed_at": walk.completed_at}
        for walk in walks
        if walk.completed_at is not None
    ]
    insert_many(CourseCompletion, courses)
