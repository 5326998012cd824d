"""Trainer pages that create a quiz, change its settings and publish or unpublish it."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from courses.models import Course, Module
from courses.trainers import authored_course_ids
from lms.access import allow
from lms.errors import fail
from lms.extensions import db
from lms.services import ServiceError
from quizzes import authoring
from quizzes.author import action_form_or_400, bp, get_quiz
from quizzes.author_forms import QuizSettingsForm
from quizzes.models import Quiz

PUBLISHED = "Published: learners can take the quiz."
UNPUBLISHED = "Unpublished: learners no longer see the quiz."


def placements(course_ids: set[int] | None) -> tuple[dict, dict[str, int | None], dict[str, int]]:
    """Where a quiz may go: (select choices grouped by course, module id by value, course id by value).

    Each course offers "the course itself" (a quiz outside the modules) and each of its active modules.
    """
    query = select(Course).where(Course.active.is_(True)).order_by(Course.title)
    if course_ids is not None:
        query = query.where(Course.id.in_(course_ids))
    courses = db.session.scalars(query).all()
    modules = db.session.scalars(
        select(Module)
        .where(Module.course_id.in_([c.id for c in courses]), Module.active.is_(True))
        .order_by(Module.position)
    ).all()
    choices: dict[str, list] = {}
    module_ids: dict[str, int | None] = {}
    course_of: dict[str, int] = {}
    for course in courses:
        value = f"course-{course.id}"
        choices[course.title] = [SelectChoice(value, "Not in a module: a quiz of the whole course")]
        module_ids[value], course_of[value] = None, course.id
        for module in (m for m in modules if m.course_id == course.id):
            value = f"module-{module.id}"
            choices[course.title].append(SelectChoice(value, module.title))
            module_ids[value], course_of[value] = module.id, course.id
    return choices, module_ids, course_of


def placement_of(quiz: Quiz) -> str:
    """The placement value of a quiz's course or module."""
    return f"module-{quiz.module_id}" if quiz.module_id else f"course-{quiz.course_id}"


@bp.route("/quizzes/new", methods=["GET", "POST"])
@allow("trainer")
def new_quiz():
    """Create a quiz in a course the trainer authors; it stays unpublished until they publish it."""
    form = QuizSettingsForm()
    choices, module_ids, course_of = placements(authored_course_ids(current_user))
    if not choices:
        fail(403, "You are not a trainer of any course yet. An admin can assign you to one.")
    form.placement.choices = choices
    wanted = request.args.get("course", "")
    if request.method == "GET" and f"course-{wanted}" in course_of:
        form.placement.data = f"course-{wanted}"
    if form.validate_on_submit():
        try:
            quiz = authoring.create_quiz(current_user, course_of[form.placement.data], form.settings(module_ids))
        except authoring.TitleTaken as error:
            form.title.errors = [*form.title.errors, error.message]
            return render_template("author/quiz_settings.html", form=form, quiz=None), 400
        except ServiceError as error:
            fail(error.status, str(error))
        flash(f"Quiz “{quiz.title}” created. Add its questions, then publish it.", "success")
        return redirect(url_for("author.quiz", quiz_id=quiz.id))
    return render_template("author/quiz_settings.html", form=form, quiz=None), 400 if form.errors else 200


@bp.route("/quizzes/<int:quiz_id>/settings", methods=["GET", "POST"])
@allow("trainer")
def quiz_settings(quiz_id: int):
    """Change a quiz's settings; it stays in its course, and may move between its modules."""
    quiz = get_quiz(quiz_id)
    data = {
        key: getattr(quiz, key)
        for key in (
            "title",
            "introduction",
            "pass_mark",
            "max_attempts",
            "cooldown_minutes",
            "time_limit_minutes",
            "draw_count",
            "review",
            "counts_towards_completion",
        )
    }
    data.update(
        placement=placement_of(quiz),
        draw_tags=", ".join(quiz.draw_tags or []),
        shuffle_questions=quiz.shuffle_questions,
        shuffle_options=quiz.shuffle_options,
    )
    form = QuizSettingsForm(data=data)
    choices, module_ids, course_of = placements({quiz.course_id})
    form.placement.choices = choices
    if form.validate_on_submit():
        try:
            changed = authoring.update_quiz(current_user, quiz, form.settings(module_ids))
        except authoring.NothingLeftToAsk as error:  # said beside what decides it, with the form as typed
            shown = form.draw_tags if form.draw_count.data else form.counts_towards_completion
            shown.errors = [*shown.errors, error.message]
            return render_template("author/quiz_settings.html", form=form, quiz=quiz), 400
        except authoring.DrawTooLarge as error:
            form.draw_count.errors = [*form.draw_count.errors, error.message]
            return render_template("author/quiz_settings.html", form=form, quiz=quiz), 400
        except authoring.TitleTaken as error:
            form.title.errors = [*form.title.errors, error.message]
            return render_template("author/quiz_settings.html", form=form, quiz=quiz), 400
        except ServiceError as error:
            fail(error.status, str(error))
        flash("Settings saved." if changed else "Nothing changed.", "success")
        return redirect(url_for("author.quiz", quiz_id=quiz.id))
    return render_template("author/quiz_settings.html", form=form, quiz=quiz), 400 if form.errors else 200


@bp.route("/quizzes/<int:quiz_id>/publish", methods=["POST"])
@allow("trainer")
def publish(quiz_id: int):
    """Publish the quiz (`publish=1`) or take it back from learners (`publish=0`)."""
    quiz = get_quiz(quiz_id)
    action_form_or_400()
    published = request.form.get("publish") == "1"
    try:
        authoring.set_published(current_user, quiz, published)
    except ServiceError as error:
        flash(str(error), "error")
        return redirect(url_for("author.quiz", quiz_id=quiz.id))
    flash(PUBLISHED if published else UNPUBLISHED, "success")
    return redirect(url_for("author.quiz", quiz_id=quiz.id))
