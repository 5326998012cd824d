"""The access matrix: every endpoint, the status each kind of visitor must get, and no endpoint left out.

The visitors: anonymous, the learner who owns the records in the URL, another learner, the trainer an admin
assigned to the course in the URLs, a trainer of no course (the stranger) and an admin. Posts carry each
visitor's own valid CSRF token and data that changes nothing where the visitor is allowed, so that the status
says only who may reach the endpoint.
"""

import pytest

from tests.conftest import csrf_token_from
from tests.helpers import assign_trainer
from tests.test_badges_issuing import FIRST_MODULE, earn_first_badge, sync_course

ROLES = ("anonymous", "owner", "other", "trainer", "stranger", "admin")
SIGNED_IN = {"owner": 200, "other": 200, "trainer": 200, "stranger": 200, "admin": 200}
TO_LOGIN = 302  # anonymous visitors are sent to sign in
PUBLIC = dict.fromkeys(ROLES, 200)


def everyone_signed_in(status: int, anonymous: int = TO_LOGIN) -> dict:
    """The same status for every signed-in visitor."""
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, status)}


def only(roles: tuple, allowed: int, refused: int = 403) -> dict:
    """`allowed` for the given roles, `refused` for the other signed-in visitors, sign-in for anonymous."""
    return {"anonymous": TO_LOGIN, **{role: allowed if role in roles else refused for role in SIGNED_IN}}


def owner_only(allowed: int) -> dict:
    """The owner's records: anyone else gets the same 404 as for a missing record."""
    return {"anonymous": TO_LOGIN, "owner": allowed, "other": 404, "trainer": 404, "stranger": 404, "admin": 404}


def matrix(ids: dict) -> list[tuple[str, str, str, dict, dict]]:
    """(endpoint, method, path, form data, status by visitor), in the order they are requested."""
    course, module, lesson = ids["course"], ids["module"], ids["lesson"]
    award, badge, quiz = ids["award"], ids["badge"], ids["quiz"]
    lesson_path = f"/courses/{course}/{module}/{lesson}"
    question, new_question = ids["question"], f"/author/quizzes/{quiz}/questions/new?type=single_choice"
    return [
        ("static", "GET", "/static/css/app.css", {}, PUBLIC),
        ("main.index", "GET", "/", {}, {"anonymous": 200, **dict.fromkeys(SIGNED_IN, 302)}),
        ("main.dashboard", "GET", "/dashboard", {}, everyone_signed_in(200)),
        ("auth.login", "GET", "/login", {}, PUBLIC),
        ("auth.login", "POST", "/login", {"email": ""}, dict.fromkeys(ROLES, 400)),
        ("auth.forgot_password", "GET", "/forgot-password", {}, PUBLIC),
        ("auth.forgot_password", "POST", "/forgot-password", {"email": ""}, dict.fromkeys(ROLES, 400)),
        ("auth.reset_password", "GET", "/reset-password/not-a-token", {}, dict.fromkeys(ROLES, 400)),
        ("auth.reset_password", "POST", "/reset-password/not-a-token", {}, dict.fromkeys(ROLES, 400)),
        ("auth.confirm_email", "GET", "/confirm-email/not-a-token", {}, dict.fromkeys(ROLES, 400)),
        ("auth.accept_invitation", "GET", "/welcome/not-a-token", {}, dict.fromkeys(ROLES, 400)),
        ("auth.confirm_new_email", "GET", "/confirm-new-email/not-a-token", {}, dict.fromkeys(ROLES, 400)),
        ("auth.change_name", "POST", "/profile/name", {"display_name": ""}, everyone_signed_in(400)),
        (
            "auth.change_preferences",
            "POST",
            "/profile/preferences",
            {"time_zone": "Mars/Olympus"},
            everyone_signed_in(400),
        ),
        ("auth.change_email", "POST", "/profile/email", {"new_email": ""}, everyone_signed_in(400)),
        ("auth.accept_invitation", "POST", "/welcome/not-a-token", {}, dict.fromkeys(ROLES, 400)),
        ("admin.send_reset", "POST", f"/admin/users/{ids['other_id']}/reset", {}, only(("admin",), 303)),
        # The other learner was never invited: the admin is told so, back on the list.
        ("admin.resend_invitation", "POST", f"/admin/users/{ids['other_id']}/invitation", {}, only(("admin",), 303)),
        ("admin.set_active", "POST", f"/admin/users/{ids['other_id']}/active", {"active": "2"}, only(("admin",), 400)),
        ("auth.register", "GET", "/signup", {}, {"anonymous": 200, **dict.fromkeys(SIGNED_IN, 302)}),
        ("auth.register", "POST", "/signup", {"email": ""}, {"anonymous": 400, **dict.fromkeys(SIGNED_IN, 302)}),
        ("auth.profile", "GET", "/profile", {}, everyone_signed_in(200)),
        ("auth.profile", "POST", "/profile", {"current_password": ""}, everyone_signed_in(400)),
        ("admin.users", "GET", "/admin/users", {}, only(("admin",), 200)),
        ("admin.audit_log", "GET", "/admin/audit", {}, only(("admin",), 200)),
        ("admin.create_user", "POST", "/admin/users/new", {}, only(("admin",), 400)),
        (
            "admin.change_role",
            "POST",
            f"/admin/users/{ids['other_id']}/role",
            {"role": "emperor"},
            only(("admin",), 303),
        ),
        ("admin.cohort_list", "GET", "/admin/cohorts", {}, only(("admin",), 200)),
        ("admin.settings", "GET", "/admin/settings", {}, only(("admin",), 200)),
        ("admin.settings", "POST", "/admin/settings", {"reminder_days": "two"}, only(("admin",), 400)),
        ("admin.cohort_list", "POST", "/admin/cohorts", {"name": ""}, only(("admin",), 400)),
        ("admin.cohort", "GET", f"/admin/cohorts/{ids['cohort']}", {}, only(("admin",), 200)),
        ("admin.cohort", "POST", f"/admin/cohorts/{ids['cohort']}", {"email": ""}, only(("admin",), 400)),
        # Another learner is not in the cohort; there is no cohort 999999: nothing changes.
        (
            "admin.remove_cohort_member",
            "POST",
            f"/admin/cohorts/{ids['cohort']}/members/{ids['other_id']}/remove",
            {},
            only(("admin",), 404),
        ),
        ("admin.rename_cohort", "POST", "/admin/cohorts/999999/rename", {"name": "Renamed"}, only(("admin",), 404)),
        ("admin.delete_cohort", "POST", "/admin/cohorts/999999/delete", {}, only(("admin",), 404)),
        (
            "reports.enrol_cohort",
            "POST",
            f"/reports/courses/{course}/enrol-cohort",
            {"cohort": "999999"},
            only(("admin",), 404),
        ),
        # A trainer of no course sees an empty list and an empty bank, and none of this course's quizzes.
        ("author.quizzes", "GET", "/author/quizzes", {}, only(("trainer", "stranger", "admin"), 200)),
        ("author.quiz", "GET", f"/author/quizzes/{quiz}", {}, only(("trainer", "admin"), 200)),
        ("author.quiz", "POST", f"/author/quizzes/{quiz}", {"gift_text": ""}, only(("trainer", "admin"), 400)),
        ("author.export", "GET", f"/author/quizzes/{quiz}/export.gift", {}, only(("trainer", "admin"), 200)),
        ("author.export_questions", "GET", "/author/bank.gift", {}, only(("trainer", "stranger", "admin"), 200)),
        ("author.attempts_csv", "GET", f"/author/quizzes/{quiz}/attempts.csv", {}, only(("trainer", "admin"), 200)),
        ("author.attempts_xlsx", "GET", f"/author/quizzes/{quiz}/attempts.xlsx", {}, only(("trainer", "admin"), 200)),
        # A trainer of no course has nowhere to create a quiz.
        ("author.new_quiz", "GET", "/author/quizzes/new", {}, only(("trainer", "admin"), 200)),
        ("author.new_quiz", "POST", "/author/quizzes/new", {"title": ""}, only(("trainer", "admin"), 400)),
        ("author.quiz_settings", "GET", f"/author/quizzes/{quiz}/settings", {}, only(("trainer", "admin"), 200)),
        (
            "author.quiz_settings",
            "POST",
            f"/author/quizzes/{quiz}/settings",
            {"title": ""},
            only(("trainer", "admin"), 400),
        ),
        # The quiz is published already: publishing it again changes nothing.
        (
            "author.publish",
            "POST",
            f"/author/quizzes/{quiz}/publish",
            {"publish": "1"},
            only(("trainer", "admin"), 302),
        ),
        ("author.new_question", "GET", f"{new_question}", {}, only(("trainer", "admin"), 200)),
        ("author.new_question", "POST", f"{new_question}", {"stem": ""}, only(("trainer", "admin"), 400)),
        ("author.edit_question", "GET", f"/author/questions/{question}/edit", {}, only(("trainer", "admin"), 200)),
        (
            "author.edit_question",
            "POST",
            f"/author/questions/{question}/edit",
            {"stem": ""},
            only(("trainer", "admin"), 400),
        ),
        (
            "author.preview_question",
            "GET",
            f"/author/questions/{question}/preview",
            {},
            only(("trainer", "admin"), 200),
        ),
        (
            "author.preview_question",
            "POST",
            f"/author/questions/{question}/preview",
            {},
            only(("trainer", "admin"), 200),
        ),
        # The first question moved up stays where it is; a question of another quiz cannot be removed from this one.
        (
            "author.move_question",
            "POST",
            f"/author/quizzes/{quiz}/questions/{question}/move",
            {"direction": "up"},
            only(("trainer", "admin"), 302),
        ),
        ("author.bank", "GET", "/author/bank", {}, only(("trainer", "stranger", "admin"), 200)),
        ("author.marking", "GET", "/author/marking", {}, only(("trainer", "stranger", "admin"), 200)),
        # No answer has this id (the essay marking tests cover a real one, and who may mark it).
        ("author.mark", "POST", "/author/marking/999999", {"score": "1"}, only(("trainer", "stranger", "admin"), 404)),
        (
            "author.correct",
            "POST",
            "/author/marking/999999/correct",
            {"score": "1"},
            only(("trainer", "stranger", "admin"), 404),
        ),
        # A time allowance no form offers (7%): the course's trainer and admins reach the check, others are refused.
        (
            "author.time_allowance",
            "POST",
            f"/author/learners/{ids['owner_id']}/time-allowance",
            {"course_id": str(ids["course_id"]), "time_percent": "7"},
            only(("trainer", "admin"), 400),
        ),
        ("author.statistics", "GET", f"/author/quizzes/{quiz}/statistics", {}, only(("trainer", "admin"), 200)),
        ("author.history", "GET", f"/author/questions/{question}/history", {}, only(("trainer", "admin"), 200)),
        # Version 99 does not exist; the question is already in the quiz; target 0 is no quiz.
        (
            "author.restore",
            "POST",
            f"/author/questions/{question}/restore",
            {"version": "99"},
            only(("trainer", "admin"), 404),
        ),
        (
            "author.add_from_bank",
            "POST",
            f"/author/quizzes/{quiz}/questions/add",
            {"question_id": str(question)},
            only(("trainer", "admin"), 400),
        ),
        (
            "author.copy_or_move",
            "POST",
            f"/author/quizzes/{quiz}/questions/{question}/copy-or-move",
            {"target": "0"},
            only(("trainer", "admin"), 400),
        ),
        # Retired, then brought back at once: the question ends as it began.
        ("author.retire", "POST", f"/author/questions/{question}/retire", {}, only(("trainer", "admin"), 302)),
        ("author.unretire", "POST", f"/author/questions/{question}/unretire", {}, only(("trainer", "admin"), 302)),
        (
            "author.remove_question",
            "POST",
            f"/author/quizzes/{quiz}/questions/{ids['foreign_question']}/remove",
            {},
            only(("trainer", "admin"), 404),
        ),
        ("reports.dashboard", "GET", f"/reports/courses/{course}", {}, only(("trainer", "admin"), 200)),
        ("quizzes.readiness", "GET", f"/quizzes/readiness/{course}", {}, everyone_signed_in(200)),
        (
            "quizzes.cohort_readiness_page",
            "GET",
            f"/quizzes/readiness/{course}/cohort",
            {},
            only(("trainer", "admin"), 200),
        ),
        ("reports.learners", "GET", f"/reports/courses/{course}/learners", {}, only(("trainer", "admin"), 200)),
        ("reports.learners_csv", "GET", f"/reports/courses/{course}/learners.csv", {}, only(("trainer", "admin"), 200)),
        (
            "reports.learners_xlsx",
            "GET",
            f"/reports/courses/{course}/learners.xlsx",
            {},
            only(("trainer", "admin"), 200),
        ),
        ("courses.trainers", "GET", f"/courses/{course}/trainers", {}, only(("admin",), 200)),
        ("courses.trainers", "POST", f"/courses/{course}/trainers", {"email": ""}, only(("admin",), 400)),
        (
            "courses.remove_trainer",
            "POST",
            f"/courses/{course}/trainers/{ids['other_id']}/remove",
            {},
            only(("admin",), 404),
        ),
        ("badges.issuer", "GET", "/badges/issuer", {}, PUBLIC),
        ("badges.badge_class", "GET", f"/badges/classes/{badge}", {}, PUBLIC),
        ("badges.badge_image", "GET", f"/badges/classes/{badge}/image.svg", {}, PUBLIC),
        ("badges.assertion", "GET", f"/badges/assertions/{award}", {}, PUBLIC),
        ("badges.credential", "GET", f"/badges/assertions/{award}/credential", {}, PUBLIC),
        ("badges.credential_json", "GET", f"/badges/assertions/{award}/credential.json", {}, PUBLIC),
        ("badges.baked_image", "GET", f"/badges/assertions/{award}/image.png", {}, PUBLIC),
        ("badges.revocations", "GET", "/badges/revocations", {}, PUBLIC),
        ("badges.jwks", "GET", "/badges/jwks.json", {}, PUBLIC),
        ("badges.status_list", "GET", "/badges/status/revocation", {}, PUBLIC),
        ("badges.status_list_with_proof", "GET", "/badges/status/revocation.json", {}, PUBLIC),
        ("well_known.well_known_jwks", "GET", "/.well-known/jwks.json", {}, PUBLIC),
        ("badges.signing_keys", "GET", f"/badges/keys/{ids['signing_key']}", {}, PUBLIC),
        ("badges.signing_keys", "GET", "/badges/keys/", {}, dict.fromkeys(ROLES, 404)),
        ("badges.credential_issuer", "GET", "/badges/credential-issuer", {}, PUBLIC),
        ("badges.verify", "GET", f"/badges/verify/{award}", {}, PUBLIC),
        # A module's badge has no certificate, not even for its owner (a course badge's is in test_certificate).
        ("badges.certificate", "GET", f"/badges/assertions/{award}/certificate.pdf", {}, everyone_signed_in(404)),
        ("badges.mine", "GET", "/badges/mine", {}, everyone_signed_in(200)),
        ("badges.public_name_choice", "POST", "/badges/mine/name", {"shown_name": "x" * 81}, everyone_signed_in(400)),
        ("badges.admin", "GET", "/badges/admin/", {}, only(("admin",), 200)),
        ("badges.edit", "POST", f"/badges/admin/{badge}", {"description": ""}, only(("admin",), 400)),
        ("badges.revoke_award", "GET", f"/badges/admin/awards/{award}/revoke", {}, only(("admin",), 200)),
        ("badges.revoke_award", "POST", f"/badges/admin/awards/{award}/revoke", {"reason": ""}, only(("admin",), 400)),
        ("badges.reissue", "POST", "/badges/admin/reissue", {}, only(("admin",), 302)),
        ("courses.catalog", "GET", "/courses/", {}, everyone_signed_in(200)),
        ("courses.course", "GET", f"/courses/{course}", {}, everyone_signed_in(200)),
        ("courses.glossary", "GET", f"/courses/{course}/glossary", {}, everyone_signed_in(200)),
        ("courses.module", "GET", f"/courses/{course}/{module}", {}, everyone_signed_in(200)),
        ("courses.lesson", "GET", lesson_path, {}, everyone_signed_in(200)),
        ("courses.continue_course", "GET", f"/courses/{course}/continue", {}, everyone_signed_in(302)),
        # Not enrolled: a message and the lesson again (303); the owner's lesson is already done (302 onwards).
        (
            "courses.complete",
            "POST",
            f"{lesson_path}/complete",
            {},
            {"anonymous": TO_LOGIN, "owner": 302, "other": 303, "trainer": 303, "stranger": 303, "admin": 303},
        ),
        ("quizzes.quiz", "GET", f"/quizzes/{ids['open_quiz']}", {}, everyone_signed_in(200)),
        (
            "quizzes.start",
            "POST",
            f"/quizzes/{ids['open_quiz']}/start",
            {},
            {"anonymous": TO_LOGIN, "owner": 302, "other": 303, "trainer": 303, "stranger": 303, "admin": 303},
        ),
        ("quizzes.review", "GET", f"/quizzes/attempts/{ids['submitted']}/review", {}, owner_only(200)),
        # A learner's record and an attempt as recorded: the learner, the trainer of the course and admins.
        (
            "main.learner_record",
            "GET",
            f"/learners/{ids['owner_id']}/record",
            {},
            {"anonymous": TO_LOGIN, "owner": 200, "other": 404, "trainer": 200, "stranger": 404, "admin": 200},
        ),
        (
            "quizzes.attempt_record",
            "GET",
            f"/quizzes/attempts/{ids['submitted']}/record",
            {},
            {"anonymous": TO_LOGIN, "owner": 302, "other": 404, "trainer": 200, "stranger": 404, "admin": 200},
        ),
        ("quizzes.attempt", "GET", f"/quizzes/attempts/{ids['open']}", {}, owner_only(200)),
        ("quizzes.confirm_submit", "GET", f"/quizzes/attempts/{ids['open']}/confirm", {}, owner_only(200)),
        # The open attempt has no timed question: its owner gets a 404 from the step itself (tests/test_typing_test.py
        # has the owner's 200s).
        ("quizzes.question_step", "POST", f"/quizzes/attempts/{ids['open']}/questions/1/start", {}, owner_only(404)),
        ("quizzes.save", "POST", f"/quizzes/attempts/{ids['open']}/save", {}, owner_only(302)),
        ("quizzes.submit", "POST", f"/quizzes/attempts/{ids['open']}/submit", {}, owner_only(302)),
        ("courses.enrol_in", "POST", f"/courses/{course}/enrol", {}, everyone_signed_in(302)),
        ("api.openapi", "GET", "/api/v1/openapi.json", {}, PUBLIC),
        ("api.reference", "GET", "/api/v1/docs", {}, PUBLIC),
        ("api_tokens.tokens", "GET", "/profile/tokens/", {}, everyone_signed_in(200)),
        ("api_tokens.tokens", "POST", "/profile/tokens/", {"name": ""}, everyone_signed_in(400)),
        ("api_tokens.revoke", "POST", "/profile/tokens/2147483647/revoke", {}, everyone_signed_in(303)),
        # The API acts on a bearer token only: a signed-in browser's cookie gets every visitor the same 401.
        *((endpoint, method, path, {}, dict.fromkeys(ROLES, 401)) for endpoint, method, path, _ in api_matrix(ids)),
        ("auth.logout", "POST", "/logout", {}, dict.fromkeys(ROLES, 302)),
    ]


def api_matrix(ids: dict) -> list[tuple[str, str, str, dict]]:
    """(endpoint, method, path, status by visitor) for the API, each visitor calling with a token holding every
    scope their role may give one; the enrolment (a change) comes last."""
    course, user, submitted = ids["course"], ids["other_id"], ids["submitted"]
    learners_and_trainers = ("owner", "other", "trainer", "stranger")
    admin_only = {"anonymous": 401, **dict.fromkeys(learners_and_trainers, 403), "admin": 200}
    every_caller = {"anonymous": 401, **dict.fromkeys(SIGNED_IN, 200)}
    owner = {"anonymous": 401, "owner": 200, "other": 404, "trainer": 404, "stranger": 404, "admin": 404}
    return [
        ("api.me", "GET", "/api/v1/me", every_caller),
        ("api.users", "GET", "/api/v1/users", admin_only),
        ("api.user", "GET", f"/api/v1/users/{user}", admin_only),
        ("courses_api.user_enrolments", "GET", f"/api/v1/users/{ids['owner_id']}/enrolments", admin_only),
        ("api.cohorts", "GET", "/api/v1/cohorts", admin_only),
        ("api.cohort_members", "GET", f"/api/v1/cohorts/{ids['cohort']}/members", admin_only),
        ("courses_api.courses", "GET", "/api/v1/courses", every_caller),
        ("courses_api.course_structure", "GET", f"/api/v1/courses/{course}", every_caller),
        ("courses_api.my_enrolments", "GET", "/api/v1/me/enrolments", every_caller),
        ("courses_api.my_progress", "GET", f"/api/v1/me/courses/{course}/progress", owner),
        ("courses_api.learners", "GET", f"/api/v1/courses/{course}/learners", admin_only),
        ("quizzes_api.my_attempts", "GET", "/api/v1/me/attempts", every_caller),
        ("quizzes_api.my_attempt", "GET", f"/api/v1/me/attempts/{submitted}", owner),
        ("badges_api.my_badges", "GET", "/api/v1/me/badges", every_caller),
        (
            "courses_api.enrol_me",
            "POST",
            f"/api/v1/courses/{course}/enrolment",
            {"anonymous": 401, **dict.fromkeys(SIGNED_IN, 201)},
        ),
    ]


@pytest.fixture
def app_config(app_config):
    """Six visitors sign in from one address here: the per-address sign-in limit is not what this tests."""
    return {**app_config, "LOGIN_RATE_LIMIT": "1000 per minute"}


@pytest.fixture
def visitors(app, make_user, login):
    """A client per kind of visitor, and the ids the matrix needs (the owner holds a badge and an open attempt)."""
    course = sync_course(app)
    owner = earn_first_badge(app, make_user, course)
    users = {
        "owner": owner,
        "other": make_user(),
        "trainer": make_user("trainer"),
        "stranger": make_user("trainer"),
        "admin": make_user("admin"),
    }
    assign_trainer(app, users["trainer"], course.id)
    clients = {"anonymous": app.test_client()}
    for role, user in users.items():
        clients[role] = login(user, app.test_client())
    second = list(course.modules.values())[1]
    owner_client = clients["owner"]
    token = csrf_token_from(owner_client.get(f"/quizzes/{second.quiz_id}").get_data(as_text=True))
    started = owner_client.post(f"/quizzes/{second.quiz_id}/start", data={"csrf_token": token})
    module = course.modules[FIRST_MODULE]
    ids = {
        "course": course.slug,
        "course_id": course.id,
        "module": module.slug,
        "lesson": module.lesson_slugs[0],
        "quiz": module.quiz_id,
        "open_quiz": second.quiz_id,
        "badge": module.badge_id,
        "award": owner["award"]["public_id"],
        "submitted": submitted_attempt(app, owner["id"], module.quiz_id),
        "open": int(started.headers["Location"].rsplit("/", 1)[1]),
        "other_id": users["other"]["id"],
        "owner_id": owner["id"],
        "cohort": new_cohort(app, users["admin"]),
        "question": first_question(app, module.quiz_id),
        "foreign_question": first_question(app, second.quiz_id),
        "signing_key": signing_key_thumbprint(app),
    }
    ids["users"] = {role: user["id"] for role, user in users.items()}
    return clients, ids


def signing_key_thumbprint(app) -> str:
    """The thumbprint that names the issuer's signing key (its `kid` ends with it)."""
    from badges import documents, signing

    with app.test_request_context():
        return signing.thumbprint(documents.issuer_key())


def new_cohort(app, admin: dict) -> int:
    """The id of a new, empty cohort."""
    from lms.cohorts import create_cohort
    from lms.extensions import db
    from lms.models import User

    with app.app_context():
        return create_cohort(db.session.get(User, admin["id"]), "Matrix cohort").id


def first_question(app, quiz_id: int) -> int:
    """The id of the quiz's first question."""
    from lms.extensions import db
    from quizzes.models import Quiz

    with app.app_context():
        return db.session.get(Quiz, quiz_id).items[0].question_id


def submitted_attempt(app, user_id: int, quiz_id: int) -> int:
    """The id of the learner's submitted attempt at the quiz."""
    from sqlalchemy import select

    from lms.extensions import db
    from quizzes.models import Attempt

    with app.app_context():
        return db.session.scalar(
            select(Attempt.id).where(
                Attempt.user_id == user_id, Attempt.quiz_id == quiz_id, Attempt.status == "submitted"
            )
        )


def test_every_endpoint_gives_each_visitor_the_status_the_matrix_says(app, visitors):
    clients, ids = visitors
    rows = matrix(ids)
    listed = {(endpoint, method) for endpoint, method, *_ in rows}
    served = {
        (rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served - listed == set(), "endpoints missing from the access matrix"
    assert listed - served == set(), "the matrix lists endpoints that do not exist"
    tokens = {role: csrf_token_from(client.get("/login").get_data(as_text=True)) for role, client in clients.items()}
    wrong = []
    for _endpoint, method, path, data, expected in rows:
        for role in ROLES:
            client = clients[role]
            if method == "GET":
                status = client.get(path).status_code
            else:
                status = client.post(path, data={**data, "csrf_token": tokens[role]}).status_code
            if status != expected[role]:
                wrong.append(f"{method} {path} as {role}: {status}, expected {expected[role]}")
    assert wrong == []


def test_every_api_endpoint_gives_each_token_holder_the_status_the_matrix_says(app, visitors):
    from lms.api.tokens import allowed_scopes, create_token
    from lms.extensions import db
    from lms.models import User

    clients, ids = visitors
    headers = {"anonymous": {}}
    with app.app_context():
        for role, user_id in ids["users"].items():
            user = db.session.get(User, user_id)
            headers[role] = {"Authorization": f"Bearer {create_token(user, role, list(allowed_scopes(user.role)))[1]}"}
    wrong = []
    for _endpoint, method, path, expected in api_matrix(ids):
        for role in ROLES:
            status = clients["anonymous"].open(path, method=method, headers=headers[role]).status_code
            if status != expected[role]:
                wrong.append(f"{method} {path} with {role}'s token: {status}, expected {expected[role]}")
    assert wrong == []
