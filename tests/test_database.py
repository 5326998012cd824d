"""Schema and engine: migrations match the models; SQLite runs in WAL with BEGIN IMMEDIATE for writes."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from lms.extensions import db
from tests.helpers import at_once


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations disagree; run `flask --app lms db migrate`: {diff}"


def test_upgrade_from_empty_reaches_the_latest_revision(app):
    """The suite's database was built from empty by `db upgrade` (see the `migrated` fixture)."""
    from alembic.script import ScriptDirectory

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        head = ScriptDirectory.from_config(config).get_current_head()
        current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        tables = set(db.inspect(db.engine).get_table_names())
    assert current == head
    assert {"users", "audit_log", "courses", "lessons", "quizzes", "attempts", "badge_awards"} <= tables


@pytest.fixture
def sqlite_app(app_config, tmp_path):
    """An app on a SQLite file of its own, whichever database the suite runs on: these are SQLite's settings."""
    from lms import create_app

    return create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'engine.sqlite3'}"})


def test_sqlite_runs_in_wal_with_busy_timeout(sqlite_app):
    with sqlite_app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == sqlite_app.config["SQLITE_BUSY_TIMEOUT_MS"]


def test_sqlite_write_transactions_begin_immediate(sqlite_app):
    from sqlalchemy import event

    from lms.db import begin_write

    statements = []
    with sqlite_app.app_context():
        event.listen(
            db.engine, "before_cursor_execute", lambda conn, cur, statement, *rest: statements.append(statement)
        )
        db.session.execute(text("SELECT 1"))  # a read opens a plain (deferred) transaction
        db.session.rollback()
        begin_write()  # a write takes the lock up front
        db.session.rollback()
    assert [s for s in statements if s.startswith("BEGIN")] == ["BEGIN", "BEGIN IMMEDIATE"]


def test_concurrent_writers_do_not_fail_with_database_locked(app, make_user):
    """Eight threads each read then write; with BEGIN IMMEDIATE none fails (on SQLite or PostgreSQL)."""
    from lms.auth.services import change_password

    users = [make_user() for _ in range(8)]

    def worker(n):
        from lms.models import User

        me = db.session.get(User, users[n]["id"])  # a read first, as a request does
        change_password(me, users[n]["password"], f"new passphrase for {users[n]['id']}")

    _, errors = at_once(len(users), worker, app=app)
    assert errors == []
