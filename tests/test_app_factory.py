"""The app factory and configuration."""

import pytest

from lms import create_app


def test_default_config_uses_embedded_sqlite_under_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    import importlib

    import config

    importlib.reload(config)
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "secret-key"))  # leave the real instance/ alone
    importlib.reload(config)
    app = create_app()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///") and uri.endswith("instance/lms.sqlite3")


def test_create_app_does_no_io(tmp_path):
    # Pointing at a database file that does not exist must not create it: no I/O in the factory.
    db_file = tmp_path / "never-created.sqlite3"
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}", "TESTING": True})
    assert not db_file.exists()


@pytest.mark.parametrize("secret", [None, "", "dev-only-secret-change-me", "short"])
def test_production_refuses_missing_or_default_secret(monkeypatch, secret):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1/none")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://learn.example.com")
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_reads_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1/none")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://learn.example.com")
    app = create_app("production")
    assert app.config["SECRET_KEY"] == "x" * 48
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_requires_database_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "y" * 48)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app("production")


def test_production_hashes_passwords_with_scrypt(monkeypatch):
    from lms.auth.passwords import hash_password

    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1/none")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://learn.example.com")
    with create_app("production").app_context():
        assert hash_password("a long passphrase").startswith("scrypt:")


def test_the_cheap_test_hashing_is_refused_outside_the_test_suite():
    with pytest.raises(RuntimeError, match="test suite only"):
        create_app({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})
    assert create_app({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1", "TESTING": True}).testing


def repository_text() -> str:
    """Every file the repository tracks, as one text (binary files skipped)."""
    import pathlib
    import subprocess

    root = pathlib.Path(__file__).resolve().parent.parent
    names = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    texts = []
    for name in names:
        try:
            texts.append((root / name).read_text(encoding="utf-8"))
        except (UnicodeDecodeError, FileNotFoundError):
            continue
    return "\n".join(texts)


def test_no_configuration_signs_sessions_with_a_secret_from_the_repository(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    default = create_app({"SECRET_KEY": None, "SECRET_KEY_FILE": str(tmp_path / "secret-key")})
    testing = create_app("test")
    repository = repository_text()
    for app in (default, testing):
        secret = app.config["SECRET_KEY"]
        assert len(secret) >= 32 and secret not in repository


def test_the_generated_secret_is_kept_private_and_survives_a_restart(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    path = tmp_path / "instance" / "secret-key"
    first = create_app({"SECRET_KEY": None, "SECRET_KEY_FILE": str(path)}).config["SECRET_KEY"]
    again = create_app({"SECRET_KEY": None, "SECRET_KEY_FILE": str(path)}).config["SECRET_KEY"]
    assert first == again == path.read_text().strip()
    assert path.stat().st_mode & 0o777 == 0o600
    other = create_app({"SECRET_KEY": None, "SECRET_KEY_FILE": str(tmp_path / "elsewhere")}).config["SECRET_KEY"]
    assert other != first  # each installation has its own


def test_a_session_forged_with_the_old_repository_secret_opens_nothing(app, client, make_user):
    from flask.sessions import SecureCookieSessionInterface

    admin = make_user("admin")
    forger = SecureCookieSessionInterface().get_signing_serializer(
        type("Forger", (), {"secret_key": "dev-only-secret-change-me", "config": app.config})()
    )
    client.set_cookie("session", forger.dumps({"_user_id": str(admin["id"]), "_fresh": True}))
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_production_requires_an_https_public_base_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "y" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1/none")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app("production")
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://learn.example.com")
    with pytest.raises(RuntimeError, match="https://"):
        create_app("production")


def test_a_web_worker_does_not_load_what_only_commands_and_password_changes_need(tmp_path):
    """Alembic (migrations), zxcvbn (password strength), jsonschema and PyYAML (pack checks and syncs),
    cryptography and PyJWT (badge signing), Pillow and the XML parser (badge images) stay out of a worker until
    something uses them: about 39 MB of every worker's memory."""
    import subprocess
    import sys

    database = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    script = (
        "import sys\n"
        "from lms import create_app\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': '{database}', 'SECRET_KEY': 'k' * 40}})\n"
        "lazy = ('alembic', 'flask_migrate', 'zxcvbn', 'jsonschema', 'yaml', 'cryptography', 'jwt', 'PIL',\n"
        "        'xml.etree.ElementTree')\n"
        "print(sorted(m for m in lazy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert done.stdout.strip() == "[]", done.stdout


def test_a_started_app_keeps_its_own_objects_out_of_the_collectors_full_passes(tmp_path):
    """A served app moves what starting it made (about a hundred thousand objects) out of the garbage collector's
    full passes, which otherwise walk all of it in the middle of a request; cycles made afterwards are still
    collected. The test suite's apps, one per test in one process, are left as they are."""
    import subprocess
    import sys

    database = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    script = (
        "import gc\n"
        "from lms import create_app\n"
        f"settings = {{'SQLALCHEMY_DATABASE_URI': '{database}', 'SECRET_KEY': 'k' * 40}}\n"
        "served = create_app(settings)\n"
        "frozen = gc.get_freeze_count()\n"
        "cycle = []\n"
        "cycle.append(cycle)\n"
        "del cycle\n"
        "print(frozen, gc.collect())\n"
        "gc.unfreeze()\n"
        "create_app({**settings, 'FREEZE_STARTUP_OBJECTS': False})\n"
        "print(gc.get_freeze_count())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path)
    served, unfrozen = done.stdout.splitlines()
    frozen, collected = map(int, served.split())
    assert frozen > 50_000 and collected >= 1, served
    assert unfrozen == "0"


# What a learner's requests need not load: lessons are rendered when a pack is synced, and this course's questions
# are written in HTML (which nh3 cleans when an attempt shows them), so the Markdown renderer stays out; mail is
# loaded only when there is some to send; a worker on PostgreSQL has no use for the SQLite driver.
LEARNER_WORKER_SCRIPT = """
import json, re, sys
from lms import create_app

settings, user, urls = json.loads(sys.argv[1])
app = create_app(settings)
client = app.test_client()

def check(holds, what):
    # Not `assert`: the script runs under `python -OO`, which drops assert statements.
    if not holds:
        sys.exit(f"not as expected: {what}")

def token(response):
    check(response.status_code == 200, (response.request.path, response.status_code))
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1)

signed_in = client.post("/login", data={**user, "csrf_token": token(client.get("/login"))})
check(signed_in.status_code == 302, signed_in.status_code)
for url in urls["pages"]:
    check(client.get(url).status_code == 200, url)
done = client.post(urls["lesson"] + "/complete", data={"csrf_token": token(client.get(urls["lesson"]))})
check(done.status_code == 302, done.status_code)
started = client.post(urls["quiz"] + "/start", data={"csrf_token": token(client.get(urls["quiz"]))})
attempt = started.headers["Location"]
saved = client.post(attempt + "/save", data={"csrf_token": token(client.get(attempt))})
check(saved.status_code in (200, 302), saved.status_code)
unwanted = ["markdown_it", "flask_mailman"]
if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
    unwanted.append("sqlite3")
print(json.dumps(sorted(m for m in unwanted if m in sys.modules)))
"""


def test_a_learners_requests_load_neither_the_markdown_renderer_nor_the_mailer(app, make_user, tmp_path):
    """A worker that serves a learner's pages, a lesson marked complete, an attempt and an answer saved leaves
    markdown-it and Flask-Mailman unloaded (1.5 MB of its memory), and on PostgreSQL the SQLite driver too. It runs
    under `python -OO`, as production workers do."""
    import json
    import subprocess
    import sys

    from tests.test_badges_issuing import enrol_learner, sync_course

    course = sync_course(app)
    learner = make_user()
    enrol_learner(app, learner["id"], course)
    module = next(iter(course.modules.values()))
    lesson = f"/courses/{course.slug}/{module.slug}/{module.lesson_slugs[0]}"
    urls = {
        "pages": [lesson, f"/courses/{course.slug}", "/dashboard", f"/quizzes/{module.quiz_id}"],
        "lesson": lesson,
        "quiz": f"/quizzes/{module.quiz_id}",
    }
    settings = {
        key: app.config[key]
        for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING", "LMS_LOAD_ENTRY_POINTS", "MAIL_BACKEND")
    }
    user = {"email": learner["email"], "password": learner["password"]}
    argument = json.dumps([settings, user, urls])
    done = subprocess.run(
        [sys.executable, "-OO", "-c", LEARNER_WORKER_SCRIPT, argument], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
