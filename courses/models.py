"""Course structure (synced from content packs) and learners' progress facts."""

from datetime import date, datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import Model
from lms.models import utcnow

# JSONB on PostgreSQL, where merging into a stored object (`lms.db.json_merged`) needs it.
CELLS_TYPE = JSON().with_variant(JSONB(), "postgresql")


class Course(Model):
    """A course, keyed by the slug of the pack it comes from."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[str] = mapped_column(String(40), default="1")
    active: Mapped[bool] = mapped_column(default=True)
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The pack's glossary terms ({"slug", "term", "definition"}); read when the course outline is built.
    glossary: Mapped[list] = mapped_column(JSON, default=list, server_default="[]", deferred=True)

    modules: Mapped[list["Module"]] = relationship(back_populates="course", order_by="Module.position")


class Module(Model):
    """A module of a course; inactive once its pack no longer lists it."""

    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    icon: Mapped[str] = mapped_column(String(40), default="book-open", server_default="book-open")  # its pack's
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    course: Mapped[Course] = relationship(back_populates="modules")
    lessons: Mapped[list["Lesson"]] = relationship(back_populates="module", order_by="Lesson.position")


class Lesson(Model):
    """A lesson; keyed by slug within its course so it keeps its completions when it moves between modules."""

    __tablename__ = "lessons"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(default=5)
    objectives: Mapped[list] = mapped_column(JSON, default=list)
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    module: Mapped[Module] = relationship(back_populates="lessons")


class Enrolment(Model):
    """A learner's enrolment in a course (once per learner and course)."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        # The learner table pages by key in each of these orders, within one course.
        Index("ix_enrolments_course_progress", "course_id", "progress_percent", "user_id"),
        Index("ix_enrolments_course_activity", "course_id", "last_activity_at", "user_id"),
        Index("ix_enrolments_course_enrolled", "course_id", "enrolled_at", "user_id"),
        Index("ix_enrolments_course_modules", "course_id", "modules_done", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Kept as progress is written (courses.progress.record_completions, note_activity), so reports read one row
    # per learner instead of working progress out from every fact.
    progress_percent: Mapped[int] = mapped_column(default=0, server_default="0")
    modules_done: Mapped[int] = mapped_column(default=0, server_default="0")
    last_activity_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # The other plugins' cells of the learner table ("quiz:<id>": best score, "badge:<id>": 1 while held), kept by
    # them as results are written (`courses.progress.report_cells`), so the table and its exports read this one
    # row per learner; a full export then streams one query instead of querying each plugin's tables per chunk.
    cells: Mapped[dict | None] = mapped_column(CELLS_TYPE, default=None)
    # When the learner was last mailed a reminder about this course (`courses.reminders`), at most weekly.
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class CourseTally(Model):
    """How many of a course's learners have done this many modules, started or not, completed or not.

    Kept by database triggers on the enrolments (migration a7c9e1f3b5d8), in the same transaction as each
    enrolment's summary, so the dashboard reads these few rows instead of counting every enrolment.
    """

    __tablename__ = "course_tallies"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    modules_done: Mapped[int] = mapped_column(primary_key=True)
    started: Mapped[bool] = mapped_column(primary_key=True)
    completed: Mapped[bool] = mapped_column(primary_key=True)
    learners: Mapped[int] = mapped_column()


class CourseDay(Model):
    """How many learners enrolled in and completed a course on one UTC day; kept by the same triggers."""

    __tablename__ = "course_days"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    enrolments: Mapped[int] = mapped_column()
    completions: Mapped[int] = mapped_column()


class LessonCompletion(Model):
    """The fact that a learner completed a lesson (at most once)."""

    __tablename__ = "lesson_completions"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ModuleCompletion(Model):
    """The fact that a learner completed a module: recorded once, when its last step was done."""

    __tablename__ = "module_completions"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CourseCompletion(Model):
    """The fact that a learner completed a whole course."""

    __tablename__ = "course_completions"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CourseTrainer(Model):
    """A trainer an admin assigned to a course: they author its quizzes (admins author every course's)."""

    __tablename__ = "course_trainers"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
