"""Role readiness pages: a learner's own, and a cohort's for the course's trainers and admins."""

from flask import abort, render_template, url_for
from flask_login import current_user

from courses.dashboard import Chart
from courses.views import get_course
from lms.access import SIGNED_IN, allow
from lms.forms import id_arg
from quizzes.readiness import cohort_readiness, course_roles, learner_readiness
from quizzes.views import bp


@bp.route("/readiness/<course_slug>")
@allow(SIGNED_IN)
def readiness(course_slug: str):
    """For each role the course prepares people for: the skills it needs, the learner's evidence, what is missing."""
    course = get_course(course_slug)
    statuses = learner_readiness(current_user.id, course)
    if not statuses:
        abort(404)
    return render_template("quizzes/readiness.html", course=course, statuses=statuses)


@bp.route("/readiness/<course_slug>/cohort")
@allow("trainer")
def cohort_readiness_page(course_slug: str):
    """A cohort's readiness for each role, as a chart and a table, with the learner table (and its exports)
    filtered to the cohort for each learner's row."""
    from courses.report_views import cohort_rows, reported_course
    from lms.cohorts import Cohort, member_ids
    from lms.extensions import db

    course = reported_course(course_slug)
    if not course_roles(course.id, course.synced_at):
        abort(404)
    cohorts = cohort_rows()
    cohort_id = id_arg("cohort")
    cohort = db.session.get(Cohort, cohort_id) if cohort_id is not None else None
    rows = cohort_readiness(course.id, course.synced_at, member_ids(cohort.id)) if cohort else []
    chart = None
    if cohort is not None and rows:
        chart = Chart(
            key="readiness",
            title=f"{cohort.name}: learners ready for each role",
            type="bar",
            labels=[role.title for role, *_counts in rows],
            series=[
                {"label": "Ready", "values": [ready for _r, ready, _p, _e in rows]},
                {"label": "Part of the way", "values": [part for _r, _ready, part, _e in rows]},
            ],
            extra=[{"label": "Enrolled", "values": [enrolled for *_rest, enrolled in rows]}],
        )
    table = url_for("reports.learners", course_slug=course.slug, cohort=cohort.id) if cohort else None
    return render_template(
        "quizzes/readiness_cohort.html", course=course, cohorts=cohorts, cohort=cohort, chart=chart, table=table
    )
