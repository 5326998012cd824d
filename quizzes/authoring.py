"""Trainer pages: quizzes and their questions, GIFT import (all or nothing) and export."""

import uuid

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import func, select
from wtforms import TextAreaField
from wtforms.validators import Length

from courses.models import Course
from lms.access import allow
from lms.db import begin_write, commit
from lms.extensions import db
from quizzes.bank import question_types, save_question, set_quiz_questions
from quizzes.gift import GiftError, has_gift_form, parse_gift, write_gift
from quizzes.models import Attempt, Question, Quiz

bp = Blueprint("authoring", __name__, url_prefix="/author")
MAX_GIFT_BYTES = 1_000_000


class GiftImportForm(FlaskForm):
    """Paste GIFT text or upload a .gift file."""

    gift_file = FileField("GIFT file")
    gift_text = TextAreaField("Or paste GIFT text", validators=[Length(max=MAX_GIFT_BYTES)])


def get_quiz(quiz_id: int) -> Quiz:
    """Any quiz by id, or 404."""
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None:
        abort(404)
    return quiz


@bp.route("/quizzes")
@allow("trainer")
def quizzes():
    """Every quiz with its course, question count and attempts."""
    rows = db.session.execute(
        select(Quiz, Course.title, func.count(Attempt.id))
        .join(Course, Course.id == Quiz.course_id)
        .outerjoin(Attempt, Attempt.quiz_id == Quiz.id)
        .group_by(Quiz.id, Course.title)
        .order_by(Course.title, Quiz.id)
    ).all()
    return render_template("author/quizzes.html", rows=rows)


def gift_dicts(quiz: Quiz) -> list:
    """The quiz's questions (current versions) in the parsed-GIFT shape."""
    result = []
    for item in quiz.items:
        question, version = item.question, item.question.current
        result.append(
            {
                "type": question.type,
                "title": question.title or None,
                "stem": version.stem,
                "format": version.stem_format,
                "general_feedback": version.general_feedback,
                "tags": list(question.tags or []),
                "config": version.config,
            }
        )
    return result


@bp.route("/quizzes/<int:quiz_id>", methods=["GET", "POST"])
@allow("trainer")
def quiz(quiz_id: int):
    """A quiz's questions, and the GIFT import form (the whole file imports, or nothing does)."""
    quiz = get_quiz(quiz_id)
    form = GiftImportForm()
    status, problems = 200, []
    if form.validate_on_submit():
        text = read_gift_upload(form)
        try:
            parsed = parse_gift(text, question_types())
        except GiftError as exc:
            problems, status = [str(exc)], 400
        else:
            problems = [f"line {q['line']}: {message}" for q in parsed for message in type_problems(q)]
            if not parsed:
                problems.append("The GIFT text holds no questions.")
            if problems:
                status = 400
            else:
                import_questions(quiz, parsed)
                flash(f"Imported {len(parsed)} question(s) into {quiz.title}.", "success")
                return redirect(url_for("authoring.quiz", quiz_id=quiz.id))
    elif form.is_submitted():
        status = 400
        problems = [f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()]
    if problems:
        flash("Nothing was imported. Fix the problems listed below and try again.", "error")
    return render_template("author/quiz.html", quiz=quiz, form=form, problems=problems, types=question_types()), status


def read_gift_upload(form: GiftImportForm) -> str:
    """The GIFT text from the upload (preferred) or the text box; bad encodings are a clear 400."""
    upload = form.gift_file.data
    if upload and getattr(upload, "filename", ""):
        raw = upload.read(MAX_GIFT_BYTES + 1)
        if len(raw) > MAX_GIFT_BYTES:
            from lms.errors import fail

            fail(413, "The GIFT file is larger than 1 MB.")
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            from lms.errors import fail

            fail(400, "The GIFT file must be UTF-8 text.")
    return form.gift_text.data or ""


def type_problems(parsed: dict) -> list:
    """Problems of one parsed question against its installed type."""
    qtype = question_types().get(parsed["type"])
    if qtype is None:
        return [f"question type {parsed['type']!r} is not installed"]
    return qtype.validate(parsed["config"])


def import_questions(quiz: Quiz, parsed: list) -> None:
    """Add parsed questions to the bank and to the end of the quiz, in one transaction."""
    begin_write()
    quiz = db.session.get(Quiz, quiz.id)
    ids = [item.question_id for item in quiz.items]
    for question in parsed:
        row = Question(
            uid=f"authored:{uuid.uuid4().hex}", course_id=quiz.course_id, type=question["type"], current_version=0
        )
        db.session.add(row)
        save_question(
            row,
            question["type"],
            question.get("title") or "",
            question.get("tags", []),
            {
                "stem": question["stem"],
                "stem_format": question.get("format", "moodle"),
                "general_feedback": question.get("general_feedback", ""),
                "config": question["config"],
            },
        )
        db.session.flush()
        ids.append(row.id)
    set_quiz_questions(quiz, ids)
    commit()


@bp.route("/quizzes/<int:quiz_id>/export.gift")
@allow("trainer")
def export(quiz_id: int):
    """Download the quiz's questions as a GIFT file."""
    quiz = get_quiz(quiz_id)
    types = question_types()
    # Questions of a type without a GIFT form (or no longer installed) are left out.
    exportable = [q for q in gift_dicts(quiz) if has_gift_form(types.get(q["type"]))]
    text = write_gift(exportable, types)
    return Response(
        text,
        mimetype="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{quiz.slug}.gift"'},
    )
