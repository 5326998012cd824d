"""Trainer pages: quizzes and their questions, GIFT import (all or nothing) and export."""

import re

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from courses.models import Course
from courses.trainers import authored_course_ids, may_author
from lms.access import allow
from lms.errors import fail
from lms.extensions import db
from lms.forms import ActionForm
from lms.input_guard import CONTROL
from lms.security_log import security_event
from lms.wording import count_of
from quizzes.author_forms import MAX_GIFT_BYTES, GiftImportForm
from quizzes.authoring import nothing_to_ask
from quizzes.bank import draw_pool, draws_from_bank, export_bank, export_gift, question_types
from quizzes.gift_import import ImportResult, import_gift, preview_gift
from quizzes.key_guard import withheld_among
from quizzes.models import Quiz, QuizQuestion
from quizzes.review import POLICY_NAMES
from quizzes.statistics import answered_counts

bp = Blueprint("author", __name__, url_prefix="/author")


def may_edit(user, quiz: Quiz) -> bool:
    """Trainers edit the quizzes of the courses they are assigned to: one they created too, only while they are
    (its attempts name the course's learners)."""
    return may_author(user, quiz.course_id)


def editable_quizzes() -> list[Quiz]:
    """The quizzes the trainer may edit, by title (for the filter and the copy and move choices)."""
    allowed = authored_course_ids(current_user)
    query = select(Quiz)
    if allowed is not None:
        query = query.where(Quiz.course_id.in_(allowed))
    return list(db.session.scalars(query.order_by(Quiz.title, Quiz.id)))


def action_form_or_400() -> None:
    """Check the posted CSRF token of a one-button form."""
    if not ActionForm().validate_on_submit():
        fail(400, "The form expired. Reload the page and try again.")


def get_quiz(quiz_id: int) -> Quiz:
    """A quiz by id (published or not) the trainer may edit; 404 when there is none, 403 when it is not theirs."""
    quiz = db.get_or_404(Quiz, quiz_id)
    if not may_edit(current_user, quiz):
        fail(403, "You are not a trainer of this quiz's course. An admin can assign you to it.")
    return quiz


@bp.route("/quizzes")
@allow("trainer")
def quizzes():
    """The quizzes the trainer authors with their course, question count and attempts (a count kept as
    attempts start)."""
    questions = (
        select(func.count(QuizQuestion.id)).where(QuizQuestion.quiz_id == Quiz.id).correlate(Quiz).scalar_subquery()
    )
    query = select(Quiz, Course.title, questions).join(Course, Course.id == Quiz.course_id)
    allowed = authored_course_ids(current_user)
    if allowed is not None:  # a trainer sees the quizzes of the courses they are assigned to
        query = query.where(Quiz.course_id.in_(allowed))
    rows = db.session.execute(query.order_by(Course.title, Quiz.id)).all()
    return render_template("author/quizzes.html", rows=rows, assigned=allowed is None or bool(allowed))


@bp.route("/quizzes/<int:quiz_id>", methods=["GET", "POST"])
@allow("trainer")
def quiz(quiz_id: int):
    """A quiz's questions, and the GIFT import: a preview of what it would add, then the import once the
    trainer confirms it (the whole file imports, or nothing does)."""
    quiz = get_quiz(quiz_id)
    form = GiftImportForm()
    status, problems, preview, text = 200, list[str](), None, ""
    if form.validate_on_submit():
        text, unreadable = read_gift_upload(form)
        if unreadable:
            problems = [unreadable]
        elif form.confirm.data == "yes":
            result = import_gift(quiz.id, text, actor=current_user)
            problems = result.problems
            if not problems:
                flash(import_message(result, quiz.title), "success")
                return redirect(url_for("author.quiz", quiz_id=quiz.id))
        else:
            preview, problems = preview_gift(quiz.id, text)
        status = 400 if problems else 200
    elif form.is_submitted():
        status = 400
        problems = [f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()]
    if problems:
        flash("Nothing was imported. Fix the problems listed below and try again.", "error")
    # A quiz that counts withholds nothing (quizzes.key_guard): its draw pool is not read for this.
    pool = draw_pool(quiz) if not quiz.counts_towards_completion and draws_from_bank(quiz) else []
    withheld = withheld_among(quiz, {item.question_id for item in quiz.items} | {question.id for question in pool})
    return (
        render_template(
            "author/quiz.html",
            quiz=quiz,
            form=form,
            problems=problems,
            preview=None if problems else preview,
            gift_text=text,
            types=question_types(),
            others=[other for other in editable_quizzes() if other.id != quiz.id],
            answered=answered_counts([item.question_id for item in quiz.items]),
            withheld=withheld,
            withheld_from_draw=sum(question.id in withheld for question in pool),
            stranded=nothing_to_ask(quiz) if quiz.active else None,
            review_name=POLICY_NAMES[quiz.review],
        ),
        status,
    )


def import_message(result: ImportResult, title: str) -> str:
    """What an import did, in a sentence or three."""
    message = f"Imported {count_of(result.added, 'question')} into {title}."
    if result.changed:
        message += f" Updated {count_of(result.changed, 'question')} that had changed."
    if result.unchanged:
        were = "was" if result.unchanged == 1 else "were"
        message += f" {result.unchanged} {were} already in the quiz and not added again."
    if result.repeated:
        message += f" {result.repeated} repeated a question above them in the file and were added once."
    return message


def read_gift_upload(form: GiftImportForm) -> tuple[str, str | None]:
    """The GIFT text from the upload (preferred) or the text box, and None; or no text and why the file cannot
    be read (the page shows it with the form)."""
    upload = form.gift_file.data
    if upload and getattr(upload, "filename", ""):
        raw = upload.read(MAX_GIFT_BYTES + 1)
        if len(raw) > MAX_GIFT_BYTES:
            return "", "The GIFT file is larger than 1 MB."
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            return "", (
                f"The GIFT file must be UTF-8 text, and line {line} is not: save it again as UTF-8 (in most "
                "editors, Save as… with the encoding UTF-8)."
            )
        # The form's fields were checked for control characters (lms.input_guard), a file's content was not.
        control = CONTROL.search(text)
        if control:
            line = text.count("\n", 0, control.start()) + 1
            return "", f"The GIFT file has a control character (such as a NUL byte) on line {line}; remove it first."
        return text, None
    return form.gift_text.data or "", None


@bp.route("/quizzes/<int:quiz_id>/export.gift")
@allow("trainer")
def export(quiz_id: int):
    """Download the quiz's questions as a GIFT file."""
    quiz = get_quiz(quiz_id)
    text = export_gift(quiz)
    security_event("quiz.export", actor=current_user.id, target=f"quiz:{quiz.id}", format="gift")
    return Response(
        text,
        content_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{quiz.slug}.gift"'},
    )


@bp.route("/bank.gift")
@allow("trainer")
def export_questions():
    """Download the bank of the courses the trainer authors, or its questions with one tag (`?tag=`), as GIFT."""
    tag = (request.args.get("tag") or "").strip().strip("/")
    text = export_bank(tag or None, authored_course_ids(current_user))
    security_event("bank.export", actor=current_user.id, target=f"tag:{tag}" if tag else "bank", format="gift")
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", tag).strip("-") or "question-bank"
    return Response(
        text,
        content_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.gift"'},
    )
