"""The courses plugin's part of the API: courses and their structure, the caller's enrolments and progress,
enrolling, and (for admins) a course's learners with the learner table's filters and keyset paging."""

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from flask import Blueprint, request
from sqlalchemy import select

from courses.exports import Percent
from courses.learner_table import (
    STATUS_LABELS,
    TableQuery,
    as_day,
    cells,
    learner_page,
    parse_day,
    plugin_columns,
    sort_key,
)
from courses.models import Course, Enrolment
from courses.outline import CourseOutline, current_outline, outline_by_slug
from courses.progress import CourseProgress, course_progress
from courses.services import enrol
from courses.views import my_learning
from lms.api import PREFIX
from lms.api.auth import api_view, caller
from lms.api.models import PLAIN_TEXT, PageSize, RowId, SearchText
from lms.api.spec import responses, validate
from lms.errors import fail
from lms.extensions import csrf, db
from lms.models import aware
from lms.services import ServiceError

bp = Blueprint("courses_api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)


class CourseSummary(msgspec.Struct):
    __doc__ = "A course in the catalogue."

    slug: str
    title: str
    summary: str
    version: str
    modules: int
    lessons: int


class CourseList(msgspec.Struct):
    __doc__ = "Every available course, by title."

    items: list[CourseSummary]


class LessonItem(msgspec.Struct):
    __doc__ = "A lesson of a module."

    slug: str
    title: str
    minutes: int
    objectives: list[str]


class ModuleItem(msgspec.Struct):
    __doc__ = "A module and its lessons."

    slug: str
    title: str
    lessons: list[LessonItem]


class CourseStructure(msgspec.Struct):
    __doc__ = "A course: its modules and their lessons, in order."

    slug: str
    title: str
    summary: str
    version: str
    modules: list[ModuleItem]


class StepItem(msgspec.Struct):
    __doc__ = "One step of a course (a lesson, a quiz, an exercise) and whether the caller has done it."

    kind: str
    title: str
    done: bool
    required: bool
    score: float | None


class ModuleProgressItem(msgspec.Struct):
    __doc__ = "The caller's progress through one module."

    slug: str
    title: str
    percent: int
    complete: bool
    steps: list[StepItem]


class Progress(msgspec.Struct):
    __doc__ = "The caller's progress through a course."

    course: str
    percent: int
    done: int
    total: int
    complete: bool
    modules: list[ModuleProgressItem]
    final_steps: list[StepItem]


class EnrolmentItem(msgspec.Struct):
    __doc__ = "A course the caller is enrolled in, and how far they are."

    course: str
    title: str
    percent: int
    complete: bool


class EnrolmentList(msgspec.Struct):
    __doc__ = "The caller's enrolments, oldest first."

    items: list[EnrolmentItem]


class Enrolled(msgspec.Struct):
    __doc__ = "The caller's enrolment in a course."

    course: str
    enrolled_at: datetime
    newly_enrolled: bool


class LearnerQuery(msgspec.Struct, forbid_unknown_fields=True):
    __doc__ = "The learner table's filters, sort and page key, as the screen's query string names them."

    q: SearchText = ""
    cohort: RowId | None = None
    status: Literal["", "not_started", "in_progress", "stuck", "completed"] = ""
    enrolled_from: Annotated[str, msgspec.Meta(pattern=r"^(\d{4}-\d{2}-\d{2})?$")] = msgspec.field(
        default="", name="from"
    )
    enrolled_to: Annotated[str, msgspec.Meta(pattern=r"^(\d{4}-\d{2}-\d{2})?$")] = msgspec.field(default="", name="to")
    sort: Literal["name", "email", "progress", "modules", "activity", "enrolled"] = "name"
    dir: Literal["", "asc", "desc"] = ""
    after: Annotated[str, msgspec.Meta(max_length=400, pattern=PLAIN_TEXT)] = ""
    limit: PageSize = 50


class LearnerRow(msgspec.Struct):
    __doc__ = (
        "One learner's row of the learner table: what the screen and the exports show. `status_code` is the "
        "`status` filter's value; in `columns`, a score is a number (percent), an empty cell null."
    )

    user_id: int
    name: str
    email: str
    progress_percent: int
    modules_done: int
    last_activity_day: date | None
    enrolled_day: date | None
    status: str
    status_code: str
    columns: dict[str, float | str | None]


class LearnerPage(msgspec.Struct):
    __doc__ = "A page of a course's learners; `next` is the `after` of the following page, null on the last."

    items: list[LearnerRow]
    next: str | None


def api_cell(value) -> float | str | None:
    """A plugin column's cell as the API gives it: a score as its number, an empty cell as null, text as text."""
    if isinstance(value, Percent):
        return float(value)
    return str(value) if value not in ("", None) else None


def active_course(slug: str) -> CourseOutline:
    """The active course with this slug, or a 404 problem."""
    course = outline_by_slug(slug) if len(slug) <= 100 else None
    if course is None:
        fail(404, "No available course has this slug.")
    return course


@bp.get("/courses")
@api_view("read")
@validate(summary="Every available course.", resp=responses(CourseList), tags=["courses"])
def courses():
    # One statement for every course: each outline comes from the per-process cache while its sync stamp holds.
    rows = db.session.execute(select(Course.id, Course.synced_at).where(Course.active.is_(True)).order_by(Course.title))
    found = [current_outline(course_id, synced_at) for course_id, synced_at in rows]
    return CourseList(
        [
            CourseSummary(c.slug, c.title, c.summary, c.version, len(c.modules), sum(len(m.lessons) for m in c.modules))
            for c in found
        ]
    )


@bp.get("/courses/<course_slug>")
@api_view("read")
@validate(summary="A course's modules and lessons, in order.", resp=responses(CourseStructure, 404), tags=["courses"])
def course_structure(course_slug: str):
    course = active_course(course_slug)
    return CourseStructure(
        course.slug,
        course.title,
        course.summary,
        course.version,
        [
            ModuleItem(m.slug, m.title, [LessonItem(x.slug, x.title, x.minutes, list(x.objectives)) for x in m.lessons])
            for m in course.modules
        ],
    )


def step_item(step) -> StepItem:
    """A progress step as the API shows it."""
    return StepItem(step.kind, step.title, step.done, step.required, step.score)


def progress_of(progress: CourseProgress) -> Progress:
    """The API's view of a learner's progress through a course."""
    return Progress(
        progress.course.slug,
        progress.percent,
        progress.done,
        progress.total,
        progress.complete,
        [
            ModuleProgressItem(m.module.slug, m.module.title, m.percent, m.complete, [step_item(s) for s in m.steps])
            for m in progress.modules
        ],
        [step_item(s) for s in progress.extra_steps],
    )


@bp.get("/me/enrolments")
@api_view("read")
@validate(
    summary="The courses the caller is enrolled in, with how far they are in each.",
    resp=responses(EnrolmentList),
    tags=["progress"],
)
def my_enrolments():
    return EnrolmentList(
        [EnrolmentItem(p.course.slug, p.course.title, p.percent, p.complete) for p in my_learning(caller().id)]
    )


@bp.get("/users/<int:user_id>/enrolments")
@api_view("admin", "admin")
@validate(
    summary="The courses a user is enrolled in, with how far they are in each.",
    resp=responses(EnrolmentList, 404),
    tags=["admin"],
)
def user_enrolments(user_id: int):
    from lms.models import User

    if db.session.get(User, user_id) is None:
        fail(404, "No user has this id.")
    return EnrolmentList(
        [EnrolmentItem(p.course.slug, p.course.title, p.percent, p.complete) for p in my_learning(user_id)]
    )


@bp.get("/me/courses/<course_slug>/progress")
@api_view("read")
@validate(
    summary="The caller's progress through a course they are enrolled in: each module's steps, done or not.",
    resp=responses(Progress, 404),
    tags=["progress"],
)
def my_progress(course_slug: str):
    course = active_course(course_slug)
    enrolled = db.session.scalar(
        select(Enrolment.id).where(Enrolment.user_id == caller().id, Enrolment.course_id == course.id)
    )
    if enrolled is None:
        fail(404, "You are not enrolled in this course.")
    return progress_of(course_progress(caller().id, course))


@bp.post("/courses/<course_slug>/enrolment")
@api_view("write")
@validate(
    summary="Enrol the caller in a course (enrolling twice changes nothing).",
    resp=responses(Enrolled, 404, ok_status=201),
    tags=["progress"],
)
def enrol_me(course_slug: str):
    course = active_course(course_slug)
    try:
        created = enrol(caller().id, course)
    except ServiceError as exc:
        fail(exc.status, exc.message)
    enrolled_at = db.session.scalar(
        select(Enrolment.enrolled_at).where(Enrolment.user_id == caller().id, Enrolment.course_id == course.id)
    )
    return Enrolled(course.slug, aware(enrolled_at), created), 201  # type: ignore[arg-type]


@bp.get("/courses/<course_slug>/learners")
@api_view("admin", "admin")
@validate(
    summary="A course's learners with their progress, filtered and sorted as on the learner table, a page at a time.",
    query=LearnerQuery,
    resp=responses(LearnerPage, 400, 404),
    tags=["admin"],
)
def learners(course_slug: str):
    course = active_course(course_slug)
    wanted: LearnerQuery = request.context.query  # type: ignore[attr-defined]
    after = sort_key(wanted.after, wanted.sort) if wanted.after else None
    if wanted.after and after is None:
        fail(400, "`after` is not the `next` of a page of this list.")
    days = {}
    for name, value in (("from", wanted.enrolled_from), ("to", wanted.enrolled_to)):
        days[name] = parse_day(value)
        if value and days[name] is None:  # well formed but no day of the calendar (2026-13-01), or the last one
            fail(400, f"`{name}` is not a day that can bound a search: {value}.")
    query = TableQuery(
        text=wanted.q.strip(),
        cohort_id=wanted.cohort,
        status=wanted.status,
        enrolled_from=days["from"],
        enrolled_to=days["to"],
        sort=wanted.sort,
        descending=wanted.dir == "desc",
        after=after,
    )
    columns = plugin_columns(course.id)
    rows, following, _preceding = learner_page(course.id, query, columns, wanted.limit)
    labels = [label for column in columns for label in column.labels]
    items = []
    for row in rows:
        shown = cells(row, columns)
        items.append(
            LearnerRow(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                as_day(row[5]),
                as_day(row[6]),
                STATUS_LABELS[row[7]],
                row[7],
                dict(zip(labels, [api_cell(value) for value in shown[7:]], strict=True)),
            )
        )
    return LearnerPage(items, following)
