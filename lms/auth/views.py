"""Sign up, sign in, sign out and the profile page."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from wtforms import SelectChoice

from lms.access import ANYONE, SIGNED_IN, allow, rate_limited
from lms.auth import details, reset, services, signup
from lms.auth.forms import (
    EmailChangeForm,
    ForgotPasswordForm,
    LoginForm,
    NameForm,
    PasswordChangeForm,
    PreferencesForm,
    RegisterForm,
    ResetPasswordForm,
)
from lms.errors import fail
from lms.extensions import db
from lms.models import User
from lms.security import safe_next_url
from lms.services import ServiceError
from lms.timezones import zone_names

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
    """Self-registration; always creates a learner, whatever else the form carries. The answer is the same
    whether or not the address already has an account (`lms.auth.signup`)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        try:
            signup.register(form.email.data, form.display_name.data, form.password.data)
        except ServiceError as exc:
            form.password.errors.append(exc.message)
            status = exc.status
        else:
            return render_template("auth/check_email.html", email=form.email.data)
    elif form.is_submitted():
        status = 400
    return render_template("auth/register.html", form=form), status


@bp.route("/confirm-email/<token>")
@allow(ANYONE)
def confirm_email(token: str):
    """Follow the link a sign-up mail carries: the address is confirmed and the new learner signed in."""
    user = signup.confirm(token)
    if user is None:
        fail(400, "This link has expired or was already used. Sign in, or sign up again to get a new one.")
    start_session(user)
    flash(f"Welcome, {user.display_name}! Your email is confirmed and your account is ready.", "success")
    return redirect(url_for("main.dashboard"))


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


RESET_SENT = (
    "If an account uses that address, we have sent it a link to choose a new password. The link works once, "
    "within an hour; check your spam folder if it does not arrive."
)


@bp.route("/forgot-password", methods=["GET", "POST"])
@allow(ANYONE)
@rate_limited("PASSWORD_RESET_RATE_LIMIT")
def forgot_password():
    """Ask for a password-reset link; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        reset.request_reset(form.email.data)
        flash(RESET_SENT, "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), 400 if form.is_submitted() else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@allow(ANYONE)
@rate_limited("PASSWORD_RESET_RATE_LIMIT")
def reset_password(token: str):
    """Choose a new password from a mailed link, which works once, within an hour."""
    user = reset.user_for_token(token)
    if user is None:
        fail(400, "This link has expired or was already used. Ask for a new one from “Forgot your password?”.")
    form = ResetPasswordForm()
    status = password_from_link(user, form)
    if status is None:
        logout_user()
        session.clear()
        flash("Your password has been changed. Sign in with it now.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, user=user), status


@bp.route("/welcome/<token>", methods=["GET", "POST"])
@allow(ANYONE)
@rate_limited("PASSWORD_RESET_RATE_LIMIT")
def accept_invitation(token: str):
    """Choose the first password of an account an admin opened, from the mailed invitation; then signed in."""
    user = reset.user_for_token(token, reset.INVITATION)
    if user is None:
        fail(400, "This invitation has expired or was already used. Ask the admin who invited you for a new one.")
    form = ResetPasswordForm()
    status = password_from_link(user, form)
    if status is None:
        start_session(user)
        flash(f"Welcome, {user.display_name}! Your password is set.", "success")
        return redirect(url_for("main.dashboard"))
    return render_template("auth/reset_password.html", form=form, user=user, invitation=True), status


def password_from_link(user: User, form: ResetPasswordForm) -> int | None:
    """Set the password a reset or invitation form sends: None once it is set, else the status of the page that
    shows the form again (with its messages)."""
    if not form.validate_on_submit():
        return 400 if form.is_submitted() else 200
    try:
        reset.reset_password(user, form.password.data)
    except ServiceError as exc:
        form.password.errors.append(exc.message)
        return exc.status
    return None


@bp.route("/logout", methods=["POST"])
@allow(ANYONE)
def logout():
    """Sign out (POST only, so no link or image can sign someone out), ending the account's sessions everywhere."""
    signed_in = current_user.is_authenticated
    if signed_in:
        services.end_sessions(current_user.id)
    logout_user()
    session.clear()
    # Said, since a shared computer is why it ends them all: the phone or other browser is signed out too.
    flash(
        "You have signed out. Any other device or browser signed in to your account is signed out too."
        if signed_in
        else "You have signed out.",
        "info",
    )
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
    return profile_page(password_form=form), status


def profile_page(password_form=None, name_form=None, email_form=None, preferences_form=None) -> str:
    """The profile page with these forms (fresh ones for those not given)."""
    return render_template(
        "auth/profile.html",
        form=password_form or PasswordChangeForm(formdata=None),
        name_form=name_form or NameForm(formdata=None, data={"display_name": current_user.display_name}),
        email_form=email_form or EmailChangeForm(formdata=None),
        preferences_form=preferences_form or preferences_form_for(submitted=False),
    )


def preferences_form_for(submitted: bool) -> PreferencesForm:
    """The preferences form with its time zones listed: as submitted, or filled from the account."""
    if submitted:
        form = PreferencesForm()
    else:
        user = db.session.get_one(User, current_user.id)
        form = PreferencesForm(
            formdata=None, data={"time_zone": user.time_zone or "", "email_reminders": user.email_reminders}
        )
    form.time_zone.choices = [SelectChoice("", "The one my browser is set to (UTC without it)")] + [
        SelectChoice(name, name.replace("_", " ")) for name in zone_names()
    ]
    return form


@bp.route("/profile/preferences", methods=["POST"])
@allow(SIGNED_IN)
def change_preferences():
    """Save one's time zone and whether reminder mail comes."""
    form = preferences_form_for(submitted=True)
    if not form.validate_on_submit():
        return profile_page(preferences_form=form), 400
    details.set_preferences(current_user.id, form.time_zone.data or None, form.email_reminders.data)
    flash("Saved your preferences.", "success")
    return redirect(url_for("auth.profile"))


@bp.route("/profile/name", methods=["POST"])
@allow(SIGNED_IN)
def change_name():
    """Change one's display name."""
    form = NameForm()
    if not form.validate_on_submit():
        return profile_page(name_form=form), 400
    try:
        user = details.rename(current_user.id, form.display_name.data)
    except ServiceError as exc:
        form.display_name.errors.append(exc.message)
        return profile_page(name_form=form), exc.status
    flash(f"Saved: your name is now {user.display_name}.", "success")
    return redirect(url_for("auth.profile"))


@bp.route("/profile/email", methods=["POST"])
@allow(SIGNED_IN)
@rate_limited("PASSWORD_CHANGE_RATE_LIMIT")
def change_email():
    """Ask to move one's account to another address: a link goes to it, a note to the current one."""
    form = EmailChangeForm()
    if not form.validate_on_submit():
        return profile_page(email_form=form), 400
    try:
        new = details.request_email_change(current_user.id, form.email_password.data, form.new_email.data)
    except ServiceError as exc:
        form.email_password.errors.append(exc.message)
        return profile_page(email_form=form), exc.status
    flash(f"We sent a link to {new}: your address changes once you follow it (within a day).", "info")
    return redirect(url_for("auth.profile"))


@bp.route("/confirm-new-email/<token>")
@allow(ANYONE)
def confirm_new_email(token: str):
    """Follow the link mailed to a new address: it becomes the account's address."""
    try:
        user = details.confirm_email_change(token)
    except ServiceError as exc:
        fail(exc.status, exc.message)
    if user is None:
        fail(400, "This link has expired or was already used. Ask for the change again from your profile.")
    flash(f"Your email address is now {user.email}.", "success")
    return redirect(url_for("auth.profile") if current_user.is_authenticated else url_for("auth.login"))
