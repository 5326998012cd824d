"""The trainer's and admin's form on a learner's record that grants extra time on a course's timed quizzes."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from courses.models import Course
from courses.trainers import may_author
from lms.access import allow
from lms.errors import fail
from lms.extensions import db
from lms.forms import posted_id
from lms.models import User
from lms.services import ServiceError
from quizzes.allowances import CHOICES, NO_SUCH_LEARNER, set_allowance
from quizzes.author import action_form_or_400, bp


@bp.route("/learners/<int:user_id>/time-allowance", methods=["POST"])
@allow("trainer")
def time_allowance(user_id: int):
    """Set the learner's time allowance on the timed quizzes of one course, from their record."""
    action_form_or_400()
    course = db.session.get(Course, posted_id("course_id"))
    if course is None:
        fail(404, "There is no such course.")
    if not may_author(current_user, course.id):  # its trainers and admins grant allowances
        fail(403, "You are not a trainer of this course. An admin can assign you to it.")
    if user_id == current_user.id:
        fail(403, "You cannot change your own time allowance: another trainer of the course or an admin can.")
    learner = db.session.get(User, user_id)
    if learner is None:  # the same answer as for a learner not in the course: ids are not probed through it
        fail(404, NO_SUCH_LEARNER)
    # Not posted_id: its 0 for "no number" would read as the choice "no time limit"; -1 is no choice at all.
    time_percent = request.form.get("time_percent", type=int, default=-1)
    try:
        changed = set_allowance(current_user, learner.id, course, time_percent)
    except ServiceError as exc:
        fail(exc.status, exc.message)
    if time_percent == 100:
        message = f"{learner.display_name} now has each timed quiz's own time limit in {course.title}."
    else:
        message = (
            f"{learner.display_name} now has {CHOICES[time_percent].lower()} on the timed quizzes of {course.title}."
        )
    if changed.extended:
        message += (
            " Their attempt in progress has the extra time now."
            if changed.extended == 1
            else (f" Their {changed.extended} attempts in progress have the extra time now.")
        )
    if changed.kept:
        message += " Their attempt in progress keeps the time it had: a change never shortens one."
    flash(message, "success")
    return redirect(url_for("main.learner_record", user_id=learner.id)), 303
