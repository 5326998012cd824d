"""Home page, dashboard and a learner's record."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from lms.access import ANYONE, SIGNED_IN, allow
from lms.plugins import in_registration_order, plugin_manager, real_app
from lms.records import learner_record as learner_record_of

bp = Blueprint("main", __name__)


@bp.route("/")
@allow(ANYONE)
def index():
    """The welcome page; signed-in users go straight to their dashboard."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return render_template("main/index.html")


@bp.route("/dashboard")
@allow(SIGNED_IN)
def dashboard():
    """The user's dashboard, made of the sections plugins contribute."""
    app = real_app()
    sections = in_registration_order(plugin_manager(app).hook.lms_dashboard_sections(app=app, user=current_user))
    return render_template("main/dashboard.html", sections=sections)


@bp.route("/learners/<int:user_id>/record")
@allow(SIGNED_IN)
def learner_record(user_id: int):
    """A learner's record: courses, lessons, attempts and badges with their dates, and one timeline of them.

    The learner sees their own; admins see everyone's; a trainer sees the parts from the courses they train. To
    anyone else it is a 404, exactly like a learner who does not exist.
    """
    learner, parts, timeline, limited = learner_record_of(current_user, user_id)
    return render_template("main/record.html", learner=learner, parts=parts, timeline=timeline, limited=limited)
