"""Admin pages for managing users, their roles and cohorts."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms import cohorts
from lms.access import ROLES, allow
from lms.admin.directory import STATUSES, DirectoryQuery, directory_page
from lms.audit_log import action_label, actor_name, first_after, log_page, person_name, target_name
from lms.auth import accounts, services
from lms.auth.forms import RoleForm, UserCreateForm, plain_name
from lms.extensions import db
from lms.forms import ActionForm, id_arg
from lms.models import User
from lms.services import ServiceError
from lms.settings import get_setting, set_setting
from lms.timezones import viewer_zone
from lms.wording import count_of

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50
MAX_UPLOAD = 1_000_000  # bytes of CSV


@bp.route("/users")
@allow("admin")
def users():
    """Everyone in name order, narrowed by role, status and search words, a page at a time."""
    return users_page(UserCreateForm())


def directory_query() -> DirectoryQuery:
    """The list's search and filters as the address gives them; a role or status it does not know is ignored."""
    role = request.args.get("role") or ""
    status = request.args.get("status") or ""
    return DirectoryQuery(
        text=(request.args.get("q") or "").strip()[:200],
        role=role if role in ROLES else "",
        status=status if status in STATUSES else "",
    )


def list_args(query: DirectoryQuery, page: bool = False) -> dict:
    """The address arguments that keep the list as the admin left it (none for what is not set); with `page`, the
    page they were on too (an action on page 3 comes back to page 3)."""
    args: dict[str, str | int | None] = {
        "q": query.text or None,
        "role": query.role or None,
        "status": query.status or None,
    }
    if page:
        args |= {"after": id_arg("after"), "before": id_arg("before")}
    return args


def users_page(create_form: UserCreateForm, status: int = 200):
    """The users page, with the invitation form as given (an invitation refused keeps what was typed)."""
    query = directory_query()
    after, before = id_arg("after"), id_arg("before")
    backwards = before is not None and after is None
    users, more = directory_page(query, None if backwards else after, before if backwards else None, PAGE_SIZE)
    # Coming back from a later page means there is one; going on from an earlier page means there is one.
    has_previous = more if backwards else bool(after)
    has_next = True if backwards else more
    return render_template(
        "admin/users.html",
        users=users,
        query=query,
        args=list_args(query),
        action_args=list_args(query, page=True),
        statuses=STATUSES,
        previous_before=users[0].id if users and has_previous else None,
        next_after=users[-1].id if users and has_next else None,
        roles=ROLES,
        create_form=create_form,
    ), status


@bp.route("/audit")
@allow("admin")
def audit_log():
    """The audit log, newest first, 50 a page; narrowed to one action (`?action=`), one record (`?target=`), one
    person's actions (`?actor=`) or the entries about one person (`?about=`), from the end of a day (`?day=`) or
    an entry (`?before=`)."""
    action = (request.args.get("action") or "").strip()[:64]
    target = (request.args.get("target") or "").strip()[:128]
    actor = id_arg("actor")
    about = id_arg("about")
    before = id_arg("before")
    day, day_problem = requested_day()
    if day is not None and day < date.max:
        # The viewer's day: entries up to its end where they are (times are stored in UTC), the last one first.
        day_end = datetime.combine(day + timedelta(days=1), time(), tzinfo=viewer_zone()).astimezone(UTC)
        before = first_after(day_end) or 0
    entries, next_before = log_page(action, target, before, actor, about)
    return render_template(
        "admin/audit.html",
        entries=entries,
        action=action,
        target=target,
        actor=actor,
        target_name=target_name(target, entries) if target else "",
        actor_name=actor_name(actor, entries) if actor is not None else "",
        about=about,
        about_name=person_name(about) if about is not None else "",
        action_label=action_label,
        next_before=next_before,
        paged=before is not None,
        day=day,
        day_problem=day_problem,
    ), 400 if day_problem else 200


def requested_day() -> tuple[date | None, str]:
    """The day the log is asked to go to (`?day=YYYY-MM-DD`), and what is wrong with it when it is no date."""
    text = (request.args.get("day") or "").strip()[:32]
    if not text:
        return None, ""
    try:
        return date.fromisoformat(text), ""
    except ValueError:
        return None, "Give the day as a date, such as 2026-03-31."


@bp.route("/users/new", methods=["POST"])
@allow("admin")
def create_user():
    """Invite someone with any role: their account opens with a password nobody knows, and a mailed link lets
    them choose one."""
    form = UserCreateForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return users_page(form, 400)
    try:
        user, mailed = accounts.invite_user(current_user, form.email.data, form.display_name.data, form.role.data)
    except ServiceError as exc:
        # The email taken, or a name the account rules refuse: said beside the field it is about.
        (form.email if exc.status == 409 else form.display_name).errors = [exc.message]
        return users_page(form, exc.status)
    if mailed:
        flash(f"Invited {user.email} as {user.role}: they choose their password from the mailed link.", "success")
    else:
        flash(
            f"Created {user.email}, but the invitation could not be mailed: send it again from the list later.",
            "warning",
        )
    # To the page's top, where the message is: the form was sent to the invite section, which a redirect keeps.
    return redirect(url_for("admin.users", _anchor="main"))


def back_to_users():
    """Back to the user list as the admin left it: their search, filters and page stay."""
    return redirect(url_for("admin.users", **list_args(directory_query(), page=True))), 303


def account_action(act: Callable[[], User]) -> User | None:
    """Run an admin's button on an account (its CSRF token checked first): the account, or None once the refusal
    is flashed for the list (an account that does not exist is a 404)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        return act()
    except ServiceError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
        return None


@bp.route("/users/<int:user_id>/reset", methods=["POST"])
@allow("admin")
def send_reset(user_id: int):
    """Mail a user a link to choose a new password."""
    user = account_action(lambda: accounts.send_reset_link(current_user, user_id))
    if user is not None:
        flash(f"Sent {user.email} a link to choose a new password (it works once, within an hour).", "success")
    return back_to_users()


@bp.route("/users/<int:user_id>/invitation", methods=["POST"])
@allow("admin")
def resend_invitation(user_id: int):
    """Mail an invited person their invitation again."""
    user = account_action(lambda: accounts.resend_invitation(current_user, user_id))
    if user is not None:
        flash(f"Sent {user.email} their invitation again (the new link works once, within a week).", "success")
    return back_to_users()


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@allow("admin")
def set_active(user_id: int):
    """Deactivate (`active=0`) or reactivate (`active=1`) an account."""
    if request.form.get("active") not in ("0", "1"):
        abort(400)
    user = account_action(lambda: accounts.set_active(current_user, user_id, request.form["active"] == "1"))
    if user is not None and user.active:
        flash(f"{user.email} is active again and can sign in.", "success")
    elif user is not None:
        flash(f"{user.email} is deactivated: they cannot sign in; their records stay in every report.", "success")
    return back_to_users()


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@allow("admin")
def change_role(user_id: int):
    """Change a user's role."""
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose one of the listed roles.", "error")
        return back_to_users()
    try:
        user = services.set_role(current_user, user_id, form.role.data)
    except ServiceError as exc:
        if exc.status == 404:
            from lms.errors import fail

            fail(404, exc.message)
        flash(exc.message, "error")
        return back_to_users()
    flash(f"{user.email} is now {user.role}.", "success")
    return back_to_users()


class CohortForm(FlaskForm):
    """A new cohort's name."""

    name = StringField("Name", validators=[DataRequired("Give the cohort a name."), Length(max=200), plain_name])


class MembersForm(FlaskForm):
    """Learners to add: emails typed (one or many), and a CSV file whose first column holds emails."""

    email = TextAreaField(
        "Emails of learners",
        validators=[Length(max=MAX_UPLOAD, message="Type at most a million characters of emails.")],
        description="One or more, separated by commas, spaces or new lines (a column pasted from a spreadsheet).",
    )
    csv_file = FileField("Or a CSV file of emails (first column)")


@bp.route("/cohorts", methods=["GET", "POST"])
@allow("admin")
def cohort_list():
    """Every cohort with its size, and a form to create one."""
    form = CohortForm()
    if form.validate_on_submit():
        try:
            cohort = cohorts.create_cohort(current_user, form.name.data)
        except ServiceError as exc:
            form.name.errors = [exc.message]
        else:
            flash(f"Cohort “{cohort.name}” created. Add its learners.", "success")
            return redirect(url_for("admin.cohort", cohort_id=cohort.id))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/cohorts.html", rows=cohorts.cohorts(), form=form), status


@bp.route("/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@allow("admin")
def cohort(cohort_id: int):
    """A cohort's learners (50 a page, by id), a form to add them by their emails, typed or from a CSV file, and
    one to rename or delete the cohort."""
    return cohort_page(cohort_id)


def cohort_page(cohort_id: int, rename_form: CohortForm | None = None, status: int | None = None):
    """A cohort's page; `rename_form`, a refused new name shown with its reason (and `status`)."""
    group = db.get_or_404(cohorts.Cohort, cohort_id)
    rename_form = rename_form or CohortForm(formdata=None, data={"name": group.name})
    form = MembersForm()
    problems: list[str] = []
    nothing_added = None  # why a whole upload was refused
    if form.validate_on_submit():
        try:
            result = cohorts.add_members(current_user, group, member_rows(form))
        except ServiceError as exc:
            nothing_added = exc.message
        else:
            problems = result.problems
            # The box keeps only the emails typed that were refused, to correct them; the others are in.
            form.email.data = "\n".join(result.refused_typed)
            already = f" {result.already} already in it." if result.already else ""
            # Nothing added while rows were refused is no success: said as a warning, above what was refused.
            tone = "success" if result.added or not problems else "warning"
            flash(f"Added {count_of(result.added, 'learner')} to {group.name}.{already}", tone)
            if not problems:
                return redirect(url_for("admin.cohort", cohort_id=group.id))
    after = id_arg("after")
    page = cohorts.members(group.id, after, PAGE_SIZE + 1)
    status = status or (400 if problems or nothing_added or form.errors else 200)
    return (
        render_template(
            "admin/cohort.html",
            cohort=group,
            rename_form=rename_form,
            members=page[:PAGE_SIZE],
            next_after=page[PAGE_SIZE - 1].id if len(page) > PAGE_SIZE else None,
            form=form,
            problems=problems,
            nothing_added=nothing_added,
        ),
        status,
    )


@bp.route("/cohorts/<int:cohort_id>/rename", methods=["POST"])
@allow("admin")
def rename_cohort(cohort_id: int):
    """Give a cohort another name; every report filter shows the new one."""
    form = CohortForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return cohort_page(cohort_id, form, 400)
    try:
        group, old = cohorts.rename_cohort(current_user, cohort_id, form.name.data)
    except ServiceError as exc:
        if exc.status == 404:
            abort(404)
        form.name.errors = [exc.message]
        return cohort_page(cohort_id, form, exc.status)
    if group.name != old:
        flash(f"“{old}” is now called “{group.name}”.", "success")
    return redirect(url_for("admin.cohort", cohort_id=group.id))


@bp.route("/cohorts/<int:cohort_id>/delete", methods=["POST"])
@allow("admin")
def delete_cohort(cohort_id: int):
    """Delete a cohort; its learners keep their accounts, enrolments and records."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        name, size = cohorts.delete_cohort(current_user, cohort_id)
    except ServiceError as exc:
        abort(exc.status)
    size_text = count_of(size, "learner")
    flash(f"Deleted the cohort “{name}” ({size_text}). Its learners keep their enrolments and records.", "success")
    return redirect(url_for("admin.cohort_list"))


def member_rows(form: MembersForm) -> list[tuple[int, str]]:
    """(line, email) rows: the emails typed (see `cohorts.typed_emails`), and those of the uploaded CSV."""
    rows = cohorts.typed_emails(form.email.data or "")
    upload = form.csv_file.data
    if upload and getattr(upload, "filename", ""):
        raw = upload.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise ServiceError("The CSV file is larger than 1 MB.")
        try:
            rows += cohorts.emails_in(raw.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise ServiceError("The CSV file must be UTF-8 text.") from exc
    elif not rows:
        raise ServiceError("Type an email, or choose a CSV file.")
    return rows


@bp.route("/cohorts/<int:cohort_id>/members/<int:user_id>/remove", methods=["POST"])
@allow("admin")
def remove_cohort_member(cohort_id: int, user_id: int):
    """Take a learner out of a cohort."""
    group = db.get_or_404(cohorts.Cohort, cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        cohorts.remove_member(current_user, group, user_id)
    except ServiceError as exc:
        abort(exc.status)
    removed = db.session.get(User, user_id)
    who = f"{removed.display_name} ({removed.email})" if removed else "The learner"
    flash(f"{who} is out of {group.name}. Their enrolments and records stay.", "success")
    return redirect(url_for("admin.cohort", cohort_id=group.id))


class SettingsForm(FlaskForm):
    """The site's settings an admin changes."""

    reminder_days = IntegerField(
        "Remind learners who have not been active for this many days",
        validators=[Optional(), NumberRange(min=1, max=365, message="Give a number of days from 1 to 365.")],
        description="Leave it empty for no reminders. Each learner gets at most one reminder a week, and can turn "
        "them off in their profile.",
    )
    submit = SubmitField("Save settings")


@bp.route("/settings", methods=["GET", "POST"])
@allow("admin")
def settings():
    """The site's settings: when idle learners are reminded by mail."""
    form = SettingsForm(data={"reminder_days": get_setting("reminder_days")})
    if request.method == "POST":
        form = SettingsForm()
        if form.validate_on_submit():
            set_setting(current_user, "reminder_days", form.reminder_days.data)
            days = form.reminder_days.data
            flash(
                f"Saved: learners idle for {days} days get a reminder." if days else "Saved: no reminders.", "success"
            )
            return redirect(url_for("admin.settings"))
        if form.csrf_token.errors:
            abort(400)
        return render_template("admin/settings.html", form=form), 400
    return render_template("admin/settings.html", form=form)
