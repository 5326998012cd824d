"""Home page and dashboard."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from lms.access import ANYONE, SIGNED_IN, allow
from lms.plugins import in_registration_order, plugin_manager, real_app

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
