"""Signatures checked or made once per process: the session cookie a browser sends with every request, and the
CSRF token every page with a form writes.

Verifying the session cookie (key derivation, HMAC, base64, zlib, JSON) and signing the CSRF token took about a
seventh of a signed-in page that does nothing else. Both are pure functions of strings a learner's browser sends
again and again, so each result is kept under the exact string it was made from.
"""

import time

from flask import Flask, Request, current_app, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature

from lms.memo import remember

SIGNATURE_LIMIT = 2_000  # cookies (or tokens) kept; past it the memo starts again, so memory stays bounded


class RememberedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, each cookie verified once per process.

    The memo's key is the whole cookie, signature included, so only a cookie this app signed and has verified
    before is found in it; its age is checked against the session's lifetime on every use, as verifying it
    again would.
    """

    def __init__(self) -> None:
        self.verified: dict[str, tuple[str, int]] = {}  # cookie → (its contents as serialized, when it was signed)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """The session the request's cookie holds: empty when the cookie is missing, forged or too old."""
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie or not app.secret_key:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = self.verified.get(cookie)
        if known is not None:
            contents, signed_at = known
            if not 0 <= int(time.time()) - signed_at <= max_age:
                return self.session_class()  # expired: what itsdangerous's own check would decide
            # Parsed afresh for each request, so one that changes a list in its session changes only its own.
            return self.session_class(self.serializer.loads(contents))
        try:
            data, signed = self.get_signing_serializer(app).loads(  # type: ignore[union-attr]
                cookie, max_age=max_age, return_timestamp=True
            )
        except BadSignature:
            return self.session_class()
        remember(self.verified, cookie, (self.serializer.dumps(data), int(signed.timestamp())), SIGNATURE_LIMIT)
        return self.session_class(data)


def remembered_csrf_token() -> str:
    """Templates' `csrf_token()`: Flask-WTF's token, signed once per session token and process.

    Only installed while tokens live as long as the session (WTF_CSRF_TIME_LIMIT is None), so a token signed
    earlier is exactly as valid as one signed now.
    """
    raw = session.get(current_app.config["WTF_CSRF_FIELD_NAME"])
    if raw is None:
        return generate_csrf()  # the session's first token: Flask-WTF creates it
    memo = current_app.extensions["lms_csrf_tokens"]
    token = memo.get(raw)
    if token is None:
        token = remember(memo, raw, generate_csrf(), SIGNATURE_LIMIT)
    return token


def remember_signatures(app: Flask) -> None:
    """Give the app remembered session cookies, and remembered CSRF tokens when tokens have no time limit."""
    app.session_interface = RememberedCookieSessions()
    if app.config.get("WTF_CSRF_TIME_LIMIT") is None:
        app.extensions["lms_csrf_tokens"] = {}
        # Flask-WTF offers its own both as a global and in every template's context; this, registered after
        # it, takes its place in both.
        app.jinja_env.globals["csrf_token"] = remembered_csrf_token
        app.context_processor(lambda: {"csrf_token": remembered_csrf_token})
