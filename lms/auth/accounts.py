"""What admins do to accounts besides roles: invite people (who choose their own password from a mailed link),
send a reset link, deactivate and reactivate. A deactivated account cannot sign in; its records stay in every
report."""

import secrets

from sqlalchemy import select, update

from lms.auth import reset
from lms.auth.services import create_user
from lms.db import begin_write, commit
from lms.extensions import db
from lms.models import User, audit, utcnow
from lms.security_log import security_event
from lms.services import ServiceError


def invite_user(actor, email: str, display_name: str, role: str) -> tuple[User, bool]:
    """Open an account with a password nobody knows and mail its owner the link to choose one; the account and
    whether the mail went."""
    user = create_user(email, display_name, secrets.token_urlsafe(32), role=role, actor=actor, invited=True)
    sent = reset.mail_invitation(user, actor.display_name)
    security_event("user.invited", actor=actor.id, target=f"user:{user.id}", role=role, mailed=sent)
    return user, sent


MAIL_FAILED = "The mail could not be sent; try again later (the server log says why)."


def active_account(user_id: int) -> User:
    """The account an admin mails a link to: a 404 when there is none, a 409 when it is deactivated."""
    user = db.session.get(User, user_id)
    if user is None:
        raise ServiceError("No such user.", 404)
    if not user.active:
        raise ServiceError("This account is deactivated: reactivate it first.", 409)
    return user


def resend_invitation(actor, user_id: int) -> User:
    """Mail an invited account its invitation again (the first was lost, or its week ran out)."""
    user = active_account(user_id)
    if user.invited_at is None:
        raise ServiceError(
            f"{user.email} has chosen a password already: send a reset link if they have forgotten it.", 409
        )
    # Mailed before the write begins, so no database lock waits on the mail server.
    if not reset.mail_invitation(user, actor.display_name):
        raise ServiceError(MAIL_FAILED, 503)
    begin_write()
    db.session.execute(update(User).where(User.id == user.id, User.invited_at.is_not(None)).values(invited_at=utcnow()))
    audit(actor, "user.invite_again", f"user:{user.id}")
    commit()
    security_event("user.invited", actor=actor.id, target=f"user:{user.id}", role=user.role, mailed=True, again=True)
    return user


def send_reset_link(actor, user_id: int) -> User:
    """Mail an account a link to choose a new password (someone who cannot find the mail the form sends)."""
    user = active_account(user_id)
    if not reset.mail_reset_link(user):
        raise ServiceError(MAIL_FAILED, 503)
    security_event("password.reset_sent", actor=actor.id, target=f"user:{user.id}")
    return user


def set_active(actor, user_id: int, active: bool) -> User:
    """Deactivate an account (it cannot sign in, and its open sessions end) or reactivate it. An admin cannot
    deactivate themself, nor the last active admin."""
    begin_write()
    user = db.session.get(User, user_id)
    if user is None:
        db.session.rollback()
        raise ServiceError("No such user.", 404)
    if not active and user.id == actor.id:
        db.session.rollback()
        raise ServiceError("You cannot deactivate your own account.", 409)
    if not active and user.role == "admin":
        # Locked, as the role change does, so two admins deactivating each other at once cannot leave none.
        admins = db.session.scalars(
            select(User.id).where(User.role == "admin", User.active.is_(True)).with_for_update()
        ).all()
        if len(admins) <= 1:
            db.session.rollback()
            raise ServiceError("There must always be at least one active admin.", 409)
    if user.active != active:
        user.active = active
        if not active:
            user.session_generation += 1  # every open session ends now
        audit(actor, "user.activate" if active else "user.deactivate", f"user:{user.id}")
    commit()
    security_event("user.activate" if active else "user.deactivate", actor=actor.id, target=f"user:{user.id}")
    return user
