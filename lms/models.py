"""Core models: users with one role each, the site's settings, and the audit log of administrative actions."""

from datetime import UTC, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, String, text, true
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import Model, db


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """A stored time as UTC-aware: SQLite hands back naive datetimes, which are stored in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


class User(UserMixin, Model):
    """A person who signs in: a learner, a trainer or an admin."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('learner', 'trainer', 'admin')", name="role_known"),
        # Reports list people by name, paged by key: (name, id) in index order, never a sort of everyone.
        Index("ix_users_name_id", "display_name", "id"),
        # The admin's user list, filtered by role or status, reads a range of one of these in name order.
        Index("ix_users_role_name_id", "role", "display_name", "id"),
        Index("ix_users_active_name_id", "active", "display_name", "id"),
        Index(
            "ix_users_invited_name_id",
            "display_name",
            "id",
            sqlite_where=text("invited_at IS NOT NULL"),
            postgresql_where=text("invited_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="learner")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the owner proved the address is theirs; None for a self-registration not yet confirmed by its link,
    # which cannot sign in. Accounts an admin or the command line creates count as confirmed.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Part of every session's id: raising it ends every session signed in before (sign-out, password change).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # The IANA time zone the person chose for the times pages show; None follows their browser (else UTC).
    time_zone: Mapped[str | None] = mapped_column(String(64), default=None)
    # Whether they get the reminder mail when idle (the admin sets after how many days, or turns it off).
    email_reminders: Mapped[bool] = mapped_column(default=True, server_default=true())
    # When an admin last mailed this account its invitation; None once its owner has chosen a password (or for an
    # account nobody invited). An invited account is active, but nobody can sign in to it yet.
    invited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot sign in."""
        return self.active

    @property
    def is_authenticated(self) -> bool:
        """A loaded user is signed in: the session loader already refused a deactivated account, and answering
        without reading a column spares a reload after every write transaction."""
        return True

    def get_id(self) -> str:
        """Flask-Login: the id a session carries, "<user id>:<session generation>"."""
        return f"{self.id}:{self.session_generation}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class SiteSetting(Model):
    """A setting an admin changes in the browser, such as after how many idle days learners are reminded."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class AuditEntry(Model):
    """One administrative action: who did what to which record, and when."""

    __tablename__ = "audit_log"
    # The log page reads one action's, one record's or one person's entries newest first, a page at a time, from
    # these.
    __table_args__ = (
        Index("ix_audit_log_action_id", "action", "id"),
        Index("ix_audit_log_target_id", "target", "id"),
        Index("ix_audit_log_actor_id", "actor_id", "id"),
        Index("ix_audit_log_about_id", "about_user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(128))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    # The person the action is about, whatever its record: their account, or their award, attempt or membership.
    about_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)


class LoginFailure(Model):
    """A failed sign-in, kept for a short while so every app server counts failures per account and address."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class OutboxEvent(Model):
    """An event written in the transaction that emitted it, and deleted once its listeners have heard it.

    If the process dies between the commit and the listeners (a crash, a kill), the row stays and the next
    process to start delivers it (`lms.events.drain_outbox`), so no completion ever loses its badge.
    """

    __tablename__ = "event_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FailedDelivery(Model):
    """An event one listener failed on, kept so that listener can be given it again (a dead letter).

    Repairs then cost what failed, not what ever happened: "Issue missing badges" redelivers these rows
    instead of replaying every completion on record.
    """

    __tablename__ = "failed_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    listener: Mapped[str] = mapped_column(String(64), index=True)  # the plugin's registered name
    name: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def audit(actor, action: str, target: str, about: int | None = None, **detail) -> None:
    """Record an administrative action in the current transaction; `about`, the person it concerns when its record
    is theirs but not their account (an award, an attempt; an account's own target says so itself)."""
    if about is None and target.startswith("user:") and target[5:].isdigit():
        about = int(target[5:])
    db.session.add(
        AuditEntry(
            actor_id=getattr(actor, "id", None), action=action, target=target, about_user_id=about, detail=detail
        )
    )
