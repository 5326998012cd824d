"""Admin pages for managing users and their roles."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.access import ROLES, allow
from lms.auth import services
from lms.auth.forms import RoleForm, UserCreateForm
from lms.forms import id_arg
from lms.services import ServiceError
from lms.user_search import user_page

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50


@bp.route("/users")
@allow("admin")
def users():
    """Every user, searchable by the start of any word of their name or email, a page at a time."""
    query = (request.args.get("q") or "").strip()
    # Keyset paging: a page starts after (or ends before) a user id, so the last page costs what the first does.
    after, before = id_arg("after"), id_arg("before")
    backwards = before is not None and after is None
    users, more = user_page(query, after, before if backwards else None, PAGE_SIZE)
    # Coming back from a later page means there is one; going on from an earlier page means there is one.
    has_previous = more if backwards else bool(after)
    has_next = True if backwards else more
    return render_template(
        "admin/users.html",
        users=users,
        query=query,
        previous_before=users[0].id if users and has_previous else None,
        next_after=users[-1].id if users and has_next else None,
        roles=ROLES,
        create_form=UserCreateForm(),
    )


@bp.route("/users/new", methods=["POST"])
@allow("admin")
def create_user():
    """Create an account with any role."""
    form = UserCreateForm()
    if not form.validate_on_submit():
        problems = "; ".join(f"{form[name].label.text}: {' '.join(errs)}" for name, errs in form.errors.items())
        flash(f"The user was not created. {problems}", "error")
        return redirect(url_for("admin.users")), 303
    try:
        user = services.create_user(
            form.email.data, form.display_name.data, form.password.data, role=form.role.data, actor=current_user
        )
    except ServiceError as exc:
        flash(f"The user was not created. {exc.message}", "error")
        return redirect(url_for("admin.users")), 303
    flash(f"Created {user.role} {user.email}.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@allow("admin")
def change_role(user_id: int):
    """Change a user's role."""
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose one of the listed roles.", "error")
        return redirect(url_for("admin.users")), 303
    try:
        user = services.set_role(current_user, user_id, form.role.data)
    except ServiceError as exc:
        if exc.status == 404:
            from lms.errors import fail

            fail(404, exc.message)
        flash(exc.message, "error")
        return redirect(url_for("admin.users")), 303
    flash(f"{user.email} is now {user.role}.", "success")
    return redirect(url_for("admin.users", q=request.args.get("q", "")))
