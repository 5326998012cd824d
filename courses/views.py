"""The learner's journey: catalog, course page, module page, lessons, completion and "continue"."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import bindparam, select
from wtforms import EmailField
from wtforms.validators import DataRequired, Length

from courses.models import Course, Enrolment, LessonCompletion
from courses.outline import (
    CourseOutline,
    LessonOutline,
    ModuleOutline,
    cached_outline_by_slug,
    current_outline,
    outline_by_slug,
)
from courses.progress import course_progress, courses_progress
from courses.services import complete_lesson, enrol
from courses.trainers import assign_trainer, course_trainers, unassign_trainer
from lms.access import SIGNED_IN, allow
from lms.errors import fail
from lms.extensions import db
from lms.forms import ActionForm
from lms.plugins import plugin_manager, real_app
from lms.services import ServiceError

bp = Blueprint("courses", __name__, url_prefix="/courses")


def get_course(slug: str) -> CourseOutline:
    """The active course with this slug, or 404."""
    course = outline_by_slug(slug)
    if course is None:
        abort(404)
    return course


def get_module(course: CourseOutline, slug: str) -> ModuleOutline:
    """The active module with this slug in the course, or 404."""
    module = course.module(slug)
    if module is None:
        abort(404)
    return module


def get_lesson(module: ModuleOutline, slug: str) -> LessonOutline:
    """The active lesson with this slug in the module, or 404."""
    lesson = module.lesson(slug)
    if lesson is None:
        abort(404)
    return lesson


# The learner's enrolment in the course a statement selects, as a column of it.
ENROLMENT_ID = (
    select(Enrolment.id)
    .where(Enrolment.user_id == bindparam("user_id"), Enrolment.course_id == Course.id)
    .scalar_subquery()
)
# Built once: the course's stamp (to check the outline held in memory) and whether the learner is enrolled.
COURSE_PAGE_STATE = select(Course.id, Course.synced_at, ENROLMENT_ID).where(
    Course.slug == bindparam("slug"), Course.active.is_(True)
)


def enrolled_course(user_id: int, course_slug: str) -> tuple[CourseOutline, bool]:
    """The active course with this slug and whether the learner is enrolled in it, in one statement; or 404."""
    values = {"slug": course_slug, "user_id": user_id}
    row = db.session.connection().execute(COURSE_PAGE_STATE, values).first()
    if row is None:
        abort(404)
    return current_outline(row.id, row.synced_at), row[2] is not None


# Built once: the lesson page's one statement besides the user's. The course page's, and whether the learner
# read the lesson the outline held in memory names.
LESSON_PAGE_STATE = COURSE_PAGE_STATE.add_columns(
    select(LessonCompletion.id)
    .where(LessonCompletion.user_id == bindparam("user_id"), LessonCompletion.lesson_id == bindparam("lesson_id"))
    .scalar_subquery()
)


def lesson_page_state(user_id: int, course_slug: str, module_slug: str, lesson_slug: str):
    """(course, module, lesson, enrolled, done) for a lesson page, or 404: one statement when this process holds
    the course's outline and it is current, two when it is not."""
    held = cached_outline_by_slug(course_slug)
    held_module = held.module(module_slug) if held is not None else None
    held_lesson = held_module.lesson(lesson_slug) if held_module is not None else None
    guess = held_lesson.id if held_lesson is not None else 0  # no lesson has id 0
    values = {"slug": course_slug, "user_id": user_id, "lesson_id": guess}
    row = db.session.connection().execute(LESSON_PAGE_STATE, values).first()
    if row is None:
        abort(404)
    course = current_outline(row.id, row.synced_at)
    module = get_module(course, module_slug)
    lesson = get_lesson(module, lesson_slug)
    if lesson.id != guess:  # the outline was not held, or a sync changed it: ask again about this lesson
        row = db.session.connection().execute(LESSON_PAGE_STATE, {**values, "lesson_id": lesson.id}).first()
        if row is None:
            abort(404)  # the course was deactivated in between
    return course, module, lesson, row[2] is not None, row[3] is not None


# Built once: every dashboard and catalog view runs it.
MY_COURSES = (
    select(Course.id, Course.synced_at)
    .join(Enrolment, Enrolment.course_id == Course.id)
    .where(Enrolment.user_id == bindparam("user_id"), Course.active.is_(True))
    .order_by(Enrolment.enrolled_at)
)


def my_learning(user_id: int) -> list:
    """Progress of every course the user is enrolled in."""
    courses = db.session.connection().execute(MY_COURSES, {"user_id": user_id}).all()
    return courses_progress(user_id, [current_outline(row.id, row.synced_at) for row in courses])


@bp.route("/")
@allow(SIGNED_IN)
def catalog():
    """Every available course, with the learner's progress where enrolled."""
    courses = db.session.scalars(select(Course).where(Course.active.is_(True)).order_by(Course.title)).all()
    enrolled = {p.course.id: p for p in my_learning(current_user.id)}
    return render_template("courses/catalog.html", courses=courses, enrolled=enrolled)


@bp.route("/<course_slug>")
@allow(SIGNED_IN)
def course(course_slug: str):
    """The course page: modules, lessons and quizzes with the learner's progress."""
    course, enrolled = enrolled_course(current_user.id, course_slug)
    progress = course_progress(current_user.id, course)
    takeaways = completed_links(current_user.id, course.id) if enrolled and progress.complete else []
    return render_template(
        "courses/course.html",
        course=course,
        progress=progress,
        enrolled=enrolled,
        takeaways=takeaways,
        links=course_links(current_user.id, course) if enrolled else [],
    )


def course_links(user_id: int, course) -> list[tuple[str, str]]:
    """What the plugins offer an enrolled learner from the course page (their role readiness), as (text, url)."""
    app = real_app()
    groups = plugin_manager(app).hook.lms_course_links(app=app, user_id=user_id, course=course)
    return [link for group in groups for link in group or ()]


@bp.route("/<course_slug>/glossary")
@allow(SIGNED_IN)
def glossary(course_slug: str):
    """The course's glossary: the terms its lessons use, each with a plain definition (404 when it has none)."""
    course = get_course(course_slug)
    if not course.glossary:
        abort(404)
    return render_template("courses/glossary.html", course=course)


def completed_links(user_id: int, course_id: int) -> list[tuple[str, str]]:
    """What the plugins offer a learner who completed the course (a certificate), as (text, url)."""
    app = real_app()
    groups = plugin_manager(app).hook.lms_course_completed_links(app=app, user_id=user_id, course_id=course_id)
    return [link for group in groups for link in group or ()]


@bp.route("/<course_slug>/enrol", methods=["POST"])
@allow(SIGNED_IN)
def enrol_in(course_slug: str):
    """Enrol in the course (a second press changes nothing)."""
    course = get_course(course_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    if enrol(current_user.id, course):
        flash(f"You are enrolled in {course.title}. Enjoy the course!", "success")
    return redirect(url_for("courses.course", course_slug=course.slug))


@bp.route("/<course_slug>/continue")
@allow(SIGNED_IN)
def continue_course(course_slug: str):
    """Go to the first unfinished step."""
    course, enrolled = enrolled_course(current_user.id, course_slug)
    if not enrolled:
        flash("Enrol in the course to start it.", "info")
        return redirect(url_for("courses.course", course_slug=course.slug))
    step = course_progress(current_user.id, course).next_step()
    if step is None:
        flash("You have finished every step of this course. Well done!", "success")
        return redirect(url_for("courses.course", course_slug=course.slug))
    return redirect(step.url)


@bp.route("/<course_slug>/<module_slug>")
@allow(SIGNED_IN)
def module(course_slug: str, module_slug: str):
    """A module's steps: what is done, what remains and why the module is not complete yet."""
    course, enrolled = enrolled_course(current_user.id, course_slug)
    module = get_module(course, module_slug)
    progress = course_progress(current_user.id, course)
    module_progress = next(m for m in progress.modules if m.module.id == module.id)
    return render_template(
        "courses/module.html",
        course=course,
        module=module,
        progress=module_progress,
        enrolled=enrolled,
        next_step=progress.next_step() if module_progress.complete else None,
    )


def neighbours(course: CourseOutline, lesson: LessonOutline):
    """The lessons before and after this one, across modules, in course order."""
    ordered = course.lesson_order()
    index = next(i for i, (_, item) in enumerate(ordered) if item.id == lesson.id)
    previous = ordered[index - 1] if index > 0 else None
    following = ordered[index + 1] if index + 1 < len(ordered) else None
    return previous, following


@bp.route("/<course_slug>/<module_slug>/<lesson_slug>")
@allow(SIGNED_IN)
def lesson(course_slug: str, module_slug: str, lesson_slug: str):
    """A lesson page; learners who are not enrolled are offered enrolment instead."""
    course, module, lesson, enrolled, done = lesson_page_state(current_user.id, course_slug, module_slug, lesson_slug)
    previous, following = neighbours(course, lesson)
    return render_template(
        "courses/lesson.html",
        course=course,
        module=module,
        lesson=lesson,
        enrolled=enrolled,
        done=done,
        previous=previous,
        next_step=after_lesson(course, module, following),
    )


def after_lesson(course: CourseOutline, module: ModuleOutline, following) -> tuple[str, str] | None:
    """Where a lesson's "Next" leads, as (title, URL): the module's next lesson; after its last lesson, what
    another plugin says comes next (the module's quiz), else the next module's first lesson."""
    if following is None or following[0].id != module.id:
        app = real_app()
        for group in plugin_manager(app).hook.lms_module_followups(app=app, module_id=module.id):
            for title, endpoint, values in group or ():
                return title, url_for(endpoint, **values)
    if following is None:
        return None
    then_module, then_lesson = following
    url = url_for("courses.lesson", course_slug=course.slug, module_slug=then_module.slug, lesson_slug=then_lesson.slug)
    return then_lesson.title, url


@bp.route("/<course_slug>/<module_slug>/<lesson_slug>/complete", methods=["POST"])
@allow(SIGNED_IN)
def complete(course_slug: str, module_slug: str, lesson_slug: str):
    """Mark a lesson complete (idempotent), then go to the next lesson."""
    course = get_course(course_slug)
    module = get_module(course, module_slug)
    lesson = get_lesson(module, lesson_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    here = url_for("courses.lesson", course_slug=course.slug, module_slug=module.slug, lesson_slug=lesson.slug)
    try:
        complete_lesson(current_user.id, lesson, course)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(here), 303
    flash(f"“{lesson.title}” marked as complete.", "success")
    _, following = neighbours(course, lesson)
    if following is not None and following[0].id == module.id:
        return redirect(
            url_for("courses.lesson", course_slug=course.slug, module_slug=module.slug, lesson_slug=following[1].slug)
        )
    # The module's last lesson: its page shows the quiz that remains, or that the module is complete.
    return redirect(url_for("courses.module", course_slug=course.slug, module_slug=module.slug))


class AssignTrainerForm(FlaskForm):
    """An admin assigns a trainer to a course by email."""

    email = EmailField("Trainer's email", validators=[DataRequired(), Length(max=254)])


def course_row(slug: str) -> Course:
    """The course (active or not) with this slug, or 404."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    return course


@bp.route("/<course_slug>/trainers", methods=["GET", "POST"])
@allow("admin")
def trainers(course_slug: str):
    """The trainers who author this course's quizzes; an admin assigns more by email."""
    course = course_row(course_slug)
    form = AssignTrainerForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = assign_trainer(current_user, course.id, form.email.data)
        except ServiceError as exc:
            form.email.errors.append(exc.message)
            status = exc.status
        else:
            flash(f"{user.display_name} now authors the quizzes of {course.title}.", "success")
            return redirect(url_for("courses.trainers", course_slug=course.slug))
    elif form.is_submitted():
        status = 400
    return (
        render_template("courses/trainers.html", course=course, trainers=course_trainers(course.id), form=form),
        status,
    )


@bp.route("/<course_slug>/trainers/<int:user_id>/remove", methods=["POST"])
@allow("admin")
def remove_trainer(course_slug: str, user_id: int):
    """Take a trainer off the course."""
    course = course_row(course_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        unassign_trainer(current_user, course.id, user_id)
    except ServiceError as exc:
        fail(exc.status, exc.message)
    flash("The trainer no longer authors this course's quizzes.", "success")
    return redirect(url_for("courses.trainers", course_slug=course.slug))
