"""A person's own name and email address: the name changes at once; a new address only once its owner follows
the link mailed to it, and the old address is told of the change."""

from datetime import UTC

from flask import current_app
from sqlalchemy import select

from lms.auth.passwords import verify_password
from lms.auth.services import name_problems, normalize_email
from lms.auth.tokens import make_token, read_token
from lms.db import begin_write, commit
from lms.extensions import db
from lms.links import public_url
from lms.mail import send_mail
from lms.models import User, aware, utcnow
from lms.security_log import security_event
from lms.services import ServiceError
from lms.user_search import index_user

LINK_LIFETIME_SECONDS = 24 * 3600
SALT = "change-email"  # the purpose its tokens are signed for


def rename(user_id: int, display_name: str) -> User:
    """Change the person's display name (the reports and the search read it at once)."""
    problems = name_problems(display_name)
    if problems:
        raise ServiceError(" ".join(problems))
    begin_write()
    user = db.session.get_one(User, user_id)
    user.display_name = display_name.strip()
    index_user(user.id, user.email, user.display_name)
    commit()
    security_event("user.renamed", actor=user.id, target=f"user:{user.id}")
    return user


def set_preferences(user_id: int, time_zone: str | None, email_reminders: bool) -> None:
    """Store the person's time zone (None: their browser's) and whether they get reminder mail."""
    begin_write()
    user = db.session.get_one(User, user_id)
    user.time_zone, user.email_reminders = time_zone, email_reminders
    commit()


def address_stamp(user: User) -> str:
    """When the account's present address was confirmed: a change link carries it, so that a link works only for
    the address it was asked from, not again once the address has changed away and back."""
    confirmed = aware(user.email_confirmed_at)
    return confirmed.astimezone(UTC).isoformat() if confirmed else ""  # the same instant whatever the session's zone


def request_email_change(user_id: int, current_password: str, new_email: str) -> str:
    """Mail a confirmation link to the new address (and a note to the old one), after checking the password, as a
    stolen session must not move the account; the new address, normalised."""
    user = db.session.get_one(User, user_id)
    if not verify_password(user.password_hash, current_password or ""):
        raise ServiceError("Your current password is not correct.", 400)
    new = normalize_email(new_email)
    if new == user.email:
        raise ServiceError("That is already your email address.", 400)
    site = current_app.config["SITE_NAME"]
    if db.session.scalar(select(User.id).where(User.email == new)) is not None:
        # The address is another account's: its owner is told so, with no link (which could never work) and not
        # the asker's name; the asker is answered as for any address, so the form tells no one who has an account.
        send_mail(
            new,
            f"Someone asked to move a {site} account to your address",
            f"Hello,\n\nSomeone signed in to a {site} account asked to make this address its own. This address "
            f"already belongs to your account, so nothing changes. If you expected it, the other account needs "
            f"another address.\n\nYou need not do anything.\n",
        )
    else:
        link = public_url(
            "auth.confirm_new_email",
            token=make_token(SALT, {"user": user.id, "old": user.email, "since": address_stamp(user), "new": new}),
        )
        send_mail(
            new,
            f"Confirm your new email address for {site}",
            f"Hello {user.display_name},\n\nFollow this link to make {new} the address of your {site} account:\n\n"
            f"{link}\n\nThe link works once, within a day. If you did not ask, ignore this mail.\n",
        )
    send_mail(
        user.email,
        f"Your {site} email address is changing",
        f"Hello {user.display_name},\n\nSomeone signed in to your {site} account asked to change its address to "
        f"{new}. It changes only once that address confirms. If it was not you, change your password now at "
        f"{public_url('auth.forgot_password')}.\n",
    )
    security_event("email.change_requested", actor=user.id, target=f"user:{user.id}")
    return new


def confirm_email_change(token: str) -> User | None:
    """Make the new address the account's; the account, or None for a link that is expired, forged or already
    used. 409 when the address has since become another account's."""
    data = read_token(SALT, token, LINK_LIFETIME_SECONDS)
    if data is None:
        return None
    try:
        user_id, old, since, new = int(data["user"]), data["old"], data["since"], data["new"]
    except (KeyError, TypeError, ValueError):
        return None
    begin_write()
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.email != old or address_stamp(user) != since:
        db.session.rollback()
        return None
    if db.session.scalar(select(User.id).where(User.email == new)) is not None:
        db.session.rollback()
        raise ServiceError(
            "That address has become another account's since the link was sent: ask for the change again with another.",
            409,
        )
    user.email, user.email_confirmed_at = new, utcnow()
    index_user(user.id, user.email, user.display_name)
    commit()
    security_event("email.changed", actor=user.id, target=f"user:{user.id}")
    return user
