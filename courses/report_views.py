"""Progress reports of a course for its trainers and admins: the learner table."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from courses.learner_table import STATUSES, STUCK_DAYS, TableQuery, learner_page, plugin_columns, status_of
from courses.trainers import may_author
from courses.views import get_course
from lms.access import allow
from lms.errors import fail
from lms.models import utcnow

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.route("/courses/<course_slug>/learners")
@allow("trainer")
def learners(course_slug: str):
    """Every learner enrolled in the course with their progress, 50 a page, filtered and sorted as asked."""
    course = get_course(course_slug)
    if not may_author(current_user, course.id):
        fail(403, "You are not a trainer of this course. An admin can assign you to it.")
    query = TableQuery.from_args(request.args)
    rows, following = learner_page(course.id, query)
    columns = plugin_columns(course.id, [row.Enrolment.user_id for row in rows])
    now = utcnow()
    return render_template(
        "courses/learners.html",
        course=course,
        rows=[(row, status_of(row.Enrolment, now)) for row in rows],
        columns=columns,
        query=query,
        following=following,
        statuses=STATUSES,
        stuck_days=STUCK_DAYS,
    )
