"""Several app servers, as the README's production section runs them: two gunicorn servers sharing one
PostgreSQL database and one Redis, with one learner's requests alternating between them."""

import os

import pytest
import redis
from sqlalchemy import make_url, select

from lms.extensions import db
from tests.conftest import DEFAULT_PASSWORD, csrf_token_from
from tests.test_crash_safety import Browser, free_port, kill, lab_with_badges, start_server
from tests.test_quiz_attempts import RIGHT, basic_answers

REDIS = "redis://127.0.0.1:6379/14"


class Alternating:
    """One browser (one cookie jar) whose requests go to each server in turn."""

    def __init__(self, bases: list[str]):
        self.browsers = [Browser(base) for base in bases]
        for browser in self.browsers[1:]:
            browser.opener = self.browsers[0].opener  # the same cookies everywhere
        self.turn = 0

    def pick(self) -> Browser:
        browser = self.browsers[self.turn % len(self.browsers)]
        self.turn += 1
        return browser

    def get(self, path):
        return self.pick().get(path)

    def post(self, path, data):
        return self.pick().post(path, data)


@pytest.fixture
def shared_services(database_url):
    """The suite's PostgreSQL database and a Redis database of its own; only on the PostgreSQL run."""
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("runs in the suite's PostgreSQL run (TEST_DATABASE_URL), as .ci/run does")
    try:
        redis.Redis.from_url(REDIS).flushdb()  # this test's own Redis database: no counters from an earlier run
    except redis.RedisError as exc:
        pytest.fail(f"Redis is needed beside PostgreSQL for this test: {exc}")
    return database_url


def start(database_url: str, port: int, badge_key: str):
    """One app server as production runs it (its own process, the shared database, Redis and key)."""
    os.environ["RATELIMIT_STORAGE_URI"] = REDIS
    try:
        return start_server(database_url, port, badge_key)
    finally:
        del os.environ["RATELIMIT_STORAGE_URI"]


def test_two_servers_behave_as_one(app, app_config, shared_services, badge_key_pem, make_user, tmp_path):
    from badges.models import Award

    course = lab_with_badges(app, tmp_path)
    learner = make_user(password=DEFAULT_PASSWORD)
    ports = [free_port(), free_port()]
    servers = [start(shared_services, port, badge_key_pem) for port in ports]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        browser = Alternating(bases)

        # The login limit (10 a minute per address) is counted across both servers.
        statuses = []
        for _ in range(11):
            token = csrf_token_from(browser.get("/login").text)
            data = {"email": "nobody@example.com", "password": "wrong-password-x", "csrf_token": token}
            statuses.append(browser.post("/login", data).status_code)
        assert statuses[:10] == [401] * 10 and statuses[10] == 429
    finally:
        for server in servers:
            kill(server)

    # Fresh servers, and no counters, for the learner's journey.
    redis.Redis.from_url(REDIS).flushdb()
    servers = [start(shared_services, port, badge_key_pem) for port in ports]
    try:
        browser = Alternating(bases)
        token = csrf_token_from(browser.get("/login").text)
        signed_in = browser.post(
            "/login", {"email": learner["email"], "password": DEFAULT_PASSWORD, "csrf_token": token}
        )
        assert signed_in.status_code == 302
        # The session made on one server is honoured by the other.
        assert browser.get("/dashboard").status_code == 200 and browser.get("/profile").status_code == 200
        token = csrf_token_from(browser.get(f"/courses/{course.slug}").text)
        assert browser.post(f"/courses/{course.slug}/enrol", {"csrf_token": token}).status_code == 302
        lesson = f"/courses/{course.slug}/m1/m1-read"
        assert (
            browser.post(f"{lesson}/complete", {"csrf_token": csrf_token_from(browser.get(lesson).text)}).status_code
            == 302
        )
        quiz = course.quizzes["m1"]
        started = browser.post(
            f"/quizzes/{quiz}/start", {"csrf_token": csrf_token_from(browser.get(f"/quizzes/{quiz}").text)}
        )
        attempt = int(started.headers["Location"].rsplit("/", 1)[1])
        assert (
            browser.post(f"/quizzes/attempts/{attempt}/submit", basic_answers(browser, attempt, RIGHT)).status_code
            == 302
        )

        # The badge was issued once, and both servers sign its credential with the one shared key.
        with app.app_context():
            (award,) = db.session.scalars(select(Award).where(Award.user_id == learner["id"])).all()
            public_id = award.public_id
        credentials = [browser.get(f"/badges/assertions/{public_id}/credential") for _ in range(2)]
        assert [c.status_code for c in credentials] == [200, 200]
        keys = {browser.get("/badges/jwks.json").text for _ in range(2)}
        assert len(keys) == 1

        # Signing out on one server ends the session on both.
        token = csrf_token_from(browser.get("/profile").text)
        assert browser.post("/logout", {"csrf_token": token}).status_code == 302
        assert [browser.get("/dashboard").status_code for _ in range(2)] == [302, 302]
    finally:
        for server in servers:
            kill(server)
    with app.app_context():
        db.engine.dispose()
