"""CSRF, rate limiting, headers, cookies and error pages."""

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import User
from tests.conftest import DEFAULT_PASSWORD, csrf_token_from


@pytest.fixture
def csrf_app(app_config):
    """An app like production: the test configuration keeps CSRF on, this makes sure of it."""
    from lms import create_app

    assert app_config["WTF_CSRF_ENABLED"] is True
    return create_app(app_config)


def test_missing_csrf_token_is_400_and_changes_nothing(client, app):
    response = client.post(
        "/signup",
        data={"display_name": "X", "email": "x@example.com", "password": DEFAULT_PASSWORD, "confirm": DEFAULT_PASSWORD},
    )
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_login_rate_limit_gives_429_even_for_the_right_password(client, make_user):
    user = make_user()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    for _ in range(5):  # TestConfig allows 5 attempts a minute
        response = client.post(
            "/login", data={"email": user["email"], "password": "wrong-password-x", "csrf_token": token}
        )
        assert response.status_code == 401
    blocked = client.post("/login", data={"email": user["email"], "password": user["password"], "csrf_token": token})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302  # still signed out


def test_security_headers_on_every_page(client):
    for path in ("/", "/login", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_flags(client, make_user, login):
    login(make_user())
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_production_cookies_are_secure(monkeypatch):
    from lms import create_app

    monkeypatch.setenv("SECRET_KEY", "z" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1/none")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://learn.example.com")
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("code", [400, 403, 404, 405, 429, 500])
def test_error_pages_are_friendly_and_never_show_a_traceback(app, code):
    from werkzeug.exceptions import abort

    from lms.access import allow

    @app.route(f"/boom-{code}")
    @allow("anonymous")
    def boom():
        if code == 500:
            raise RuntimeError("internal detail that must not leak")
        abort(code)

    response = app.test_client().get(f"/boom-{code}")
    assert response.status_code == code
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "internal detail" not in body
    assert f"Error {code}." in body and '<main id="main"' in body


def test_404_and_405_from_routing(client):
    assert client.get("/nowhere").status_code == 404
    assert client.get("/logout").status_code == 405


def test_login_limit_is_shared_across_servers_through_redis(app_config, make_user):
    """Two app servers with one Redis store count login attempts together."""
    import os
    import uuid

    import redis

    from lms import create_app

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI: {exc}")
        pytest.skip("no Redis on 127.0.0.1:6379")
    user = make_user()
    # A unique key prefix per run keeps earlier runs' counters out of this one.
    settings = {**app_config, "RATELIMIT_STORAGE_URI": url, "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}
    servers = [create_app(settings).test_client(), create_app(settings).test_client()]
    statuses = []
    for attempt in range(6):
        client = servers[attempt % 2]
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        statuses.append(
            client.post(
                "/login", data={"email": user["email"], "password": "wrong-password-x", "csrf_token": token}
            ).status_code
        )
    assert statuses == [401] * 5 + [429]


def test_behind_a_trusted_proxy_each_client_has_its_own_login_limit(app_config, make_user):
    """With TRUSTED_PROXIES set, the limit counts the client address the load balancer forwards."""
    from lms import create_app

    user = make_user()
    client = create_app({**app_config, "TRUSTED_PROXIES": 1}).test_client()

    def attempt(address):
        token = csrf_token_from(client.get("/login", headers={"X-Forwarded-For": address}).get_data(as_text=True))
        return client.post(
            "/login",
            headers={"X-Forwarded-For": address},
            data={"email": user["email"], "password": "wrong-password-x", "csrf_token": token},
        ).status_code

    assert [attempt("203.0.113.7") for _ in range(6)] == [401] * 5 + [429]
    assert attempt("198.51.100.9") == 401  # another client behind the same proxy is not blocked


def test_an_oversized_id_is_a_404_not_a_database_error(client, make_user, login):
    login(make_user("admin"))
    for path in (
        "/quizzes/99999999999999999999",
        "/quizzes/attempts/9223372036854775808",
        "/badges/classes/4294967296",
    ):
        assert client.get(path).status_code == 404, path


NUL = "with a \x00 NUL"


def test_a_nul_byte_in_any_text_input_is_a_clear_400_and_changes_nothing(app, client, make_user, login):
    """On PostgreSQL a NUL byte reached the database and gave a 500; now it never gets that far."""
    from badges.models import BadgeClass

    admin = make_user("admin")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    attempts = {
        "sign-in email": client.post("/login", data={"email": NUL, "password": "x" * 10, "csrf_token": token}),
        "sign-up name": client.post(
            "/signup",
            data={
                "display_name": NUL,
                "email": "n@example.com",
                "password": DEFAULT_PASSWORD,
                "confirm": DEFAULT_PASSWORD,
                "csrf_token": token,
            },
        ),
    }
    login(admin)
    token = csrf_token_from(client.get("/admin/users").get_data(as_text=True))
    attempts["user search"] = client.get("/admin/users", query_string={"q": NUL})
    attempts["badge text"] = client.post(
        "/badges/admin/1", data={"description": NUL, "criteria": "Criteria", "csrf_token": token}
    )
    attempts["gift import"] = client.post(
        "/author/quizzes/1", data={"gift_text": f"::q::{NUL} {{T}}", "csrf_token": token}
    )
    for what, response in attempts.items():
        assert response.status_code == 400, what
        assert "control character" in response.get_data(as_text=True), what
    assert client.get("/badges/assertions/abc%00def").status_code == 404  # a path naming nothing
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        assert db.session.scalar(select(func.count()).select_from(BadgeClass)) == 0


def test_a_host_header_no_address_can_be_built_for_is_a_plain_400(client):
    """Werkzeug refuses a Host such as "a..b"; the error page, whose layout builds links, cannot be drawn for it,
    so the answer is a plain-text 400 (it was a 500)."""
    for path in ("/", "/login", "/badges/revocations"):
        for host in ("a..b", "x" * 254):
            response = client.get(path, headers={"Host": host})
            assert response.status_code == 400, (path, host)
            assert response.mimetype == "text/plain"


def test_a_sign_in_link_whose_next_is_no_address_still_signs_in(client, make_user):
    """A `next` that is not a URL at all ("//[x", a bracketed host that is no IPv6 address) is ignored, not a 500
    that stops the learner signing in from a crafted link."""
    learner = make_user()
    for target in ("//[x", "http://[::1"):
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        data = {"email": learner["email"], "password": learner["password"], "csrf_token": token}
        response = client.post("/login", query_string={"next": target}, data=data)
        assert response.status_code == 302 and response.headers["Location"] == "/dashboard", target
        client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/dashboard").get_data(as_text=True))})


def test_a_line_break_in_a_logged_target_cannot_forge_a_second_security_log_line(app, client, make_user, login, caplog):
    """The target of a security event can come from the request (an exported tag): it is written on one line."""
    import logging

    caplog.set_level(logging.INFO, logger="lms.security")
    login(make_user("trainer"))
    assert client.get("/author/bank.gift", query_string={"tag": "bpo\nsign_in.success actor=1"}).status_code == 200
    [line] = [record.getMessage() for record in caplog.records if record.getMessage().startswith("bank.export")]
    assert "\n" not in line and "target=tag:bpo\\nsign_in.success actor=1" in line


def test_an_oversized_request_or_field_is_refused_with_413(app, client, make_user, login):
    login(make_user())
    token = csrf_token_from(client.get("/profile").get_data(as_text=True))
    whole = client.post("/profile", data={"csrf_token": token, "current_password": "x" * (3 * 1024 * 1024)})
    assert whole.status_code == 413
    # One form field over its limit, sent as a browser sends a form with a file field.
    field = client.post(
        "/profile",
        data={"csrf_token": token, "current_password": "x" * 1_200_000},
        content_type="multipart/form-data",
    )
    assert field.status_code == 413 and "too large" in field.get_data(as_text=True).lower()
    # Within the request limit, a field longer than it may be is a 400 that names it.
    long = client.post("/profile", data={"csrf_token": token, "current_password": "x" * 600, "password": "y" * 12})
    assert long.status_code == 400 and "longer than 512 characters" in long.get_data(as_text=True)


def test_a_page_bound_out_of_range_is_a_page_not_an_error(client, make_user, login):
    login(make_user("admin"))
    for bound in ("99999999999999999999", "-5", "abc"):
        for direction in ("after", "before"):
            assert client.get("/admin/users", query_string={direction: bound}).status_code == 200, bound
            assert client.get("/badges/admin/", query_string={direction: bound}).status_code == 200, bound


def test_pages_for_a_signed_in_person_are_never_stored_by_a_browser_or_proxy(client, make_user, login):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login(make_user())
    for path in ("/dashboard", "/profile", "/courses/"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_production_sends_hsts(monkeypatch):
    from lms import create_app

    monkeypatch.setenv("SECRET_KEY", "z" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1/none")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://learn.example.com")
    response = create_app("production").test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def failed_sign_in(client, email, address, password="wrong-password-x"):
    """Post the sign-in form from a client address (forwarded by the trusted proxy); the status."""
    headers = {"X-Forwarded-For": address}
    token = csrf_token_from(client.get("/login", headers=headers).get_data(as_text=True))
    data = {"email": email, "password": password, "csrf_token": token}
    return client.post("/login", headers=headers, data=data).status_code


def test_failed_sign_ins_are_counted_per_account_across_servers_and_addresses(app, app_config, make_user):
    """A guessing run that rotates X-Forwarded-For and app servers is still stopped at the account's limit."""
    from lms import create_app

    user = make_user()
    settings = {**app_config, "TRUSTED_PROXIES": 1, "LOGIN_RATE_LIMIT": "1000 per minute"}
    servers = [create_app(settings).test_client(), create_app(settings).test_client()]
    statuses = [failed_sign_in(servers[n % 2], user["email"], f"198.51.100.{n}") for n in range(10)]
    assert statuses == [401] * 10
    right = failed_sign_in(servers[0], user["email"], "198.51.100.200", password=user["password"])
    assert right == 429  # even the right password, from a new address, until the window passes


def test_failed_sign_ins_are_counted_per_address_across_accounts(app, app_config, make_user):
    from lms import create_app

    settings = {
        **app_config,
        "TRUSTED_PROXIES": 1,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOGIN_FAILURES_PER_ADDRESS": 3,
    }
    client = create_app(settings).test_client()
    users = [make_user() for _ in range(4)]
    statuses = [failed_sign_in(client, user["email"], "203.0.113.50") for user in users]
    assert statuses == [401, 401, 401, 429]
    assert failed_sign_in(client, users[3]["email"], "203.0.113.51", password=users[3]["password"]) == 302


def test_one_persons_typos_do_not_lock_out_a_training_room_behind_one_router(app, app_config, make_user):
    """Ten wrong passwords for one account stop that account, not a classmate signing in from the same address."""
    from lms import create_app

    client = create_app({**app_config, "TRUSTED_PROXIES": 1, "LOGIN_RATE_LIMIT": "1000 per minute"}).test_client()
    clumsy, classmate = make_user(), make_user()
    statuses = [failed_sign_in(client, clumsy["email"], "192.0.2.10") for _ in range(10)]
    assert statuses == [401] * 10
    assert failed_sign_in(client, clumsy["email"], "192.0.2.10", password=clumsy["password"]) == 429
    assert failed_sign_in(client, classmate["email"], "192.0.2.10", password=classmate["password"]) == 302


def test_security_events_say_who_what_and_when_and_never_a_secret(app, client, make_user, login, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="lms.security")
    admin, learner = make_user("admin"), make_user()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": admin["email"], "password": "not the password", "csrf_token": token})
    login(admin)
    token = csrf_token_from(client.get("/admin/users").get_data(as_text=True))
    client.post(f"/admin/users/{learner['id']}/role", data={"role": "trainer", "csrf_token": token})
    client.post("/logout", data={"csrf_token": token})
    records = [record for record in caplog.records if record.name == "lms.security"]
    lines = [record.getMessage() for record in records]
    assert any(line.startswith(f"sign_in.failed actor={admin['email']}") for line in lines), lines
    assert any(line.startswith(f"sign_in actor={admin['id']}") for line in lines), lines
    assert any(
        line.startswith(f"user.role actor={admin['id']} target=user:{learner['id']}") and "new='trainer'" in line
        for line in lines
    ), lines
    assert any(line.startswith(f"sign_out actor={admin['id']}") for line in lines), lines
    assert all(record.created for record in records)  # when: the time of each record
    cookie = client.get_cookie("session")
    secrets_seen = [admin["password"], "not the password", token] + ([cookie.value] if cookie else [])
    assert not [line for line in lines for secret in secrets_seen if secret in line]
