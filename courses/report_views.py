"""Progress reports of a course for its trainers and admins: the learner table, its exports, and enrolling a cohort."""

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from courses import services
from courses.dashboard import course_figures
from courses.exports import download
from courses.learner_table import (
    STATUSES,
    STUCK_DAYS,
    TableQuery,
    cells,
    day_notes,
    export_rows,
    headings,
    learner_page,
    plugin_columns,
)
from courses.trainers import may_author
from courses.views import get_course
from lms.access import allow
from lms.errors import fail
from lms.forms import ActionForm, posted_id
from lms.plugins import plugin_manager, real_app
from lms.security_log import security_event
from lms.services import ServiceError
from lms.wording import count_of

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.route("/courses/<course_slug>/learners")
@allow("trainer")
def learners(course_slug: str):
    """Every learner enrolled in the course with their progress, 50 a page, filtered and sorted as asked."""
    course = reported_course(course_slug)
    query = TableQuery.from_args(request.args)
    columns = plugin_columns(course.id)
    rows, following, preceding = learner_page(course.id, query, columns)
    return render_template(
        "courses/learners.html",
        course=course,
        cohorts=cohort_rows(),
        headings=headings(columns),
        rows=[(row.user_id, cells(row, columns)) for row in rows],
        query=query,
        day_notes=day_notes(request.args, query),
        following=following,
        preceding=preceding,
        statuses=STATUSES,
        stuck_days=STUCK_DAYS,
    )


def cohort_rows() -> list:
    """The cohorts, for the filter and the admin's "Enrol a cohort"."""
    from lms.cohorts import cohorts

    return cohorts()


@bp.route("/courses/<course_slug>/enrol-cohort", methods=["POST"])
@allow("admin")
def enrol_cohort(course_slug: str):
    """Enrol every learner of a cohort (`cohort`) in the course."""
    course = get_course(course_slug)
    if not ActionForm().validate_on_submit():
        fail(400, "The form expired. Reload the page and try again.")
    # Back to the table as the admin left it: its search, filters and sort (the form's address carries them).
    back = url_for("reports.learners", course_slug=course.slug, **TableQuery.from_args(request.args).args())
    try:
        enrolled = services.enrol_cohort(current_user, course, posted_id("cohort"))
    except ServiceError as error:
        if error.status != 409:
            fail(error.status, error.message)
        flash(error.message, "error")  # an empty cohort: back to the table, which offers the cohorts
        return redirect(back), 303
    flash(
        f"Enrolled {count_of(enrolled, 'learner')} of the cohort"
        + ("; the others already were." if enrolled else ": every one of them already was."),
        "success",
    )
    return redirect(back)


def reported_course(course_slug: str):
    """The course whose reports the trainer asks for; 403 unless they train it (admins train every course)."""
    course = get_course(course_slug)
    if not may_author(current_user, course.id):
        fail(403, "You are not a trainer of this course. An admin can assign you to it.")
    return course


@bp.route("/courses/<course_slug>/learners.csv")
@allow("trainer")
def learners_csv(course_slug: str):
    """The learner table with its filters and order, as CSV, streamed as it is read."""
    return learners_file(course_slug, "csv")


@bp.route("/courses/<course_slug>/learners.xlsx")
@allow("trainer")
def learners_xlsx(course_slug: str):
    """The learner table with its filters and order, as an XLSX workbook."""
    return learners_file(course_slug, "xlsx")


def learners_file(course_slug: str, kind: str):
    """The learner table as a file of this kind; each export is a security event."""
    course = reported_course(course_slug)
    query = TableQuery.from_args(request.args)
    security_event("report.export", actor=current_user.id, target=f"course:{course.id}", format=kind)
    return download(export_rows(course.id, query), kind, f"{course.slug}-learners", "Learners")


@bp.route("/courses/<course_slug>")
@allow("trainer")
def dashboard(course_slug: str):
    """The course's dashboard: enrolled, started and completed, the module funnel, and activity over time."""
    course = reported_course(course_slug)
    app = real_app()
    groups = plugin_manager(app).hook.lms_course_report_links(app=app, course=course)
    links = [link for group in groups for link in group or ()]
    return render_template("courses/dashboard.html", course=course, figures=course_figures(course), links=links)
