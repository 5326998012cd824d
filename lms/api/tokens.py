"""Personal access tokens: a person's key to the API, with scopes, stored only as a hash, revocable."""

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import begin_write
from lms.extensions import Model, db
from lms.models import utcnow
from lms.services import ServiceError

# What a token may do: read the caller's own data and the courses; also change the caller's own data; and, for an
# admin, read what the admin screens show about everyone. A scope never grants more than the person's role.
SCOPES = ("read", "write", "admin")
SCOPE_LABELS = {
    "read": "Read your courses, progress, attempts and badges",
    "write": "Enrol you in courses",
    "admin": "Read users, cohorts and progress reports (admins only)",
}
TOKEN_PREFIX = "lms_pat_"
MAX_TOKENS = 20  # per person: enough for every script they run, few enough to review on one page


class AccessToken(Model):
    """A personal access token. The secret is shown once, at creation; only its SHA-256 is kept (a random
    256-bit secret needs no slow hash, and checking it stays a single indexed read)."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, so its owner can tell their tokens apart.
    hint: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    @property
    def scope_set(self) -> frozenset[str]:
        """The scopes this token grants."""
        return frozenset(self.scopes.split())


def hash_secret(secret: str) -> str:
    """The stored form of a token's secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def allowed_scopes(role: str) -> tuple[str, ...]:
    """The scopes a person of this role may give a token: admin only to admins."""
    return SCOPES if role == "admin" else ("read", "write")


class ScopeRefused(ServiceError):
    """The scopes asked for cannot be given; `scope` names the one the refusal is about, for the form to show it
    beside."""

    def __init__(self, message: str, scope: str):
        super().__init__(message)
        self.scope = scope


def create_token(user, name: str, scopes: list[str]) -> tuple[AccessToken, str]:
    """Create a token for ``user`` and return it with its secret, which is never shown again."""
    name = name.strip()
    if not name or len(name) > 80:
        raise ServiceError("Give the token a name of 1 to 80 characters, such as the script that will use it.")
    chosen = [scope for scope in SCOPES if scope in scopes]
    if not chosen or len(chosen) != len(set(scopes)):
        raise ScopeRefused("Choose at least one of the scopes offered.", "read")
    if any(scope not in allowed_scopes(user.role) for scope in chosen):
        raise ScopeRefused("Only admins can give a token the admin scope.", "admin")
    begin_write()  # the count and the new token in one write transaction
    if len(active_tokens(user.id)) >= MAX_TOKENS:
        raise ServiceError(f"You have {MAX_TOKENS} tokens already; revoke one you no longer use first.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken(
        user_id=user.id,
        name=name,
        secret_hash=hash_secret(secret),
        hint=secret[: len(TOKEN_PREFIX) + 4],
        scopes=" ".join(chosen),
    )
    db.session.add(token)
    db.session.commit()
    return token, secret


def active_tokens(user_id: int) -> list[AccessToken]:
    """A person's tokens that still work, newest first."""
    return list(
        db.session.scalars(
            select(AccessToken)
            .where(AccessToken.user_id == user_id, AccessToken.revoked_at.is_(None))
            .order_by(AccessToken.id.desc())
        )
    )


def revoke_token(user, token_id: int) -> None:
    """Revoke one of ``user``'s tokens: it stops working at once."""
    begin_write()
    done = db.session.execute(
        update(AccessToken)
        .where(AccessToken.id == token_id, AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.session.commit()
    if not done.rowcount:  # type: ignore[attr-defined]
        raise ServiceError("That token does not exist or was already revoked.")
