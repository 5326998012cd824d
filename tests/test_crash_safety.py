"""Crash safety: learners work against a real gunicorn server, which is killed with SIGKILL part-way.

After a restart every write the server acknowledged is there, no attempt is half-graded, every completed
module has its badge, and SQLite's integrity check passes.
"""

import http.client
import http.cookiejar
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import yaml
from sqlalchemy import select

from lms import create_app
from lms.extensions import db
from tests.conftest import DEFAULT_PASSWORD, csrf_token_from
from tests.test_quiz_attempts import BASIC_GIFT, RIGHT, basic_answers, sync, write_pack

MODULES = 4
LEARNERS = 5


class Response:
    """What the tests read of an HTTP response."""

    def __init__(self, status_code: int, headers, body: bytes):
        self.status_code, self.headers, self.text = status_code, headers, body.decode("utf-8", "replace")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hand redirects back to the caller, as the Flask test client does."""

    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One learner's browser against the server: cookies kept, redirects not followed."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirects()
        )

    def request(self, path: str, data: dict | None = None) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as reply:
                return Response(reply.status, reply.headers, reply.read())
        except urllib.error.HTTPError as reply:
            return Response(reply.code, reply.headers, reply.read())

    def get(self, path: str) -> Response:
        return self.request(path)

    def post(self, path: str, data: dict) -> Response:
        return self.request(path, data)


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(database_url: str, port: int, badge_key: str) -> subprocess.Popen:
    """gunicorn with two workers serving the LMS on the database, optimized as in production (`PYTHONOPTIMIZE=2`,
    as `python -OO`); returns once it answers."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "k" * 48,
        "BADGE_SIGNING_KEY_PEM": badge_key,
        "MAIL_BACKEND": "locmem",  # the badges' mail stays in memory, not under the checkout's instance/
        "PYTHONOPTIMIZE": "2",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--no-control-socket",
            "-w",
            "2",
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "lms:create_app()",
        ],
        env=env,
        start_new_session=True,  # its own process group, so the kill takes the workers too
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    pytest.fail("gunicorn did not start")


def kill(server: subprocess.Popen) -> None:
    """SIGKILL the server and its workers: no shutdown, no cleanup."""
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=30)


def lab_with_badges(app, tmp_path):
    """A course of MODULES one-lesson modules, each with the basic quiz and a badge; synced into the database."""
    modules = [
        {
            "slug": f"m{n}",
            "lessons": [f"m{n}-read"],
            "gift": BASIC_GIFT.replace("::capital::", f"::capital {n}::").replace("::sky::", f"::sky {n}::"),
        }
        for n in range(1, MODULES + 1)
    ]
    root = write_pack(tmp_path / "pack", modules)
    manifest = yaml.safe_load((root / "course.yaml").read_text(encoding="utf-8"))
    manifest["badges"] = [
        {
            "slug": f"badge-{m['slug']}",
            "for": m["slug"],
            "name": f"Badge {m['slug']}",
            "description": "Done.",
            "criteria": "Read the lesson and passed the quiz.",
        }
        for m in modules
    ]
    (root / "course.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    return sync(app, root)


def learner_work(base, email, course, acknowledged: list, lock: threading.Lock, killed, errors: list) -> None:
    """Run `learner_steps`; a failure before the kill is a test failure, one after it is the point."""
    try:
        learner_steps(base, email, course, acknowledged, lock)
    except (OSError, http.client.HTTPException, AssertionError, KeyError, ValueError) as exc:
        if not killed.is_set():
            errors.append(f"{email}: {exc!r}")


def learner_steps(base: str, email: str, course, acknowledged: list, lock: threading.Lock) -> None:
    """Sign in, enrol, then per module: read the lesson and pass the quiz, noting every acknowledged write."""
    browser = Browser(base)
    token = csrf_token_from(browser.get("/login").text)
    browser.post("/login", {"email": email, "password": DEFAULT_PASSWORD, "csrf_token": token})
    token = csrf_token_from(browser.get(f"/courses/{course.slug}").text)
    browser.post(f"/courses/{course.slug}/enrol", {"csrf_token": token})
    for n in range(1, MODULES + 1):
        lesson = f"/courses/{course.slug}/m{n}/m{n}-read"
        done = browser.post(f"{lesson}/complete", {"csrf_token": csrf_token_from(browser.get(lesson).text)})
        if done.status_code == 302:
            with lock:
                acknowledged.append(("lesson", email, f"m{n}-read"))
        quiz = course.quizzes[f"m{n}"]
        started = browser.post(
            f"/quizzes/{quiz}/start", {"csrf_token": csrf_token_from(browser.get(f"/quizzes/{quiz}").text)}
        )
        attempt = int(started.headers["Location"].rsplit("/", 1)[1])
        submitted = browser.post(f"/quizzes/attempts/{attempt}/submit", basic_answers(browser, attempt, RIGHT))
        if submitted.status_code == 302:
            with lock:
                acknowledged.append(("attempt", email, attempt))


def test_a_killed_server_loses_no_acknowledged_write_and_no_badge(app_config, badge_key_pem, tmp_path):
    from badges.models import Award, BadgeClass
    from courses.models import Lesson, LessonCompletion, Module, ModuleCompletion
    from lms.auth.services import create_user
    from lms.models import User
    from quizzes.models import Attempt

    database = tmp_path / "live.sqlite3"
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    course = lab_with_badges(app, tmp_path)
    emails = [f"agent{n}@example.com" for n in range(LEARNERS)]
    with app.app_context():
        for email in emails:
            create_user(email, email.split("@")[0], DEFAULT_PASSWORD)
        db.engine.dispose()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(f"sqlite:///{database}", port, badge_key_pem)
    acknowledged: list = []
    errors: list = []
    lock, killed = threading.Lock(), threading.Event()
    workers = [
        threading.Thread(
            target=learner_work, args=(base, email, course, acknowledged, lock, killed, errors), daemon=True
        )
        for email in emails
    ]
    try:
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < LEARNERS * MODULES and time.monotonic() < deadline:
            time.sleep(0.05)  # part-way: about half of all the work acknowledged
        assert acknowledged, "no write was acknowledged before the kill"
    finally:
        killed.set()
        kill(server)
    for worker in workers:
        worker.join(timeout=30)  # they fail against the dead server; what was acknowledged is recorded
    assert errors == []

    server = start_server(f"sqlite:///{database}", port, badge_key_pem)  # its first request delivers what was left
    kill(server)

    with sqlite3.connect(database) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with app.app_context():
        ids = dict(db.session.execute(select(User.email, User.id)).tuples().all())
        read = set(
            db.session.execute(
                select(LessonCompletion.user_id, Lesson.slug).join(Lesson, Lesson.id == LessonCompletion.lesson_id)
            ).tuples()
        )
        attempts = {attempt.id: attempt for attempt in db.session.scalars(select(Attempt))}
        for kind, email, what in acknowledged:
            if kind == "lesson":
                assert (ids[email], what) in read, (kind, email, what)
            else:
                assert attempts[what].status == "submitted" and attempts[what].score == 100.0, (kind, email, what)
        for attempt in attempts.values():  # nothing half-graded
            assert (attempt.status == "submitted") == (attempt.score is not None), attempt.id
        completed = set(
            db.session.execute(
                select(ModuleCompletion.user_id, BadgeClass.id).join(
                    BadgeClass, BadgeClass.module_id == ModuleCompletion.module_id
                )
            ).tuples()
        )
        awarded = set(db.session.execute(select(Award.user_id, Award.badge_class_id)).tuples())
        assert completed and completed == awarded
        assert db.session.query(Module).count() == MODULES
        db.engine.dispose()
