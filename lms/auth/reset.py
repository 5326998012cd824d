"""Links that let a person choose a password, sent by mail: a reset of a forgotten one (it works once, within an
hour) and an admin's invitation (once, within a week), so no admin ever knows a user's password.

The link carries the account's id and a fingerprint of its password hash, signed with the app's secret: setting
a new password changes the hash, so a used link (and any older one) stops working, and no token is stored.
"""

import hashlib

from flask import current_app

from lms.auth.passwords import hash_password, password_problems
from lms.auth.services import find_user_by_email
from lms.auth.tokens import make_token, read_token
from lms.db import begin_write, commit
from lms.extensions import db
from lms.links import public_url
from lms.mail import send_mail
from lms.models import User, utcnow
from lms.security_log import security_event
from lms.services import ServiceError

RESET, INVITATION = "password-reset", "invitation"
LIFETIME_SECONDS = {RESET: 3600, INVITATION: 7 * 24 * 3600}


def fingerprint(password_hash: str) -> str:
    """A short digest of the password hash: it changes whenever the password does."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def reset_token(user: User, purpose: str = RESET) -> str:
    """A token that lets this account choose a new password, once."""
    return make_token(purpose, {"user": user.id, "hash": fingerprint(user.password_hash)})


def user_for_token(token: str, purpose: str = RESET) -> User | None:
    """The active account a token is for, while it is young enough and unused; None otherwise."""
    data = read_token(purpose, token, LIFETIME_SECONDS[purpose])
    if data is None:
        return None
    try:
        user = db.session.get(User, int(data["user"]))
    except (KeyError, TypeError, ValueError):
        return None
    if user is None or not user.active or fingerprint(user.password_hash) != data.get("hash"):
        return None
    return user


def request_reset(email: str) -> None:
    """Mail a reset link to the account with this email, if there is an active one; nothing tells which."""
    user = find_user_by_email(email)
    security_event("password.reset_requested", actor=user.id if user else "unknown")
    if user is not None and user.active:
        mail_reset_link(user)


def mail_reset_link(user: User) -> bool:
    """Mail the account a link to choose a new password; whether the mail went."""
    link = public_url("auth.reset_password", token=reset_token(user))
    site = current_app.config["SITE_NAME"]
    return send_mail(
        user.email,
        f"Choose a new password for {site}",
        f"Hello {user.display_name},\n\n"
        f"Someone (we hope you) asked to reset the password of your {site} account. Choose a new one here:\n\n"
        f"{link}\n\n"
        "The link works once, within an hour. If you did not ask, ignore this mail: your password stays as it is.\n",
    )


def reset_password(user: User, new_password: str) -> None:
    """Give the account a new password; every session it had ends."""
    problems = password_problems(new_password, user.email, user.display_name)
    if problems:
        raise ServiceError(" ".join(problems))
    begin_write()
    user.password_hash = hash_password(new_password)
    user.session_generation += 1
    user.invited_at = None  # an invitation is accepted once its password is chosen, by its link or a reset's
    if user.email_confirmed_at is None:  # the link came by mail: the address is theirs
        user.email_confirmed_at = utcnow()
    commit()
    security_event("password.reset", actor=user.id, target=f"user:{user.id}")


def mail_invitation(user: User, inviter: str) -> bool:
    """Mail a new account the link to choose its first password; whether the mail went."""
    link = public_url("auth.accept_invitation", token=reset_token(user, INVITATION))
    site = current_app.config["SITE_NAME"]
    return send_mail(
        user.email,
        f"You are invited to {site}",
        f"Hello {user.display_name},\n\n{inviter} has opened a {site} account for you, as a {user.role}. Choose "
        f"your password here to start:\n\n{link}\n\nThe link works once, within a week.\n",
    )
