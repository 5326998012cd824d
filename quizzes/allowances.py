"""Time allowances: a learner's extra time, or no time limit, on the timed quizzes of a course.

A trainer of the course or an admin grants one from the learner's record (an accommodation, as for a learner
who reads with a screen reader or needs rest breaks). It applies to every attempt started afterwards, and gives
an attempt in progress the extra time at once; an attempt in progress never loses time by a change.
"""

import dataclasses
import math
from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import delete, select, update

from courses.models import Course, Enrolment
from courses.progress import lock_enrolment
from courses.trainers import authored_course_ids
from lms.access import has_role
from lms.db import begin_write, commit, upsert
from lms.extensions import db
from lms.models import audit, aware, utcnow
from lms.records import RecordPart
from lms.services import ServiceError
from quizzes.models import Attempt, Quiz, TimeAllowance

NO_TIME_LIMIT = 0
# The choices a form offers, as percent of each quiz's time limit, with how they read. 100 is the quiz's own.
CHOICES: dict[int, str] = {
    100: "The quiz's own time limit",
    125: "25% more time",
    150: "Time and a half",
    200: "Double time",
    NO_TIME_LIMIT: "No time limit",
}


def allowed_minutes(limit_minutes: int | None, time_percent: int | None) -> int | None:
    """A quiz's time limit in minutes for a learner with this allowance (None: no allowance); None when untimed."""
    if not limit_minutes or time_percent == NO_TIME_LIMIT:
        return None
    if time_percent is None:
        return limit_minutes
    return math.ceil(limit_minutes * time_percent / 100)


def allowance_percent(user_id: int, course_id: int) -> int | None:
    """The learner's allowance in this course, in percent of each time limit; None when they have none."""
    return db.session.scalar(
        select(TimeAllowance.time_percent).where(TimeAllowance.user_id == user_id, TimeAllowance.course_id == course_id)
    )


def attempt_deadline(started: datetime, limit_minutes: int | None, time_percent: int | None) -> datetime | None:
    """When an attempt started at `started` must be submitted, or None when it has no time limit."""
    minutes = allowed_minutes(limit_minutes, time_percent)
    return started + timedelta(minutes=minutes) if minutes else None


NO_SUCH_LEARNER = "There is no such learner in this course."


@dataclasses.dataclass(frozen=True)
class Changed:
    """What a new allowance did to the learner's attempts in progress: how many gained time, how many kept theirs
    (an allowance that would shorten an attempt in progress leaves it as it is)."""

    extended: int
    kept: int


def set_allowance(actor, learner_id: int, course: Course, time_percent: int) -> Changed:
    """Give the enrolled learner this allowance in the course (100: none), and the extra time to their attempts in
    progress."""
    if time_percent not in CHOICES:
        raise ServiceError("Choose one of the allowances offered.", 400)
    begin_write()
    # The enrolment's lock orders this with an attempt starting at the same moment (start_attempt takes it too),
    # so that attempt either reads the new allowance or is found here in progress.
    if lock_enrolment(learner_id, course.id) is None:
        db.session.rollback()
        raise ServiceError(NO_SUCH_LEARNER, 404)
    course_id = course.id
    if time_percent == 100:
        db.session.execute(
            delete(TimeAllowance).where(TimeAllowance.user_id == learner_id, TimeAllowance.course_id == course_id)
        )
    else:
        granted = {"time_percent": time_percent, "granted_by_id": actor.id, "granted_at": utcnow()}
        db.session.execute(
            upsert(TimeAllowance)
            .values(user_id=learner_id, course_id=course_id, **granted)
            .on_conflict_do_update(index_elements=["user_id", "course_id"], set_=granted)
        )
    changed = extend_open_attempts(learner_id, course_id, time_percent)
    audit(actor, "quiz.time_allowance", f"user:{learner_id}", course=course.title, allowance=CHOICES[time_percent])
    commit()
    return changed


def extend_open_attempts(learner_id: int, course_id: int, time_percent: int) -> Changed:
    """Inside a write transaction: move later the deadline of each of the learner's attempts in progress at a timed
    quiz of the course that the allowance lengthens (never earlier, and never one whose time is already up)."""
    from quizzes.attempts import DEADLINE_GRACE, now

    rows = db.session.execute(
        select(Attempt.id, Attempt.started_at, Attempt.deadline, Quiz.time_limit_minutes)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(
            Attempt.user_id == learner_id,
            Attempt.status == "open",
            Quiz.course_id == course_id,
            Quiz.time_limit_minutes.is_not(None),
        )
    ).all()
    extended = kept = 0
    for row in rows:
        old, started = aware(row.deadline), aware(row.started_at)
        if started is None or (old is not None and now() > old + DEADLINE_GRACE):
            continue  # its time is up: it is graded as it stands when the learner comes back
        new = attempt_deadline(started, row.time_limit_minutes, time_percent)
        if old is not None and (new is None or new > old):
            db.session.execute(update(Attempt).where(Attempt.id == row.id).values(deadline=new))
            extended += 1
        elif new != old:  # shorter, or a limit for an attempt that has none: it keeps what it has
            kept += 1
    return Changed(extended, kept)


@dataclasses.dataclass(frozen=True)
class CourseAllowance:
    """One course of the learner's with a timed quiz: their allowance there, its timed quizzes (title and minutes)
    and whether the viewer may change it."""

    course_id: int
    course_title: str
    time_percent: int | None
    timed: list[tuple[str, int]]
    editable: bool

    @property
    def percent_or_own(self) -> int:
        """The allowance in percent, 100 when there is none (the quiz's own limit)."""
        return 100 if self.time_percent is None else self.time_percent

    @property
    def text(self) -> str:
        """The allowance as it reads."""
        return CHOICES[self.percent_or_own]

    @property
    def limits(self) -> str:
        """Each timed quiz with its limit, and the learner's under this allowance when it differs."""
        shown = []
        for title, minutes in self.timed:
            theirs = allowed_minutes(minutes, self.time_percent)
            mine = "no limit for them" if theirs is None else f"{theirs} for them" if theirs != minutes else ""
            shown.append(f"{title}: {minutes} minutes" + (f" ({mine})" if mine else ""))
        return "; ".join(shown)


def allowances_part(learner_id: int, course_ids: set[int] | None, viewer) -> list[RecordPart]:
    """The record's part on time allowances: for each of the learner's courses (within `course_ids`) that has a
    timed quiz, the allowance, with a form when the viewer may change it; the learner sees the allowances they
    have. Nothing when there is nothing to show."""
    query = (
        select(Course.id, Course.title, TimeAllowance.time_percent, Quiz.title, Quiz.time_limit_minutes)
        .join(Enrolment, (Enrolment.course_id == Course.id) & (Enrolment.user_id == learner_id))
        .join(Quiz, (Quiz.course_id == Course.id) & Quiz.active.is_(True) & Quiz.time_limit_minutes.is_not(None))
        .outerjoin(TimeAllowance, (TimeAllowance.course_id == Course.id) & (TimeAllowance.user_id == learner_id))
        .order_by(Course.title, Course.id, Quiz.id)
    )
    if course_ids is not None:
        query = query.where(Course.id.in_(course_ids))
    timed: dict[tuple[int, str, int | None], list[tuple[str, int]]] = {}
    for course_id, course_title, time_percent, quiz_title, minutes in db.session.execute(query):
        timed.setdefault((course_id, course_title, time_percent), []).append((quiz_title, minutes))
    staff = has_role(viewer, "trainer") and viewer.id != learner_id
    allowed = authored_course_ids(viewer) if staff else set()
    courses = [
        CourseAllowance(course_id, title, percent, quizzes, staff and (allowed is None or course_id in allowed))
        for (course_id, title, percent), quizzes in timed.items()
        if staff or percent is not None  # the learner sees the allowances they have
    ]
    if not courses:
        return []
    return [
        RecordPart(
            order=25,
            title="Time on timed quizzes",
            template="quizzes/_allowances.html",
            context={
                "courses": courses,
                "staff": staff,
                "choices": CHOICES,
                "action": url_for("author.time_allowance", user_id=learner_id),
            },
        )
    ]
