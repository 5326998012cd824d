"""The trainer's marking queue: essays waiting for a mark, oldest first, each marked with a score and a comment."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DecimalField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, StopValidation

from courses.trainers import authored_course_ids, may_author
from lms.access import allow
from lms.errors import fail
from lms.forms import id_arg
from lms.services import ServiceError
from quizzes.author import bp
from quizzes.marking import change_mark, course_of_answer, mark_answer, mark_stamp, marking_queue, recently_marked
from quizzes.views import render_stem

QUEUE_PAGE = 20
MARKED_PAGE = 10
MARK = "Give a mark from 0 to 100."


def finite(form, field) -> None:
    """Refuse "NaN", "sNaN" and "Infinity", which a decimal field reads as numbers: comparing a signalling NaN with
    the range raises instead of failing."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(MARK)


class MarkForm(FlaskForm):
    """A trainer's mark for one answer, and what they say to the learner."""

    score = DecimalField("Mark (%)", places=None, validators=[InputRequired(MARK), finite, NumberRange(0, 100, MARK)])
    comment = TextAreaField("Comment for the learner", validators=[Length(max=5000)])


def queue_page(form=None, failed_id=None, status=200):
    """The queue page, and the essays marked lately below it; `form` and `failed_id` show one answer's refused
    mark (or correction) with its errors."""
    courses = authored_course_ids(current_user)
    waiting = marking_queue(courses, id_arg("after"), QUEUE_PAGE + 1)
    # A trainer's own marks (theirs to correct); an admin's, every mark.
    mine = None if courses is None else current_user.id
    marked_before = id_arg("marked_before")
    marked = recently_marked(courses, mine, marked_before, MARKED_PAGE + 1)
    if not marked and marked_before is not None:  # its edge unmarked since, or gone: the latest marks
        marked = recently_marked(courses, mine, None, MARKED_PAGE + 1)
    return (
        render_template(
            "author/marking.html",
            waiting=waiting[:QUEUE_PAGE],
            next_after=waiting[QUEUE_PAGE - 1].answer_id if len(waiting) > QUEUE_PAGE else None,
            marked=marked[:MARKED_PAGE],
            every_mark=mine is None,
            older_marks=marked[MARKED_PAGE - 1].answer_id if len(marked) > MARKED_PAGE else None,
            form=form,
            failed_id=failed_id,
            render_stem=render_stem,
            mark_stamp=mark_stamp,
        ),
        status,
    )


@bp.route("/marking")
@allow("trainer")
def marking():
    """Essays waiting for a mark in the trainer's quizzes, oldest first, 20 a page (by key)."""
    return queue_page()


def posted_mark(answer_id: int) -> MarkForm:
    """The mark posted for an answer of a course the trainer teaches (404 for no such answer, 403 for another
    course's)."""
    course_id = course_of_answer(answer_id)
    if course_id is None:
        fail(404, "There is no such answer to mark.")
    if not may_author(current_user, course_id):
        fail(403, "This answer belongs to a course you are not a trainer of.")
    return MarkForm()


@bp.route("/marking/<int:answer_id>", methods=["POST"])
@allow("trainer")
def mark(answer_id: int):
    """Mark one answer; the attempt is scored, and passes or fails, with its last mark."""
    form = posted_mark(answer_id)
    if not form.validate_on_submit():
        return queue_page(form, answer_id, 400)
    try:
        attempt = mark_answer(current_user, answer_id, float(form.score.data), (form.comment.data or "").strip())
    except ServiceError as error:
        fail(error.status, error.message)
    if attempt.score is None:
        flash("Mark saved. The attempt has more answers waiting for a mark.", "success")
    else:
        flash(f"Mark saved. The attempt is scored: {attempt.score:g}%.", "success")
    return redirect(url_for("author.marking"))


@bp.route("/marking/<int:answer_id>/correct", methods=["POST"])
@allow("trainer")
def correct(answer_id: int):
    """Correct an essay's mark; a scored attempt is scored again, and may pass or fail with it."""
    form = posted_mark(answer_id)
    if not form.validate_on_submit():
        return queue_page(form, answer_id, 400)
    try:
        done = change_mark(
            current_user,
            answer_id,
            float(form.score.data),
            (form.comment.data or "").strip(),
            seen=request.form.get("marked_at", ""),
        )
    except ServiceError as error:
        if error.status != 409:
            fail(error.status, error.message)
        # Changed by someone else since the page was shown: said beside the mark, with what was typed kept.
        form.score.errors = [error.message]
        return queue_page(form, answer_id, 409)
    flash(correction_message(done), "success")
    return redirect(url_for("author.marking", _anchor="marked"))


def correction_message(done) -> str:
    """What a corrected mark did to its attempt, as the trainer reads it."""
    if not done.changed:
        return "Nothing to correct: the mark and the comment are as they were."
    if done.after is None:
        return "Mark corrected. The attempt has more answers waiting for a mark."
    (old_score, old_passed), (score, passed) = done.before, done.after
    message = f"Mark corrected. The attempt is scored again: {old_score:g}% → {score:g}%"
    if passed and not old_passed:
        return f"{message}, now passed."
    if old_passed and not passed:
        return (
            f"{message}, no longer passed. The progress figures follow; the completions and badges the pass gave "
            "stay on record (an admin may revoke a badge)."
        )
    return f"{message}."
