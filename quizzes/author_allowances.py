"""The trainer's and admin's form on a learner's record that grants extra time on a course's timed quizzes."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from courses.models import Course
from courses.trainers import may_author
from lms.access import allow
from lms.errors import fail
from lms.extensions import db
from lms.forms import MAX_ROW_ID
from lms.models import User
from lms.services import ServiceError
from quizzes.allowances import CHOICES, set_allowance
from quizzes.author import action_form_or_400, bp


def posted_number(name: str, problem: str) -> int:
    """A whole number from the posted form, or a 400 with `problem`."""
    value = request.form.get(name, type=int)
    if value is None or not 0 <= value <= MAX_ROW_ID:
        fail(400, problem)
    return value


@bp.route("/learners/<int:user_id>/time-allowance", methods=["POST"])
@allow("trainer")
def time_allowance(user_id: int):
    """Set the learner's time allowance on the timed quizzes of one course, from their record."""
    action_form_or_400()
    course = db.session.get(Course, posted_number("course_id", "Choose the course the allowance is for."))
    learner = db.session.get(User, user_id)
    if course is None or learner is None:
        fail(404, "There is no such learner or course.")
    if not may_author(current_user, course.id):  # its trainers and admins grant allowances
        fail(403, "You are not a trainer of this course. An admin can assign you to it.")
    time_percent = posted_number("time_percent", "Choose one of the allowances offered.")
    try:
        extended = set_allowance(current_user, learner.id, course.id, time_percent)
    except ServiceError as exc:
        fail(exc.status, exc.message)
    if time_percent == 100:
        message = f"{learner.display_name} now has each timed quiz's own time limit in {course.title}."
    else:
        message = (
            f"{learner.display_name} now has {CHOICES[time_percent].lower()} on the timed quizzes of {course.title}."
        )
    if extended == 1:
        message += " Their attempt in progress has the extra time now."
    elif extended > 1:
        message += f" Their {extended} attempts in progress have the extra time now."
    flash(message, "success")
    return redirect(url_for("main.learner_record", user_id=learner.id)), 303
