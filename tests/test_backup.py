"""`flask --app lms backup`: a consistent copy of the embedded database, taken while learners keep writing."""

import sqlite3
import threading

from sqlalchemy import func, select

from lms import create_app
from lms.extensions import db
from lms.models import User
from tests.helpers import load_bpo_course


def test_a_backup_taken_while_learners_sign_up_restores_every_record(app_config, tmp_path):
    from lms.auth.services import create_user

    live_file = tmp_path / "live.sqlite3"
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{live_file}"})
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    load_bpo_course(app)
    with app.app_context():
        for n in range(20):
            create_user(f"before{n}@example.com", f"Before {n}", "a sturdy passphrase for testing")

    stop = threading.Event()

    def keep_signing_up():
        with app.app_context():
            n = 0
            while not stop.is_set():
                create_user(f"during{n}@example.com", f"During {n}", "a sturdy passphrase for testing")
                n += 1

    writer = threading.Thread(target=keep_signing_up)
    writer.start()
    backup_file = tmp_path / "backups" / "copy.sqlite3"
    try:
        result = app.test_cli_runner().invoke(args=["backup", str(backup_file)])
    finally:
        stop.set()
        writer.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert f"to {backup_file}" in result.output

    with sqlite3.connect(backup_file) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    restored = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{backup_file}"})
    with restored.app_context():
        emails = set(db.session.scalars(select(User.email)))
        assert {f"before{n}@example.com" for n in range(20)} <= emails
        assert db.session.scalar(select(func.count()).select_from(db.metadata.tables["questions"])) > 100
        db.engine.dispose()
    with app.app_context():
        db.engine.dispose()


def test_a_backup_never_overwrites_a_file(app_config, tmp_path):
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.sqlite3'}"})
    existing = tmp_path / "kept.sqlite3"
    existing.write_text("an earlier backup")
    result = app.test_cli_runner().invoke(args=["backup", str(existing)])
    assert result.exit_code != 0 and "exists already" in result.output
    assert existing.read_text() == "an earlier backup"


def test_postgresql_is_backed_up_with_its_own_tools(app_config):
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1/none"})
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code != 0 and "pg_dump" in result.output
