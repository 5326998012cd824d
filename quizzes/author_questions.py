"""Trainer pages for a quiz's questions: write a new one, edit, reorder, remove, and preview one graded."""

import random
from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from courses.trainers import may_author
from lms.access import allow
from lms.errors import fail
from lms.extensions import db
from lms.forms import MAX_ROW_ID
from lms.services import ServiceError
from quizzes import authoring
from quizzes.author import action_form_or_400, bp, get_quiz
from quizzes.author_forms import QuestionForm, question_form, split_tags
from quizzes.bank import feedback_problems, question_types
from quizzes.editors import Editor
from quizzes.models import Question, Quiz
from quizzes.types import QuestionType
from quizzes.views import render_stem

NEW_FORMAT = "markdown"  # the text format of questions written in the browser
# What the question text field takes, by the text format of the question being edited (imported questions keep
# the format GIFT gave them).
STEM_HELP = {
    "markdown": "Markdown: **bold**, *italic*, lists and links. Raw HTML is not shown.",
    "moodle": "HTML, as the GIFT file gave it: formatting, lists, links and images are kept; scripts, styles and "
    "event attributes are removed.",
    "html": "HTML, as the GIFT file gave it: formatting, lists, links and images are kept; scripts, styles and "
    "event attributes are removed.",
    "plain": "Plain text: shown as typed.",
}


def get_question(question_id: int) -> Question:
    """A bank question the trainer may edit (one of their courses'); 404 when there is none, 403 otherwise."""
    question = db.get_or_404(Question, question_id)
    if question.course_id is None or not may_author(current_user, question.course_id):
        fail(403, "This question belongs to a course you are not a trainer of.")
    return question


def editable_type(name: str) -> QuestionType:
    """The installed type with this name that has an authoring form; a 404 for any other name."""
    qtype = question_types().get(name)
    if qtype is None or qtype.editor is None:
        fail(404, "There is no question type of that name to write in the browser.")
    return qtype


def editor_of(qtype: QuestionType) -> type[Editor]:
    """The type's authoring form; a 404 for a type that has none (its questions are edited through GIFT)."""
    if qtype.editor is None:
        fail(404, "Questions of this type cannot be edited in the browser; edit them through GIFT.")
    return qtype.editor


def form_data(question: Question) -> dict:
    """The question form's data showing the question's current version."""
    version = question.current
    qtype = question_types()[question.type]
    return {
        "title": question.title,
        "tags": ", ".join(question.tags or []),
        "stem": version.stem,
        "general_feedback": version.general_feedback,
        "answers": editor_of(qtype).data_from(version.config or {}),
    }


def content_from(
    form: QuestionForm, qtype: QuestionType, stem_format: str, previous: dict | None = None
) -> tuple[dict, list[str]]:
    """The versioned content the form describes (with what the edited config held that the form does not show),
    and what the type still finds wrong with it."""
    editor = form.answers.form
    config = editor.to_config()
    for key, kept in editor.kept_from(previous or {}).items():
        config[key] = config.get(key, []) + kept
    content = {
        "stem": form.stem.data.strip(),
        "stem_format": stem_format,
        "general_feedback": (form.general_feedback.data or "").strip(),
        "config": config,
    }
    problems = qtype.size_problems(config) + qtype.validate(config)
    return content, problems + feedback_problems(qtype, content["general_feedback"])


def wants_more_rows(form: QuestionForm) -> bool:
    """Whether the trainer pressed "More rows": the form is shown again with blank rows, nothing saved."""
    if "more_rows" not in request.form:
        return False
    form.answers.form.add_rows()
    return True


def render_question_form(form, qtype, quiz, question=None, problems=(), status=200, saved_now=False):
    """The question form page; with `saved_now`, the question as it is saved shown above the form."""
    return (
        render_template(
            "author/question_form.html",
            form=form,
            qtype=qtype,
            quiz=quiz,
            question=question,
            problems=problems,
            saved_now=saved_now,
        ),
        status,
    )


@bp.route("/quizzes/<int:quiz_id>/questions/new", methods=["GET", "POST"])
@allow("trainer")
def new_question(quiz_id: int):
    """Write a new question of the type `?type=` and add it to the end of the quiz."""
    quiz = get_quiz(quiz_id)
    qtype = editable_type(request.args.get("type", ""))
    form = question_form(qtype, data={"answers": editor_of(qtype).data_from({})})
    if request.method == "POST" and wants_more_rows(form):
        return render_question_form(form, qtype, quiz)
    if not form.validate_on_submit():
        return render_question_form(form, qtype, quiz, status=400 if form.errors else 200)
    content, problems = content_from(form, qtype, NEW_FORMAT)
    if problems:
        return render_question_form(form, qtype, quiz, problems=problems, status=400)
    title, tags = (form.title.data or "").strip(), split_tags(form.tags.data)
    authoring.add_new_question(current_user, quiz, qtype.name, title, tags, content)
    flash("Question added to the quiz.", "success")
    return redirect(url_for("author.quiz", quiz_id=quiz.id))


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@allow("trainer")
def edit_question(question_id: int):
    """Edit a question; once learners have answered it, saving makes a new version and their attempts keep theirs."""
    question = get_question(question_id)
    qtype = editable_type(question.type)
    quiz = back_to_quiz()
    form = question_form(qtype, data={**form_data(question), "based_on": authoring.edit_stamp(question)})
    form.stem.description = STEM_HELP.get(question.current.stem_format, form.stem.description)
    if request.method == "POST" and wants_more_rows(form):
        return render_question_form(form, qtype, quiz, question)
    if not form.validate_on_submit():
        return render_question_form(form, qtype, quiz, question, status=400 if form.errors else 200)
    content, problems = content_from(form, qtype, question.current.stem_format, question.current.config or {})
    if problems:
        return render_question_form(form, qtype, quiz, question, problems=problems, status=400)
    title, tags = (form.title.data or "").strip(), split_tags(form.tags.data)
    try:
        new_version = authoring.edit_question(
            current_user, question, title, tags, content, based_on=form.based_on.data or None
        )
    except authoring.StaleEdit as stale:
        # What they typed stays in the form, beside what is saved now; the form takes the newer stamp, so that
        # saving again, having looked, is a choice made knowingly.
        form.based_on.data = authoring.edit_stamp(question)
        return render_question_form(form, qtype, quiz, question, problems=[stale.message], status=409, saved_now=True)
    if new_version:
        flash(
            f"Saved as version {question.current_version}. Attempts already made keep the version they answered.",
            "success",
        )
    else:
        flash("Question saved.", "success")
    return redirect(url_for("author.quiz", quiz_id=quiz.id) if quiz else url_for("author.quizzes"))


def back_to_quiz() -> Quiz | None:
    """The quiz named by `?quiz=` that the trainer came from, when they may edit it."""
    quiz_id = request.args.get("quiz", type=int)
    if quiz_id is None or not 0 < quiz_id <= MAX_ROW_ID:
        return None
    return get_quiz(quiz_id)


@bp.route("/quizzes/<int:quiz_id>/questions/<int:question_id>/move", methods=["POST"])
@allow("trainer")
def move_question(quiz_id: int, question_id: int):
    """Move a question one place up or down (`direction=up|down`)."""
    quiz = get_quiz(quiz_id)
    action_form_or_400()
    step = -1 if request.form.get("direction") == "up" else 1
    try:
        authoring.move_question(current_user, quiz, question_id, step)
    except ServiceError as error:
        fail(error.status, str(error))
    return redirect(url_for("author.quiz", quiz_id=quiz.id, _anchor=f"item-{question_id}"))


@bp.route("/quizzes/<int:quiz_id>/questions/<int:question_id>/remove", methods=["POST"])
@allow("trainer")
def remove_question(quiz_id: int, question_id: int):
    """Take a question out of the quiz (it stays in the bank)."""
    quiz = get_quiz(quiz_id)
    action_form_or_400()
    try:
        authoring.remove_question(current_user, quiz, question_id)
    except ServiceError as error:
        fail(error.status, str(error))
    flash("Question removed from the quiz. It stays in the question bank.", "success")
    return redirect(url_for("author.quiz", quiz_id=quiz.id))


@bp.route("/questions/<int:question_id>/preview", methods=["GET", "POST"])
@allow("trainer")
def preview_question(question_id: int):
    """The question exactly as a learner sees it; answering it shows the grade and feedback, and records nothing."""
    question = get_question(question_id)
    version = question.current
    qtype: QuestionType | None = question_types().get(question.type)
    if qtype is None:
        fail(404, "This question's type is not installed, so it cannot be shown.")
    # The same shuffle on every visit, so the options a trainer answered are the ones graded.
    layout = qtype.layout(version.config, random.Random(version.id), True)
    view = SimpleNamespace(slot=0, qtype=qtype, version=version, layout=layout, answer=None, graded=qtype.graded)
    field = qtype.answer_field(version.config, layout, "Your answer")
    form = type("PreviewForm", (FlaskForm,), {"q0": field} if field is not None else {})()
    result = None
    if form.validate_on_submit() and field is not None:
        response = qtype.response_from_data(version.config, layout, form.q0.data)
        grade = qtype.grade(version.config, response)
        result = SimpleNamespace(
            grade=grade,
            answer=qtype.describe_response(version.config, response),
            right=qtype.describe_response(version.config, qtype.correct_response(version.config)),
        )
    return render_template(
        "author/question_preview.html",
        render_stem=render_stem,
        question_editable=qtype.editor is not None,
        question=question,
        version=version,
        view=view,
        form=form,
        result=result,
        quiz=back_to_quiz(),
    )
