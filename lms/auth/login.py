"""Flask-Login set-up: one LoginManager per app, so two apps in one process share no login state."""

from flask import Flask
from flask_login import LoginManager
from sqlalchemy import bindparam, select

from lms.extensions import db
from lms.models import User

# Built once: every request signed in runs it, and a statement built once is compiled once.
USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


def load_user(session_id: str) -> User | None:
    """Flask-Login: the user a session belongs to, while that session is still valid and the account active."""
    user_id, _, generation = (session_id or "").partition(":")
    try:
        user = db.session.execute(USER_BY_ID, {"user_id": int(user_id)}).scalar()
    except (TypeError, ValueError):
        return None
    if user is None or not user.active or str(user.session_generation) != generation:
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
