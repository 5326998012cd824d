"""Events the courses plugin emits (see `lms.events`)."""

import dataclasses
from typing import ClassVar

from lms.events import Event


@dataclasses.dataclass(frozen=True)
class CourseSynced(Event):
    """A content pack was loaded into its course."""

    name: ClassVar[str] = "course.synced"
    course_id: int
    course_slug: str


@dataclasses.dataclass(frozen=True)
class CourseEnrolled(Event):
    """A learner enrolled in a course."""

    name: ClassVar[str] = "course.enrolled"
    user_id: int
    course_id: int


@dataclasses.dataclass(frozen=True)
class LessonCompleted(Event):
    """A learner marked a lesson complete."""

    name: ClassVar[str] = "lesson.completed"
    user_id: int
    course_id: int
    lesson_id: int


@dataclasses.dataclass(frozen=True)
class ModuleCompleted(Event):
    """A learner finished every required step of a module; `best_score` is their best quiz score in it."""

    name: ClassVar[str] = "module.completed"
    user_id: int
    course_id: int
    course_slug: str
    module_id: int
    module_slug: str
    module_title: str
    best_score: float | None


@dataclasses.dataclass(frozen=True)
class CourseCompleted(Event):
    """A learner completed a course (every module, and the final assessment when it has one); `best_score` is
    their best quiz score in it, `final_score` their best on the final assessment."""

    name: ClassVar[str] = "course.completed"
    user_id: int
    course_id: int
    course_slug: str
    course_title: str
    best_score: float | None
    modules_completed: int = 0
    final_score: float | None = None
