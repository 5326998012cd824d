"""Shared pytest fixtures: a real database (SQLite file or PostgreSQL), the app, clients and a live server."""

import gc
import os
import pathlib
import threading

import pytest
from sqlalchemy import create_engine, make_url, text
from werkzeug.serving import make_server

from lms import create_app
from lms.db import OUTSIDE_TRANSACTION
from lms.extensions import db

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEFAULT_PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def shared_dir():
    """The shared/ folder beside the project: required in CI, skipped on a bare clone."""
    if not SHARED.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED} is missing; CI must have shared/ beside the project")
        pytest.skip("no ../shared beside this clone")
    return SHARED


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The database the suite runs on: a fresh SQLite file, or a fresh database on TEST_DATABASE_URL's server."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    # A database of its own per run, so two runs on one server never share tables.
    server = make_url(url)
    run_db = f"{server.database}_run_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{run_db}"'))
            conn.execute(text(f'CREATE DATABASE "{run_db}"'))
    except Exception as exc:  # noqa: BLE001 - report any connection problem as a failure, never a skip
        pytest.exit(f"TEST_DATABASE_URL={url} cannot be used: {exc}", returncode=3)
    yield server.set(database=run_db).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{run_db}" WITH (FORCE)'))
    admin.dispose()


def make_config(database_url, **overrides):
    """A test configuration bound to the suite's database."""
    from config import TestConfig

    settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=database_url, **overrides)
    return settings


@pytest.fixture(autouse=True)
def collectable_again():
    """A test that starts an app with the served configuration freezes what the process holds (lms.freeze_startup);
    the suite runs many apps in one process, so whatever was frozen can be collected again after the test."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()


@pytest.fixture(scope="session")
def migrated(database_url, tmp_path_factory):
    """Build the schema once, through the Alembic migrations (not create_all)."""
    from flask.testing import FlaskCliRunner

    app = create_app(make_config(database_url, BADGE_SIGNING_KEY_FILE=str(tmp_path_factory.mktemp("keys") / "k.pem")))
    result = FlaskCliRunner(app).invoke(args=["db", "upgrade"])  # exactly what `flask --app lms db upgrade` does
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()
    return database_url


def wipe(app) -> None:
    """Delete every row so the next test starts empty."""
    with app.app_context():
        db.session.remove()
        tables = [table.name for table in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))
                # Planner statistics a test gathered (`flask demo generate` runs ANALYZE) describe its rows, not
                # the next test's: without them SQLite plans from the tables as they are.
                if conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
                    conn.execute(text("DELETE FROM sqlite_stat1"))
        db.engine.dispose()


@pytest.fixture(scope="session")
def badge_key_pem(tmp_path_factory):
    """One issuer signing key for the whole run (generating an RSA key per test would be slow)."""
    from badges.signing import load_or_create_key

    path = tmp_path_factory.mktemp("badge-key") / "issuer.pem"
    load_or_create_key(None, path)
    return path.read_text()


@pytest.fixture
def app_config(migrated, tmp_path, badge_key_pem):
    """Configuration overrides for the `app` fixture; a test may extend it."""
    return make_config(
        migrated,
        BADGE_SIGNING_KEY_PEM=badge_key_pem,
        BADGE_SIGNING_KEY_FILE=str(tmp_path / "badge-key.pem"),
        BADGE_PROOF_KEY_FILE=str(tmp_path / "badge-proof-key.pem"),
    )


@pytest.fixture
def app(app_config):
    """A fresh app on an empty (migrated) database."""
    application = create_app(app_config)
    yield application
    wipe(application)
    outside = application.extensions.get(OUTSIDE_TRANSACTION)
    assert not outside, f"statements that need a transaction ran in autocommit mode: {outside}"


@pytest.fixture
def client(app):
    """A Flask test client (real HTTP semantics, no network)."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for the `flask` CLI commands."""
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Factory: create a user through the real service and return its id and credentials."""
    from lms.auth.services import create_user

    counter = {"n": 0}

    def factory(role="learner", email=None, password=DEFAULT_PASSWORD, name=None):
        counter["n"] += 1
        email = email or f"{role}{counter['n']}@example.com"
        with app.app_context():
            user = create_user(email, name or f"{role.title()} {counter['n']}", password, role=role)
            return {"id": user.id, "email": email, "password": password, "role": role}

    return factory


@pytest.fixture
def learner(make_user, login):
    """A signed-in learner (the `client`), not yet enrolled anywhere."""
    user = make_user()
    login(user)
    return user


@pytest.fixture
def trainer(client, make_user, login):
    """A signed-in trainer (the `client`)."""
    user = make_user("trainer")
    login(user)
    return user


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def login(client):
    """Sign a user in through the real login form."""

    def do_login(user, target=client):
        page = target.get("/login")
        token = csrf_token_from(page.get_data(as_text=True))
        response = target.post(
            "/login", data={"email": user["email"], "password": user["password"], "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return target

    return do_login


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on 127.0.0.1 with a free port, in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = server.url  # badge links point at this server
    yield server
    server.shutdown()
    thread.join(timeout=10)


# Browser tests: Playwright drives Debian's Chromium (Playwright cannot download its own browsers here).
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium headless, without background traffic to the outside world."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def mailbox(app):
    """A real SMTP server on 127.0.0.1 that the app sends its mail to; the list of messages it received."""
    import email
    from email import policy

    from aiosmtpd.controller import Controller

    from lms.mail import init_mail

    received: list = []

    class Collect:
        async def handle_DATA(self, server, session, envelope):
            received.append(email.message_from_bytes(envelope.content, policy=policy.default))
            return "250 Message accepted for delivery"

    import socket

    with socket.socket() as probe:  # a free port (the controller checks it is up by connecting to it)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    init_mail(app)
    yield received
    controller.stop()
