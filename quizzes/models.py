"""The question bank (versioned questions), quizzes, attempts and their answers."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import Model
from lms.models import utcnow


class Question(Model):
    """A bank question; its content lives in versions so attempts keep what they answered."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(200), unique=True)  # stable key, e.g. "<course>:<title>"
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200), default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    current_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)  # False: retired, kept for the attempts that asked it
    # A pack question a trainer edited or retired: syncs keep the trainer's version and report it.
    locally_changed: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # Deleting a never-answered question deletes its versions and quiz places in the database (ON DELETE CASCADE).
    versions: Mapped[list["QuestionVersion"]] = relationship(
        back_populates="question", order_by="QuestionVersion.number", lazy="selectin", passive_deletes="all"
    )

    @property
    def current(self) -> "QuestionVersion":
        """The version new attempts use."""
        return next(v for v in self.versions if v.number == self.current_version)


class QuestionVersion(Model):
    """One immutable-once-answered version of a question's content."""

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    stem: Mapped[str] = mapped_column(Text, default="")
    stem_format: Mapped[str] = mapped_column(String(16), default="moodle")
    general_feedback: Mapped[str] = mapped_column(Text, default="")
    config: Mapped[dict] = mapped_column(JSON, default=dict)
    # Set once an attempt uses this version; a locked version is never edited, a new one is made instead.
    locked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    question: Mapped[Question] = relationship(back_populates="versions")


class Quiz(Model):
    """A quiz: fixed questions or a random draw from tagged ones, with its rules."""

    __tablename__ = "quizzes"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id", ondelete="SET NULL"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="", server_default="")  # Markdown, shown before a start
    pass_mark: Mapped[int] = mapped_column(default=70)
    max_attempts: Mapped[int] = mapped_column(default=0)  # 0 = unlimited
    # Minutes a learner waits after submitting an attempt before starting the next (0: no wait).
    cooldown_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    # Passing it is a step of the module's (or, outside the modules, the course's) completion, and so of its
    # badge; such a quiz never shows its key before a pass (see quizzes.review). A course-level one is the final
    # assessment: it opens once every module is complete.
    counts_towards_completion: Mapped[bool] = mapped_column(default=False, server_default=false())
    time_limit_minutes: Mapped[int | None] = mapped_column(default=None)
    review: Mapped[str] = mapped_column(String(24), default="practice")
    shuffle_questions: Mapped[bool] = mapped_column(default=True)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    draw_count: Mapped[int | None] = mapped_column(default=None)
    draw_tags: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    # Kept as attempts start, so the trainer's quiz list never counts the attempts table.
    attempt_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Kept as attempts are scored (`quizzes.attempts.keep_result`), so the course dashboard reads one row per quiz:
    # learners with a result, the sum of their best scores, their scored attempts and how many passed.
    results_count: Mapped[int] = mapped_column(default=0, server_default="0")
    results_best_sum: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    results_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    results_passed: Mapped[int] = mapped_column(default=0, server_default="0")
    # A quiz a trainer created in the browser: pack syncs never touch it (its slug is never a pack's).
    authored: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    # Loaded when used (starting an attempt, authoring), never with every quiz a progress figure looks at.
    items: Mapped[list["QuizQuestion"]] = relationship(order_by="QuizQuestion.position", lazy="select")

    @property
    def draws_by_tag(self) -> bool:
        """Whether attempts draw from the course's bank by tag (a final assessment), not from the quiz's own."""
        return bool(self.draw_count and self.draw_tags)


class QuizQuestion(Model):
    """A question placed in a quiz at a position."""

    __tablename__ = "quiz_questions"
    __table_args__ = (UniqueConstraint("quiz_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship(lazy="joined")


class Attempt(Model):
    """A learner's attempt: its questions, versions and layouts are fixed when it starts."""

    __tablename__ = "attempts"
    __table_args__ = (UniqueConstraint("quiz_id", "user_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | submitted
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    late_submit_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    score: Mapped[float | None] = mapped_column(Float, default=None)  # percent, 0..100
    passed: Mapped[bool | None] = mapped_column(default=None)
    # The pass mark the attempt was scored against: a trainer may change the quiz's later, and the attempt's review
    # must still say what it needed. None for attempts scored before it was kept.
    pass_mark: Mapped[int | None] = mapped_column(default=None)
    slots: Mapped[list] = mapped_column(JSON, default=list)  # [{"question_id", "version_id", "layout"}]

    quiz: Mapped[Quiz] = relationship(lazy="joined")


class TimeAllowance(Model):
    """More time, or none, on every timed quiz of a course for one learner: an accommodation a trainer of the
    course or an admin grants (WCAG 2.2.1 asks that a time limit can be extended)."""

    __tablename__ = "time_allowances"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    # The share of each quiz's time limit the learner gets, in percent (150: time and a half); 0: no time limit.
    time_percent: Mapped[int] = mapped_column()
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AttemptAnswer(Model):
    """The learner's saved response to one slot of an attempt, and its grade once graded."""

    __tablename__ = "attempt_answers"
    __table_args__ = (
        UniqueConstraint("attempt_id", "slot"),
        # Holds only the answers waiting for a trainer's mark: the marking queue reads those and no others.
        Index(
            "ix_attempt_answers_waiting",
            "id",
            sqlite_where=text("needs_marking = 1"),
            postgresql_where=text("needs_marking"),
        ),
        # Hold only the answers a trainer has marked: the latest marks, to correct one, are read from these (a
        # trainer's own from the second).
        Index(
            "ix_attempt_answers_marked",
            "marked_at",
            "id",
            sqlite_where=text("marked_at IS NOT NULL"),
            postgresql_where=text("marked_at IS NOT NULL"),
        ),
        Index(
            "ix_attempt_answers_marked_by",
            "marked_by_id",
            "marked_at",
            "id",
            sqlite_where=text("marked_at IS NOT NULL"),
            postgresql_where=text("marked_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    slot: Mapped[int] = mapped_column()
    response: Mapped[dict] = mapped_column(JSON, default=dict)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    checked: Mapped[bool] = mapped_column(default=False)  # practice mode: answer locked and feedback shown
    # The learner flagged the question to come back to before submitting (the attempt page's navigator shows it).
    flagged: Mapped[bool] = mapped_column(default=False, server_default=false())
    score: Mapped[float | None] = mapped_column(Float, default=None)  # 0..1
    feedback: Mapped[list] = mapped_column(JSON, default=list)  # the type's feedback, or the marker's comment
    # An essay waiting for a trainer's mark; who marked it, and when, once they have.
    needs_marking: Mapped[bool] = mapped_column(default=False, server_default=false())
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class ItemStats(Model):
    """Running sums over every scored answer to one question version, from which its statistics follow.

    Kept as attempts are scored (one upsert per attempt), so the statistics page reads one row per version
    however many learners answered. x is the answer's score (0..1); y is the attempt's mean score on its other
    graded questions (the rest of the test), the basis of the point-biserial discrimination.
    """

    __tablename__ = "item_stats"

    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id", ondelete="CASCADE"), primary_key=True)
    answered: Mapped[int] = mapped_column(default=0)
    full_marks: Mapped[int] = mapped_column(default=0)
    sum_x: Mapped[float] = mapped_column(Float, default=0.0)
    sum_xx: Mapped[float] = mapped_column(Float, default=0.0)
    sum_y: Mapped[float] = mapped_column(Float, default=0.0)
    sum_yy: Mapped[float] = mapped_column(Float, default=0.0)
    sum_xy: Mapped[float] = mapped_column(Float, default=0.0)


class ItemOptionPicks(Model):
    """How many scored answers to a question version picked one of its options (choice questions)."""

    __tablename__ = "item_option_picks"

    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id", ondelete="CASCADE"), primary_key=True)
    option: Mapped[str] = mapped_column(String(40), primary_key=True)
    picks: Mapped[int] = mapped_column(default=0)


class QuizResult(Model):
    """A learner's standing on one quiz: best score, attempts scored and whether they passed, kept as attempts
    are scored so that reports read one row per learner and quiz rather than every attempt."""

    __tablename__ = "quiz_results"
    __table_args__ = (UniqueConstraint("quiz_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    best_score: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(default=0)
    passed: Mapped[bool] = mapped_column(default=False)


class ReadinessRole(Model):
    """A job a course prepares people for, from its pack's `roles:` (see quizzes.readiness): the skills it needs,
    each with the quizzes whose pass is the evidence for it."""

    __tablename__ = "readiness_roles"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    # [{"skill": "Typing speed and accuracy", "evidence": ["typing-test"]}, ...]: quiz slugs of the same course.
    skills: Mapped[list] = mapped_column(JSON, default=list)
