"""Sign up, sign in, sign out and the profile page."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from lms.access import ANYONE, SIGNED_IN, allow, rate_limited
from lms.auth import services
from lms.auth.forms import LoginForm, PasswordChangeForm, RegisterForm
from lms.errors import fail
from lms.extensions import db
from lms.models import User
from lms.security import safe_next_url
from lms.services import ServiceError

bp = Blueprint("auth", __name__)


def start_session(user: User) -> None:
    """Sign the user in with a fresh session, so nothing from before sign-in carries over."""
    session.clear()
    login_user(user)
    session.permanent = True


@bp.route("/signup", methods=["GET", "POST"])
@allow(ANYONE)
@rate_limited("SIGNUP_RATE_LIMIT")
def register():
    """Self-registration; always creates a learner, whatever else the form carries."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.display_name.data, form.password.data, role="learner")
        except ServiceError as exc:
            form.email.errors.append(exc.message)
            status = exc.status
        else:
            start_session(user)
            flash(f"Welcome, {user.display_name}! Your account is ready.", "success")
            return redirect(url_for("main.dashboard"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@allow(ANYONE)
@rate_limited("LOGIN_RATE_LIMIT")
def login():
    """Sign in; one message for an unknown email and a wrong password alike."""
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.sign_in(form.email.data, form.password.data, request.remote_addr or "")
        except ServiceError as exc:
            fail(exc.status, exc.message)
        if user is not None:
            target = safe_next_url(request.args.get("next")) or url_for("main.dashboard")
            start_session(user)
            flash(f"Signed in as {user.display_name}.", "success")
            return redirect(target)
        flash("Invalid email or password.", "error")
        status = 401
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@allow(ANYONE)
def logout():
    """Sign out (POST only, so no link or image can sign someone out), ending the account's sessions everywhere."""
    if current_user.is_authenticated:
        services.end_sessions(current_user.id)
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@allow(SIGNED_IN)
@rate_limited("PASSWORD_CHANGE_RATE_LIMIT")
def profile():
    """The user's own details and the password change form."""
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        account = db.get_or_404(User, current_user.id)
        try:
            services.change_password(account, form.current_password.data, form.password.data)
        except ServiceError as exc:
            form.current_password.errors.append(exc.message)
            status = exc.status
        else:
            start_session(account)  # this session goes on; every other one has ended
            flash("Your password has been changed. You have been signed out everywhere else.", "success")
            return redirect(url_for("auth.profile"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/profile.html", form=form), status
