"""Flask-Login set-up: one LoginManager per app, so two apps in one process share no login state."""

import dataclasses

from flask import Flask
from flask_login import LoginManager
from sqlalchemy import bindparam, select

from lms.extensions import db
from lms.models import User

# Built once: every signed-in request runs it, and a statement built once is compiled once. The columns a page
# needs of the person signed in, and never the password hash.
USER_BY_ID = select(
    User.id, User.email, User.display_name, User.role, User.active, User.session_generation, User.time_zone
).where(User.id == bindparam("user_id"))


@dataclasses.dataclass(frozen=True)
class SignedInUser:
    """The person a request is signed in as: what pages and permission checks read, without an ORM object.

    Services that change the account (a password change) load the `User` row themselves.
    """

    id: int
    email: str
    display_name: str
    role: str
    active: bool
    session_generation: int
    time_zone: str | None  # chosen in the profile; None follows the browser

    is_authenticated = True  # the loader below refused signed-out, deactivated and ended sessions
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot sign in."""
        return self.active

    def get_id(self) -> str:
        """Flask-Login: the id a session carries, "<user id>:<session generation>"."""
        return f"{self.id}:{self.session_generation}"


def load_user(session_id: str) -> SignedInUser | None:
    """Flask-Login: the user a session belongs to, while that session is still valid and the account active."""
    user_id, _, generation = (session_id or "").partition(":")
    try:
        row = db.session.connection().execute(USER_BY_ID, {"user_id": int(user_id)}).first()
    except (TypeError, ValueError):
        return None
    if row is None:
        return None
    user = SignedInUser(*row)
    if not user.active or str(user.session_generation) != generation:
        return None  # signed out, password changed, or deactivated since this session began
    return user


def init_login(app: Flask) -> LoginManager:
    """Give the app its own LoginManager, sending visitors who must sign in to the sign-in page."""
    manager = LoginManager()
    manager.login_view = "auth.login"
    manager.login_message = "Please sign in to open that page."
    manager.login_message_category = "info"
    manager.user_loader(load_user)
    manager.init_app(app)
    return manager
