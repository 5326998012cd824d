"""Bearer-token authentication of API requests: who is calling, with which scopes, and within which limits."""

import dataclasses
import functools
from datetime import timedelta

from flask import current_app, g, request
from limits import RateLimitItem, parse
from sqlalchemy import bindparam, select, update

from lms.access import ROLE_RANK, TOKEN, rate_limited
from lms.api.problems import problem
from lms.api.tokens import AccessToken, hash_secret
from lms.db import begin_write
from lms.extensions import db
from lms.models import User, aware, utcnow

# A token's last use is written at most this often, so reading the API costs no write per request.
LAST_USED_PRECISION = timedelta(hours=1)
TOKEN_BY_HASH = (
    select(
        AccessToken.id,
        AccessToken.scopes,
        AccessToken.revoked_at,
        AccessToken.last_used_at,
        User.id,
        User.email,
        User.display_name,
        User.role,
        User.active,
    )
    .join(User, User.id == AccessToken.user_id)
    .where(AccessToken.secret_hash == bindparam("secret_hash"))
)


@dataclasses.dataclass(frozen=True)
class ApiCaller:
    """The person an API request acts for, and what their token allows."""

    id: int
    email: str
    display_name: str
    role: str
    token_id: int
    scopes: frozenset[str]


def token_access(scope: str, role: str = "learner"):
    """Declare an API view: reached only with a bearer token holding ``scope``, by a person of ``role`` or
    higher. The session cookie counts for nothing here, so no other site can make a browser call the API."""

    def mark(view):
        view.lms_access = TOKEN
        view.lms_token_scope = (scope, role)
        return view

    return mark


API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def api_view(scope: str, role: str = "learner"):
    """Declare an API view: the token scope and role it needs (`token_access`), and the per-token rate limit."""

    def mark(view):
        return rate_limited("API_RATE_LIMIT", API_METHODS, key=rate_key)(token_access(scope, role)(view))

    return mark


def caller() -> ApiCaller:
    """The caller of the current API request (set by `authenticate`)."""
    return g.api_caller


def bearer_secret() -> str | None:
    """The token in the request's `Authorization: Bearer` header, if any."""
    kind, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if kind.lower() == "bearer" and secret.strip() else None


def authenticate(view) -> object | None:
    """before_request for API views: None to go on, else the problem response that refuses the request."""
    while not hasattr(view, "lms_token_scope"):
        view = view.__wrapped__
    scope, role = view.lms_token_scope
    if not refusals_left():
        too_many = problem(429, "Too many requests with an unknown token from this address: wait a minute.")
        too_many.headers["Retry-After"] = "60"
        return too_many
    secret = bearer_secret()
    if secret is None:
        return refused(401, "Send a personal access token as `Authorization: Bearer <token>`.")
    row = db.session.connection().execute(TOKEN_BY_HASH, {"secret_hash": hash_secret(secret)}).first()
    if row is None or row[2] is not None:
        return refused(401, "The token is unknown or was revoked.")
    token_id, scopes, _revoked, last_used, user_id, email, name, user_role, active = row
    if not active:
        return refused(401, "The token's account is deactivated.")
    granted = frozenset(scopes.split())
    if scope not in granted:
        return refused(403, f"This needs a token with the {scope!r} scope.")
    if ROLE_RANK.get(user_role, -1) < ROLE_RANK[role]:
        return refused(403, f"This needs the {role} role.")
    g.api_caller = ApiCaller(user_id, email, name, user_role, token_id, granted)
    note_use(token_id, aware(last_used))
    return None


@functools.cache
def limit_of(text: str) -> RateLimitItem:
    """A limit such as "60 per minute", parsed once."""
    return parse(text)


def refusal_count() -> tuple:
    """The limiter, the limit of refused requests and what it counts them by (the client's address)."""
    strategy = current_app.extensions["lms"].limiter.limiter
    return strategy, limit_of(current_app.config["API_REFUSED_LIMIT"]), ("api-refused", request.remote_addr or "")


def refusals_left() -> bool:
    """Whether the client's address may still send a token the API does not know: such a request never reaches a
    view, nor so its rate limit, so it is counted apart, by address (a good token's refusals, for a scope or a
    role, are not: a misconfigured tool in an office never shuts the API off for the others behind its address)."""
    strategy, limit, key = refusal_count()
    return strategy.test(limit, *key)


def refused(status: int, detail: str):
    """The problem that refuses the request; one for a missing, unknown or revoked token (401) counts against the
    client's address."""
    if status == 401:
        strategy, limit, key = refusal_count()
        strategy.hit(limit, *key)
    return problem(status, detail)


def note_use(token_id: int, last_used) -> None:
    """Record that the token was used, once per LAST_USED_PRECISION."""
    now = utcnow()
    if last_used is not None and now - last_used < LAST_USED_PRECISION:
        return
    begin_write()
    db.session.execute(update(AccessToken).where(AccessToken.id == token_id).values(last_used_at=now))
    db.session.commit()


def rate_key() -> str:
    """What API rate limits count by: the token (its hash), else the client's address."""
    secret = bearer_secret()
    return "token:" + hash_secret(secret) if secret else "ip:" + (request.remote_addr or "")
