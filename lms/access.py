"""Who may reach each route: every view declares it, and anything undeclared is refused."""

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_login import current_user

from lms.security import safe_next_url

ANYONE = "anonymous"
SIGNED_IN = "signed_in"
ROLES = ("learner", "trainer", "admin")
# A role may do what the roles before it may: an admin can do a trainer's work.
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
# API views: a bearer token's scopes and its owner's role decide (lms.api.auth.token_access); never the session.
TOKEN = "token"
ACCESS_LEVELS = (ANYONE, SIGNED_IN, "trainer", "admin", TOKEN)


def allow(level: str):
    """Declare who may reach a view: "anonymous", "signed_in", "trainer" or "admin" (API views declare theirs with
    `lms.api.auth.token_access`)."""
    if level not in ACCESS_LEVELS:
        raise ValueError(f"unknown access level {level!r}")

    def mark(view):
        view.lms_access = level
        return view

    return mark


def rate_limited(config_key: str, methods=("POST",), key=None):
    """Mark a view to be rate-limited by the limit named in the configuration (applied in create_app), counted
    per client address unless ``key`` names what to count by."""

    def mark(view):
        view.lms_rate_limit = (config_key, tuple(methods), key)
        return view

    return mark


def declared_access(view) -> str | None:
    """The access level a view function declares, looking through decorators that wrap it."""
    while view is not None:
        level = getattr(view, "lms_access", None)
        if level:
            return level
        view = getattr(view, "__wrapped__", None)
    return None


def has_role(user, role: str) -> bool:
    """True when the user holds `role` or a higher one."""
    return bool(user.is_authenticated) and ROLE_RANK.get(user.role, -1) >= ROLE_RANK[role]


def enforce_access():
    """before_request hook: deny by default, then check the declared level against the current user."""
    if request.endpoint is None:
        return None  # no route matched: let the 404/405 handlers answer
    view = current_app.view_functions.get(request.endpoint)
    level = declared_access(view)
    if level is None:
        current_app.logger.error("endpoint %s declares no access level; refused", request.endpoint)
        abort(403)
    if level == ANYONE:
        return None
    if level == TOKEN:
        from lms.api.auth import authenticate

        return authenticate(view)
    if not current_user.is_authenticated:
        if request.accept_mimetypes.best == "application/json":
            return signed_out_json()
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if level in ("trainer", "admin") and not has_role(current_user, level):
        abort(403)
    return None


def signed_out_json():
    """The answer to a page's script (the attempt's autosave, a timed run) whose session ended: the reason, not a
    sign-in page it cannot show (a sign-out on another device or tab ends this session too)."""
    return jsonify(
        error="You are signed out, so this was not saved. Sign in again and come back: what was saved before is kept."
    ), 401


def signed_out_post():
    """The answer to a form posted to a signed-in page after its session ended (its CSRF token went with the
    session): the reason, and the sign-in page, which leads back to the page the form was on; or None when the
    request is not such a post."""
    view = current_app.view_functions.get(request.endpoint or "")
    if current_user.is_authenticated or declared_access(view) in (None, ANYONE, TOKEN):
        return None
    if request.accept_mimetypes.best == "application/json":
        return signed_out_json()
    referrer = urlsplit(request.referrer or "")
    back = referrer.path + (f"?{referrer.query}" if referrer.query else "") if referrer.netloc == request.host else None
    flash(
        "You are not signed in (perhaps you signed out in another tab or on another device), so that form was not "
        "sent. Sign in, then send it again.",
        "error",
    )
    return redirect(url_for("auth.login", next=safe_next_url(back))), 303


def wrap_static(app) -> None:
    """Declare Flask's built-in static route public."""
    static_view = app.view_functions.get("static")
    if static_view is not None:

        @wraps(static_view)
        def static(*args, **kwargs):
            return static_view(*args, **kwargs)

        app.view_functions["static"] = allow(ANYONE)(static)
