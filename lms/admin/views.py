"""Admin pages for managing users and their roles."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from lms.access import ROLES, allow
from lms.auth import services
from lms.auth.forms import RoleForm, UserCreateForm
from lms.extensions import db
from lms.models import User
from lms.services import ServiceError

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50
MAX_PAGE = 1_000_000


@bp.route("/users")
@allow("admin")
def users():
    """Every user, searchable by name or email, a page at a time."""
    query = (request.args.get("q") or "").strip()
    # Bounded, so a huge page number is an empty page rather than an offset the database refuses.
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    stmt = select(User)
    if query:
        pattern = f"%{query.lower()}%"
        stmt = stmt.where(or_(func.lower(User.email).like(pattern), func.lower(User.display_name).like(pattern)))
    listing = db.paginate(stmt.order_by(User.id), page=page, per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "admin/users.html",
        users=listing.items,
        query=query,
        page=page,
        pages=max(listing.pages, 1),
        total=listing.total,
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
