"""The stack's own floor: the least a Flask, Flask-SQLAlchemy and Flask-Login app does for a signed-in request.

None of the LMS is in it: one Flask app, Flask-SQLAlchemy's session, and Flask-Login loading the person the
session cookie names from the LMS's own `users` table, the way these libraries' documentation writes it. Its one
route, `/stack/ok`, answers "ok" to a signed-in person. It reads the LMS's session cookie (same secret, same
signing), so the benchmark sends it the very requests it sends the LMS's floor (bench/floor.py). Where the LMS's
floor is slower than this one, the difference is the LMS's own (its hooks and checks); what this one leaves of
hello is what the stack itself costs, and no page built on it can do better.
"""

import os

from flask import Flask
from flask_login import LoginManager, UserMixin, login_required
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Mapped, mapped_column

from config import Config

db = SQLAlchemy()


class Person(UserMixin, db.Model):  # type: ignore[name-defined]
    """A row of the LMS's `users` table, with only the columns a signed-in check reads."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    active: Mapped[bool]
    session_generation: Mapped[int]

    def get_id(self) -> str:
        """The id the LMS's session cookie carries: "<user id>:<session generation>"."""
        return f"{self.id}:{self.session_generation}"


def create_app(config: dict | None = None) -> Flask:
    """The stack's floor, on the database and secret the benchmark's LMS runs with (DATABASE_URL and SECRET_KEY,
    or SQLALCHEMY_DATABASE_URI and SECRET_KEY in `config`, as `lms.create_app` takes them)."""
    app = Flask(__name__)
    config = config or {"SECRET_KEY": os.environ["SECRET_KEY"], "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]}
    app.config["SECRET_KEY"] = config["SECRET_KEY"]
    app.config["SQLALCHEMY_DATABASE_URI"] = config["SQLALCHEMY_DATABASE_URI"]
    # The LMS's session settings: a session lasts as long, and is read on each request without being signed again.
    app.config["PERMANENT_SESSION_LIFETIME"] = Config.PERMANENT_SESSION_LIFETIME
    app.config["SESSION_REFRESH_EACH_REQUEST"] = Config.SESSION_REFRESH_EACH_REQUEST
    db.init_app(app)
    login_manager = LoginManager(app)

    @login_manager.user_loader
    def load_person(session_id: str) -> Person | None:
        """The person the session names, while it is their current session."""
        user_id, _, generation = session_id.partition(":")
        person = db.session.get(Person, int(user_id))
        if person is None or not person.active or str(person.session_generation) != generation:
            return None
        return person

    @app.route("/stack/ok")
    @login_required
    def ok() -> str:
        """A signed-in route with nothing to do."""
        return "ok"

    return app
