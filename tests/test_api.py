"""The REST API over real HTTP: tokens made on the profile page, stored hashed, scoped and revocable; what each
caller may read; problem-details errors; the rate limit; and the OpenAPI document and reference page."""

import base64
import hashlib
import json
import re

import pytest
from openapi_spec_validator import validate as validate_openapi
from sqlalchemy import select

from lms.api.tokens import AccessToken
from lms.extensions import db
from tests.helpers import csrf_token_from
from tests.test_badges_issuing import earn_first_badge, enrol_learner, sync_course

PROBLEM = "application/problem+json"


def create_token(client, name="Nightly sync", scopes=("read",), status=201) -> str:
    """Create a token on the profile's tokens page as the signed-in person; its secret, read off the page."""
    page = client.get("/profile/tokens/")
    assert page.status_code == 200
    data = {"name": name, "csrf_token": csrf_token_from(page.get_data(as_text=True))}
    data.update({scope: "y" for scope in scopes})
    response = client.post("/profile/tokens/", data=data)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    page_text = response.get_data(as_text=True)
    found = re.search(r'id="new-token" type="text" readonly value="(lms_pat_[A-Za-z0-9_-]+)"', page_text)
    return found.group(1) if found else ""


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def problem_of(response, status: int) -> dict:
    """The problem-details body of a refused request, checked to be one."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["instance"] == response.request.path
    return body


@pytest.fixture
def learner_with_badge(app, make_user):
    course = sync_course(app)
    return {"course": course, "learner": earn_first_badge(app, make_user, course)}


def test_a_question_left_blank_is_not_answered_in_the_api(app, client, make_user, login, tmp_path):
    """Its row exists (graded with the others, scoring 0), but the web review says "No answer", and so does the API."""
    from tests.test_quiz_attempts import basic_answers, enrol, one_module_lab, slot_of, start

    course = one_module_lab(app, tmp_path)
    learner = make_user()
    login(learner)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    saved = client.post(
        f"/quizzes/attempts/{attempt_id}/save", data=basic_answers(client, attempt_id, {"sky": "False"})
    )
    assert saved.status_code == 302
    token = csrf_token_from(client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True))
    submitted = client.post(
        f"/quizzes/attempts/{attempt_id}/submit", data={"csrf_token": token, "unanswered": "confirmed"}
    )
    assert submitted.headers["Location"].endswith(f"/quizzes/attempts/{attempt_id}/review")
    review = client.get(submitted.headers["Location"]).get_data(as_text=True)
    assert f"Question {slot_of(app, attempt_id, 'capital') + 1}: not answered" in review  # it said "not right"
    secret = create_token(client)

    detail = app.test_client().get(f"/api/v1/me/attempts/{attempt_id}", headers=bearer(secret)).get_json()
    answered = {q["position"]: q["answered"] for q in detail["questions"]}
    assert answered == {slot_of(app, attempt_id, "capital") + 1: False, slot_of(app, attempt_id, "sky") + 1: True}


def test_a_learner_makes_a_token_on_the_profile_page_and_reads_their_own_data(app, client, login, learner_with_badge):
    learner = learner_with_badge["learner"]
    login(learner)
    assert "/profile/tokens/" in client.get("/profile").get_data(as_text=True)
    secret = create_token(client)
    assert secret.startswith("lms_pat_") and len(secret) > 40
    # Shown once: the list shows its first characters only, and the database holds its hash, never the secret.
    listing = client.get("/profile/tokens/").get_data(as_text=True)
    assert secret not in listing and "Nightly sync" in listing and secret[:12] in listing
    with app.app_context():
        (stored,) = db.session.scalars(select(AccessToken)).all()
        assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in {stored.name, stored.hint, stored.scopes}

    api = app.test_client()  # no session cookie: the token alone
    me = api.get("/api/v1/me", headers=bearer(secret)).get_json()
    assert me == {
        "id": learner["id"],
        "email": learner["email"],
        "display_name": me["display_name"],
        "role": "learner",
        "scopes": ["read"],
    }
    (enrolment,) = api.get("/api/v1/me/enrolments", headers=bearer(secret)).get_json()["items"]
    assert enrolment["course"] == "bpo-operations" and 0 < enrolment["percent"] < 100
    progress = api.get("/api/v1/me/courses/bpo-operations/progress", headers=bearer(secret)).get_json()
    assert progress["modules"][0]["complete"] is True and progress["modules"][1]["complete"] is False
    attempts = api.get("/api/v1/me/attempts", headers=bearer(secret)).get_json()["items"]
    assert attempts and all(a["course"] == "bpo-operations" for a in attempts) and attempts[-1]["passed"] is True
    detail = api.get(f"/api/v1/me/attempts/{attempts[-1]['id']}", headers=bearer(secret)).get_json()
    assert detail["questions"] and all(q["answered"] for q in detail["questions"])
    assert {"correct", "answer", "key", "options"}.isdisjoint(k for q in detail["questions"] for k in q)
    (badge,) = api.get("/api/v1/me/badges", headers=bearer(secret)).get_json()["items"]
    assert badge["id"] == learner["award"]["public_id"] and badge["revoked"] is False
    assert api.get(badge["links"]["credential_json"].removeprefix("http://localhost")).status_code == 200
    courses = api.get("/api/v1/courses", headers=bearer(secret)).get_json()["items"]
    assert [c["slug"] for c in courses] == ["bpo-operations"] and courses[0]["modules"] == 10
    structure = api.get("/api/v1/courses/bpo-operations", headers=bearer(secret)).get_json()
    assert len(structure["modules"]) == 10 and structure["modules"][0]["lessons"][0]["objectives"]
    with app.app_context():
        assert db.session.scalar(select(AccessToken.last_used_at)) is not None


def test_a_token_never_reaches_another_learners_data(app, client, login, make_user, learner_with_badge):
    other = make_user()
    enrol_learner(app, other["id"], learner_with_badge["course"])
    login(other)
    secret = create_token(client)
    api = app.test_client()
    assert api.get("/api/v1/me/attempts", headers=bearer(secret)).get_json()["items"] == []
    assert api.get("/api/v1/me/badges", headers=bearer(secret)).get_json()["items"] == []
    with app.app_context():
        from quizzes.models import Attempt

        theirs = db.session.scalars(select(Attempt.id).where(Attempt.user_id == learner_with_badge["learner"]["id"]))
        for attempt_id in theirs:
            problem_of(api.get(f"/api/v1/me/attempts/{attempt_id}", headers=bearer(secret)), 404)
    # The admin endpoints are refused to a learner, whatever the token.
    for url in ("/api/v1/users", "/api/v1/cohorts", "/api/v1/courses/bpo-operations/learners"):
        assert "admin" in problem_of(api.get(url, headers=bearer(secret)), 403)["detail"]


def test_scopes_limit_a_token_and_a_learner_cannot_give_one_the_admin_scope(
    app, client, login, make_user, learner_with_badge
):
    learner = make_user()
    login(learner)
    reader = create_token(client, "reader", ("read",))
    writer = create_token(client, "writer", ("write",))
    refused = client.get("/profile/tokens/")
    data = {"name": "sneaky", "admin": "y", "csrf_token": csrf_token_from(refused.get_data(as_text=True))}
    response = client.post("/profile/tokens/", data=data)
    assert response.status_code == 400 and "Only admins" in response.get_data(as_text=True)
    api = app.test_client()

    assert (
        "'write' scope"
        in problem_of(api.post("/api/v1/courses/bpo-operations/enrolment", headers=bearer(reader)), 403)["detail"]
    )
    assert "'read' scope" in problem_of(api.get("/api/v1/me", headers=bearer(writer)), 403)["detail"]
    enrolled = api.post("/api/v1/courses/bpo-operations/enrolment", headers=bearer(writer))
    assert enrolled.status_code == 201 and enrolled.get_json()["newly_enrolled"] is True
    again = api.post("/api/v1/courses/bpo-operations/enrolment", headers=bearer(writer))
    assert again.status_code == 201 and again.get_json()["newly_enrolled"] is False
    problem_of(api.post("/api/v1/courses/no-such-course/enrolment", headers=bearer(writer)), 404)


def test_revoked_unknown_and_missing_tokens_and_a_session_cookie_are_refused(app, client, login, make_user):
    learner = make_user()
    login(learner)
    secret = create_token(client)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    # Signed in with a cookie but no token: the API does not act on the session (no cross-site requests).
    assert "Bearer" in problem_of(client.get("/api/v1/me"), 401)["detail"]
    assert client.get("/api/v1/me").headers["WWW-Authenticate"].startswith("Bearer")
    problem_of(client.get("/api/v1/me", headers=bearer("lms_pat_" + "x" * 43)), 401)

    page = client.get("/profile/tokens/").get_data(as_text=True)
    (token_id,) = re.findall(r'action="/profile/tokens/(\d+)/revoke"', page)
    revoked = client.post(f"/profile/tokens/{token_id}/revoke", data={"csrf_token": csrf_token_from(page)})
    assert revoked.status_code == 303
    assert "revoked" in problem_of(client.get("/api/v1/me", headers=bearer(secret)), 401)["detail"]
    assert "You have no tokens" in client.get("/profile/tokens/").get_data(as_text=True)
    # Another person cannot revoke a token that is not theirs.
    other_secret = create_token(client, "second")
    page = client.get("/profile/tokens/").get_data(as_text=True)
    (second_id,) = re.findall(r'action="/profile/tokens/(\d+)/revoke"', page)
    intruder = app.test_client()
    login(make_user(), intruder)
    tokens_page = intruder.get("/profile/tokens/").get_data(as_text=True)
    intruder.post(f"/profile/tokens/{second_id}/revoke", data={"csrf_token": csrf_token_from(tokens_page)})
    assert client.get("/api/v1/me", headers=bearer(other_secret)).status_code == 200
    # A deactivated account's tokens stop working with it.
    with app.app_context():
        from lms.models import User

        db.session.get(User, learner["id"]).active = False
        db.session.commit()
    assert "deactivated" in problem_of(intruder.get("/api/v1/me", headers=bearer(other_secret)), 401)["detail"]


def test_an_admin_reads_users_cohorts_and_a_courses_learners_page_by_page(
    app, client, login, make_user, learner_with_badge
):
    admin = make_user("admin")
    for n in range(3):
        learner = make_user(name=f"Zed Learner {n}")
        enrol_learner(app, learner["id"], learner_with_badge["course"])
    login(admin)
    secret = create_token(client, "reports", ("read", "admin"))
    api = app.test_client()
    first = api.get("/api/v1/users?limit=2", headers=bearer(secret)).get_json()
    second = api.get(f"/api/v1/users?limit=2&after={first['next']}", headers=bearer(secret)).get_json()
    assert len(first["items"]) == 2 and first["items"][-1]["id"] < second["items"][0]["id"]
    found = api.get("/api/v1/users?q=zed", headers=bearer(secret)).get_json()["items"]
    assert sorted(u["display_name"] for u in found) == ["Zed Learner 0", "Zed Learner 1", "Zed Learner 2"]

    url = "/api/v1/courses/bpo-operations/learners"
    page = api.get(f"{url}?sort=progress&dir=desc", headers=bearer(secret)).get_json()
    assert page["items"][0]["user_id"] == learner_with_badge["learner"]["id"]  # the only one with progress
    assert page["items"][0]["status"] == "In progress" and page["next"] is None
    assert page["items"][0]["status_code"] == "in_progress"  # the `status` filter's own value
    columns = page["items"][0]["columns"]
    assert any(label.startswith("Ready for") for label in columns)
    # A score is its number, not the screen's "100%"; a quiz not tried is null.
    scores = [value for label, value in columns.items() if label.startswith("Best: ")]
    assert 100.0 in scores and None in scores and not any(isinstance(v, str) for v in scores)
    started = api.get(f"{url}?status=not_started&q=zed", headers=bearer(secret)).get_json()["items"]
    assert len(started) == 3
    # Paged by `limit`, as every list is: two, then the third after the first page's key.
    two = api.get(f"{url}?status=not_started&q=zed&limit=2", headers=bearer(secret)).get_json()
    assert len(two["items"]) == 2 and two["next"]
    rest = api.get(f"{url}?status=not_started&q=zed&limit=2&after={two['next']}", headers=bearer(secret)).get_json()
    assert [row["name"] for row in two["items"] + rest["items"]] == [row["name"] for row in started]
    assert rest["next"] is None
    assert "after" in problem_of(api.get(f"{url}?after=garbage", headers=bearer(secret)), 400)["detail"]
    # A date of no calendar is refused, not dropped (which returned every learner as if filtered).
    assert "`from` is not a day" in problem_of(api.get(f"{url}?from=2026-13-01", headers=bearer(secret)), 400)["detail"]
    name_key = base64.urlsafe_b64encode(json.dumps(["Zed Learner 0", 1]).encode()).decode().rstrip("=")
    for wrong in (f"sort=progress&after={name_key}", "to=9999-12-31&after=WyJhIiwxODQ0Njc0NDA3MzcwOTU1MTYxNl0"):
        assert "after" in problem_of(api.get(f"{url}?{wrong}", headers=bearer(secret)), 400)["detail"]
    assert api.get("/api/v1/cohorts", headers=bearer(secret)).get_json() == {"items": []}
    # An admin's token without the admin scope reads only their own data.
    reader = create_token(client, "mine only", ("read",))
    assert "'admin' scope" in problem_of(api.get("/api/v1/users", headers=bearer(reader)), 403)["detail"]


def test_a_token_without_a_scope_is_refused_beside_the_scopes(app, client, login, make_user):
    """The reason sits with the checkboxes it is about, and the name the learner typed is not marked wrong."""
    login(make_user())
    page = client.get("/profile/tokens/").get_data(as_text=True)
    refused = client.post("/profile/tokens/", data={"name": "Nightly sync", "csrf_token": csrf_token_from(page)})
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert 'id="read-error">Choose at least one of the scopes offered.</p>' in body
    assert 'aria-invalid="true"' not in re.search(r"<input[^>]*id=\"name\"[^>]*>", body).group(0)
    assert 'value="Nightly sync"' in body


def test_bad_input_gets_a_problem_naming_the_field(app, client, login, make_user):
    login(make_user("admin"))
    secret = create_token(client, "admin", ("read", "admin"))
    api = app.test_client()
    body = problem_of(api.get("/api/v1/users?limit=500", headers=bearer(secret)), 400)
    assert body["errors"][0]["location"] == ["limit"]
    body = problem_of(api.get("/api/v1/users?limit=two", headers=bearer(secret)), 400)
    assert body["errors"][0]["location"] == ["limit"]
    problem_of(api.get("/api/v1/users/999999", headers=bearer(secret)), 404)
    problem_of(api.get("/api/v1/nothing-here", headers=bearer(secret)), 404)
    problem_of(api.delete("/api/v1/me", headers=bearer(secret)), 405)


def test_each_token_is_rate_limited_with_a_problem(app, app_config, client, login, make_user):
    from lms import create_app

    login(make_user())
    secret, other = create_token(client, "busy"), create_token(client, "quiet")
    # A server of the same database whose limit is low enough to reach (the suite's own is set high).
    limited = create_app({**app_config, "API_RATE_LIMIT": "30 per minute"})
    api = limited.test_client()
    answers = [api.get("/api/v1/me", headers=bearer(secret)).status_code for _ in range(31)]
    assert answers[:30] == [200] * 30
    problem_of(api.get("/api/v1/me", headers=bearer(secret)), 429)
    assert api.get("/api/v1/me", headers=bearer(other)).status_code == 200  # counted per token
    with limited.app_context():
        db.engine.dispose()


def test_the_openapi_document_is_valid_openapi_3_1_and_lists_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate_openapi(document)
    documented = {(method.upper(), path) for path, operations in document["paths"].items() for method in operations}
    routes = {
        (method, re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint not in ("api.openapi", "api.reference")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routes
    for operations in document["paths"].values():
        for operation in operations.values():
            assert operation["security"] == [{"token": []}] and operation["summary"]
            assert {"401", "403", "429"} <= set(operation["responses"])


# Serves the OpenAPI document from a fresh process, as a worker would.
DOCUMENT_SCRIPT = """
import json, sys
from lms import create_app

app = create_app(json.loads(sys.argv[1]))
sys.stdout.write(app.test_client().get("/api/v1/openapi.json").get_data(as_text=True))
"""


def test_the_openapi_document_keeps_every_summary_and_description_under_python_oo(app, tmp_path):
    """Production workers run under `python -OO`, which drops docstrings: the document such a worker serves is
    the one a worker without the flag serves, each operation with its own summary and each model described."""
    import subprocess
    import sys

    settings = {
        key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING", "LMS_LOAD_ENTRY_POINTS")
    }
    served = {}
    for flags in ((), ("-OO",)):
        done = subprocess.run(
            [sys.executable, *flags, "-c", DOCUMENT_SCRIPT, json.dumps(settings)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        served[flags] = json.loads(done.stdout)
    assert served[("-OO",)] == served[()]
    document = served[("-OO",)]
    summaries = [operation["summary"] for operations in document["paths"].values() for operation in operations.values()]
    # SpecTree's stand-in for a view without a summary is the view's name and method.
    assert [summary for summary in summaries if re.fullmatch(r"\w+ <[A-Z]+>", summary)] == []
    assert len(set(summaries)) == len(summaries)
    undescribed = [name for name, schema in document["components"]["schemas"].items() if not schema.get("description")]
    assert undescribed == []


def test_every_api_endpoint_refuses_a_token_without_its_scope(app, client, login, make_user):
    from lms.api.tokens import SCOPES

    admin = make_user("admin")
    login(admin)
    secrets_by_scope = {scope: create_token(client, f"only {scope}", (scope,)) for scope in SCOPES}
    api = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        while view is not None and not hasattr(view, "lms_token_scope"):
            view = getattr(view, "__wrapped__", None)
        if view is None:
            continue
        needed, _role = view.lms_token_scope
        path = re.sub(r"<(?:int:)?\w+>", "1", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            for scope, secret in secrets_by_scope.items():
                response = api.open(path, method=method, headers=bearer(secret))
                if scope == needed:
                    assert response.status_code != 403, (method, path, scope)
                else:
                    assert f"{needed!r} scope" in problem_of(response, 403)["detail"], (method, path, scope)
            checked += 1
    assert checked >= 15


def test_refused_requests_are_limited_per_address(app, app_config, client, login, make_user):
    """A request with a token the API does not know never reaches a view, so the per-token limit never counted
    it: an address could guess tokens without end. Such refusals now count per address, and past the limit the
    address gets 429 for a minute; a good token's refusals (a scope it lacks) do not count, and a good token from
    elsewhere is served."""
    from lms import create_app

    login(make_user())
    secret = create_token(client, "reader")
    limited = create_app({**app_config, "API_REFUSED_LIMIT": "5 per minute"})
    api = limited.test_client()
    scope_refusals = [api.get("/api/v1/users", headers=bearer(secret)).status_code for _ in range(8)]
    assert scope_refusals == [403] * 8 and api.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    guesses = [api.get("/api/v1/me", headers=bearer(f"lms_pat_guess{n}")).status_code for n in range(5)]
    assert guesses == [401] * 5
    blocked = api.get("/api/v1/me", headers=bearer(secret))
    body = problem_of(blocked, 429)
    assert "Too many requests with an unknown token from this address" in body["detail"]
    assert blocked.headers["Retry-After"] == "60"
    elsewhere = limited.test_client().get(
        "/api/v1/me", headers=bearer(secret), environ_base={"REMOTE_ADDR": "10.0.0.2"}
    )
    assert elsewhere.status_code == 200
    with limited.app_context():
        db.engine.dispose()
