"""Self-registration that does not tell which addresses have accounts.

Whether or not the address is taken, the person signing up sees the same page and the address gets one mail:
a new account's confirmation link, or, for an address that has an account, a note saying so with the ways to
sign in. A new account signs in once its link is followed (within three days); the same work is done either
way, so the time of the answer tells nothing either.
"""

from flask import current_app

from lms.auth.passwords import hash_password
from lms.auth.services import create_user, find_user_by_email
from lms.auth.tokens import make_token, read_token
from lms.db import begin_write, commit
from lms.extensions import db
from lms.links import public_url
from lms.mail import send_mail
from lms.models import User, utcnow
from lms.security_log import security_event
from lms.services import ServiceError

LINK_LIFETIME_SECONDS = 3 * 24 * 3600
SALT = "confirm-email"  # the purpose its tokens are signed for


def register(email: str, display_name: str, password: str) -> None:
    """Sign up a learner, or tell the address's owner they already have an account (see the module's text)."""
    site = current_app.config["SITE_NAME"]
    owner = find_user_by_email(email)
    if owner is None:
        try:
            user = create_user(email, display_name, password, role="learner", confirmed=False)
        except ServiceError as exc:
            if exc.status != 409:
                raise
            owner = find_user_by_email(email)  # taken a moment ago by another request
        else:
            security_event("sign_up", actor=user.id)
            link = public_url("auth.confirm_email", token=make_token(SALT, {"user": user.id, "email": user.email}))
            send_mail(
                user.email,
                f"Confirm your email for {site}",
                f"Hello {user.display_name},\n\nWelcome to {site}. Confirm that this address is yours to start "
                f"learning:\n\n{link}\n\nThe link works for three days. If you did not sign up, ignore this mail.\n",
            )
            return
    hash_password(password)  # what creating an account costs, so the answer comes as fast as for a new one
    security_event("sign_up.address_taken", actor=owner.id if owner else "unknown")
    if owner is not None and owner.active:
        send_mail(
            owner.email,
            f"You already have a {site} account",
            f"Hello {owner.display_name},\n\nSomeone (we hope you) tried to sign up to {site} with this address, "
            f"which already has an account. Sign in at {public_url('auth.login')}, or choose a new password at "
            f"{public_url('auth.forgot_password')} if you forgot it.\n\nIf it was not you, ignore this mail.\n",
        )


def confirm(token: str) -> User | None:
    """Confirm the address a sign-up link was sent to; the account, or None for a link that is expired, forged,
    already used or for an address that has changed since."""
    data = read_token(SALT, token, LINK_LIFETIME_SECONDS)
    if data is None:
        return None
    try:
        user_id = int(data["user"])
    except (KeyError, TypeError, ValueError):
        return None
    begin_write()
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.email != data.get("email") or user.email_confirmed_at is not None:
        db.session.rollback()
        return None
    user.email_confirmed_at = utcnow()
    commit()
    security_event("email.confirmed", actor=user.id)
    return user
