"""Friendly error pages that never show a traceback."""

from typing import NoReturn

from flask import Response, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    403: ("Not allowed", "You do not have permission to open this page."),
    404: ("Page not found", "We could not find that page. It may have moved or never existed."),
    405: ("Method not allowed", "This page cannot be used that way."),
    410: ("Gone", "This item has been withdrawn."),
    413: ("Too large", "What you sent is too large."),
    415: ("Not a form", "This page reads what its own form sends, and nothing else."),
    429: ("Too many attempts", "Too many attempts in a short time. Please wait a minute and try again."),
    500: ("Something went wrong", "An unexpected error occurred on our side. Nothing you saved was lost."),
}


def wants_json() -> bool:
    """True when the client asked for JSON rather than a page."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "application/ld+json"])
    return best in ("application/json", "application/ld+json")


def render_error(code: int, detail: str | None = None):
    """Render the error page (or a JSON body) for an HTTP status code."""
    from lms.api import PREFIX

    if request.path.startswith(PREFIX + "/"):
        from lms.api.problems import problem

        return problem(code, detail)
    title, message = MESSAGES.get(code, ("Error", "The request could not be completed."))
    if wants_json():
        return {"error": title, "message": detail or message}, code
    if request_ctx.url_adapter is None:
        # A Host header no URL can be built for (Werkzeug's BadHost): the layout's links cannot be either.
        return Response(f"{title}. {detail or message}\n", code, mimetype="text/plain")
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def handle_http_exception(exc: HTTPException):
    """Render any HTTP error with our layout; redirects and other non-errors pass through."""
    if exc.code is None or exc.code < 400:
        return exc
    detail = exc.description if getattr(exc, "lms_user_message", False) else None
    response = render_error(exc.code, detail)
    valid_methods = getattr(exc, "valid_methods", None)
    if exc.code == 405 and valid_methods:
        if isinstance(response, tuple):
            body, code = response
            return body, code, {"Allow": ", ".join(valid_methods)}
        response.headers["Allow"] = ", ".join(valid_methods)
    return response


def handle_csrf_error(exc: CSRFError):
    """A missing or stale CSRF token: explain it, change nothing. Its most common cause, a session that ended
    (signed out in another tab), is said as such."""
    from lms.access import signed_out_post

    signed_out = signed_out_post()
    if signed_out is not None:
        return signed_out
    return render_error(400, "This form has expired or was not sent from this site. Reload the page and try again.")


def handle_unexpected(exc: Exception):
    """Anything unexpected becomes a plain 500 page; the traceback goes to the log only."""
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    from flask import current_app

    from lms.extensions import db

    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    # A failed statement leaves the transaction aborted (PostgreSQL); end it so the error page can load the user.
    db.session.rollback()
    return render_error(500)


def register_error_handlers(app) -> None:
    """Attach the error handlers to the app."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)


def fail(code: int, message: str) -> NoReturn:
    """Abort the request with `code` and a message meant for the user."""
    from werkzeug.exceptions import default_exceptions

    exc = default_exceptions[code](description=message)
    exc.lms_user_message = True  # type: ignore[attr-defined]  # marks a message written for the user
    raise exc
