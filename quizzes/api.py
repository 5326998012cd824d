"""The quizzes plugin's part of the API: the caller's quiz attempts, read-only. An attempt shows its score once
submitted, and each question's mark when its review page would show which questions were right; never a question's
answer key."""

from datetime import datetime

import msgspec
from flask import Blueprint, request
from sqlalchemy import select

from courses.models import Course
from lms.api import PREFIX
from lms.api.auth import api_view, caller
from lms.api.models import PageQuery
from lms.api.spec import responses, validate
from lms.errors import fail
from lms.extensions import csrf, db
from lms.models import aware
from quizzes.attempts import is_blank
from quizzes.models import Attempt, AttemptAnswer, Quiz
from quizzes.review import SCORE_ONLY, review_level

bp = Blueprint("quizzes_api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)


class AttemptSummary(msgspec.Struct):
    __doc__ = "One of the caller's attempts at a quiz."

    id: int
    course: str
    quiz: str
    quiz_title: str
    number: int
    status: str
    started_at: datetime
    submitted_at: datetime | None
    score: float | None
    passed: bool | None


class AttemptPage(msgspec.Struct):
    __doc__ = "A page of the caller's attempts, oldest first; `next` is the `after` of the following page."

    items: list[AttemptSummary]
    next: int | None


class QuestionResult(msgspec.Struct):
    __doc__ = (
        "One question of an attempt: whether it was answered and, once submitted and marked, its mark (0 to 1); no "
        "mark while the quiz's review shows nothing per question (an exam before a pass, or while another attempt at "
        "it is open)."
    )

    position: int
    answered: bool
    mark: float | None


class AttemptDetail(AttemptSummary):
    __doc__ = "An attempt with each question's result."

    questions: list[QuestionResult]


ATTEMPT_COLUMNS = (
    Attempt.id,
    Course.slug,
    Quiz.slug,
    Quiz.title,
    Attempt.number,
    Attempt.status,
    Attempt.started_at,
    Attempt.submitted_at,
    Attempt.score,
    Attempt.passed,
)


def mine():
    """The caller's attempts, with their quiz and course (a statement to narrow)."""
    return (
        select(*ATTEMPT_COLUMNS)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .join(Course, Course.id == Quiz.course_id)
        .where(Attempt.user_id == caller().id)
    )


def summary(row) -> dict:
    """An attempt row's fields as the API names them."""
    values = dict(zip(AttemptSummary.__struct_fields__, row, strict=True))
    values["started_at"] = aware(values["started_at"])
    values["submitted_at"] = aware(values["submitted_at"])
    return values


@bp.get("/me/attempts")
@api_view("read")
@validate(
    summary="The caller's quiz attempts in the order they started, a page at a time.",
    query=PageQuery,
    resp=responses(AttemptPage, 400),
    tags=["progress"],
)
def my_attempts():
    query: PageQuery = request.context.query  # type: ignore[attr-defined]
    rows = db.session.execute(
        mine().where(Attempt.id > (query.after or 0)).order_by(Attempt.id).limit(query.limit + 1)
    ).all()
    page = [AttemptSummary(**summary(row)) for row in rows[: query.limit]]
    return AttemptPage(page, page[-1].id if page and len(rows) > query.limit else None)


@bp.get("/me/attempts/<int:attempt_id>")
@api_view("read")
@validate(
    summary=(
        "One of the caller's attempts, with each question's mark once it is submitted, as far as its review shows "
        "them (another person's is 404)."
    ),
    resp=responses(AttemptDetail, 404),
    tags=["progress"],
)
def my_attempt(attempt_id: int):
    row = db.session.execute(mine().add_columns(Attempt.slots).where(Attempt.id == attempt_id)).first()
    if row is None:
        fail(404, "You have no attempt with this id.")
    *fields, slots = row
    scores, answered = {}, set()
    for slot, score, response in db.session.execute(
        select(AttemptAnswer.slot, AttemptAnswer.score, AttemptAnswer.response).where(
            AttemptAnswer.attempt_id == attempt_id
        )
    ):
        scores[slot] = score
        if not is_blank(response):  # a question left blank has a row too (saved with the others, then graded)
            answered.add(slot)
    attempt = summary(fields)
    # A mark says whether a question was right: shown only where the attempt's review page shows as much.
    marked = attempt["status"] == "submitted" and review_level(db.session.get_one(Attempt, attempt_id)) != SCORE_ONLY
    questions = [
        QuestionResult(position + 1, position in answered, scores.get(position) if marked else None)
        for position in range(len(slots or []))
    ]
    return AttemptDetail(**attempt, questions=questions)
