"""The course structure as pages read it: active modules and lessons, with each lesson's rendered HTML.

The structure only changes when a pack is synced, so each process keeps it in memory and rebuilds it when the
course's `synced_at` (set by every sync, whichever process ran it) differs from the one it was built from. A page
then pays one small query for the whole structure instead of loading every module and lesson.
"""

import dataclasses
import threading
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, select

from courses.models import Course, Lesson, Module
from lms.extensions import db


@dataclasses.dataclass(frozen=True)
class LessonOutline:
    """A lesson as its page shows it."""

    id: int
    course_id: int
    module_id: int
    slug: str
    title: str
    minutes: int
    objectives: tuple
    body_html: str
    active: bool = True  # an outline holds only the lessons the pack lists


@dataclasses.dataclass(frozen=True)
class ModuleOutline:
    """A module and its lessons, in order."""

    id: int
    course_id: int
    slug: str
    title: str
    lessons: tuple[LessonOutline, ...]
    active: bool = True
    icon: str = "book-open"

    def lesson(self, slug: str) -> LessonOutline | None:
        """The module's lesson with this slug, if any."""
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)


@dataclasses.dataclass(frozen=True)
class CourseOutline:
    """A course with its active modules and lessons, as of its last sync."""

    id: int
    slug: str
    title: str
    summary: str
    source: str
    version: str
    synced_at: datetime
    modules: tuple[ModuleOutline, ...]
    active: bool = True
    glossary: tuple[dict, ...] = ()  # the pack's terms: {"slug", "term", "definition"}

    def module(self, slug: str) -> ModuleOutline | None:
        """The module with this slug, if any."""
        return next((module for module in self.modules if module.slug == slug), None)

    def lesson_order(self) -> list[tuple[ModuleOutline, LessonOutline]]:
        """Every lesson with its module, in course order."""
        return [(module, lesson) for module in self.modules for lesson in module.lessons]


_build_lock = threading.Lock()
# Built once, so each request only binds a value: they run on every course, module and lesson page.
COURSE_STAMP_BY_SLUG = select(Course.id, Course.synced_at).where(
    Course.slug == bindparam("slug"), Course.active.is_(True)
)
COURSE_STAMP_BY_ID = select(Course.synced_at).where(Course.id == bindparam("course_id"))


def cached_outlines() -> dict[int, CourseOutline]:
    """This app's outlines by course id (one dict per app, so two apps in a process never share one)."""
    return current_app.extensions["courses"].setdefault("outlines", {})


def build_outline(course: Course) -> CourseOutline:
    """Read a course's active modules and lessons, and its glossary, from the database (three queries)."""
    modules = db.session.execute(
        select(Module.id, Module.slug, Module.title, Module.icon)
        .where(Module.course_id == course.id, Module.active.is_(True))
        .order_by(Module.position, Module.id)
    ).all()
    lessons = db.session.execute(
        select(
            Lesson.id,
            Lesson.module_id,
            Lesson.slug,
            Lesson.title,
            Lesson.minutes,
            Lesson.objectives,
            Lesson.body_html,
        )
        .where(Lesson.course_id == course.id, Lesson.active.is_(True))
        .order_by(Lesson.position, Lesson.id)
    ).all()
    by_module: dict[int, list[LessonOutline]] = {module.id: [] for module in modules}
    for row in lessons:
        if row.module_id in by_module:
            by_module[row.module_id].append(
                LessonOutline(
                    id=row.id,
                    course_id=course.id,
                    module_id=row.module_id,
                    slug=row.slug,
                    title=row.title,
                    minutes=row.minutes,
                    objectives=tuple(row.objectives or ()),
                    body_html=row.body_html,
                )
            )
    return CourseOutline(
        id=course.id,
        slug=course.slug,
        title=course.title,
        summary=course.summary,
        source=course.source,
        version=course.version,
        synced_at=course.synced_at,
        active=course.active,
        glossary=tuple(course.glossary or ()),
        modules=tuple(
            ModuleOutline(
                id=m.id, course_id=course.id, slug=m.slug, title=m.title, lessons=tuple(by_module[m.id]), icon=m.icon
            )
            for m in modules
        ),
    )


def current_outline(course_id: int, synced_at: datetime) -> CourseOutline:
    """The cached outline when it was built from this sync, else a fresh one."""
    outlines = cached_outlines()
    outline = outlines.get(course_id)
    if outline is not None and outline.synced_at == synced_at:
        return outline
    with _build_lock:  # threaded workers: one thread rebuilds, the others reuse its result
        outline = outlines.get(course_id)
        if outline is None or outline.synced_at != synced_at:
            outline = build_outline(db.session.get_one(Course, course_id))
            outlines[course_id] = outline
    return outline


def cached_outline_by_slug(slug: str) -> CourseOutline | None:
    """The outline this process holds for the course with this slug, as last built (it may be out of date)."""
    return next((outline for outline in cached_outlines().values() if outline.slug == slug), None)


def outline_by_slug(slug: str) -> CourseOutline | None:
    """The active course with this slug, or None (one query when the outline is cached)."""
    row = db.session.connection().execute(COURSE_STAMP_BY_SLUG, {"slug": slug}).first()
    return current_outline(row.id, row.synced_at) if row is not None else None


def outline_by_id(course_id: int) -> CourseOutline:
    """The outline of a course by id, active or not (the course must exist)."""
    synced_at = db.session.connection().execute(COURSE_STAMP_BY_ID, {"course_id": course_id}).scalar()
    if synced_at is None:
        raise LookupError(f"no course {course_id}")
    return current_outline(course_id, synced_at)
