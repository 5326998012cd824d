"""What a learner may see and reach: the answer key stays on the server until submission, another learner's
attempt is a 404, anonymous visitors are sent to sign in, learners cannot author, and each review policy shows
exactly what it promises."""

import re

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from tests.conftest import csrf_token_from
from tests.helpers import page_text
from tests.test_quiz_attempts import (
    EVERY_TYPE_GIFT,
    RIGHT,
    WRONG,
    FormReader,
    add_ordering,
    attempt_row,
    basic_answers,
    enrol,
    every_type_answers,
    new_client,
    one_module_lab,
    slot_of,
    start,
)

KEY_SECRETS = ("KEYMARK", "987654", "weight")


@pytest.fixture
def app_config(app_config):
    """Several log-ins per test from one address: no login rate limit here."""
    return {**app_config, "LOGIN_RATE_LIMIT": "1000 per minute"}


@pytest.fixture
def lab(app, tmp_path):
    """The basic one-module course."""
    return one_module_lab(app, tmp_path)


def leaks(response) -> list:
    """The parts of the answer key found anywhere in a response: body, attributes, scripts or headers."""
    seen = (response.get_data(as_text=True) + "\n" + str(response.headers)).lower()
    return [secret for secret in KEY_SECRETS if secret.lower() in seen]


def markers(html: str) -> set:
    """Every KEYMARK string on a page."""
    return set(re.findall(r"KEYMARK-[a-z]+-[a-z-]*[a-z]", html))


# ---------------------------------------------------------------------------------------------- the key


def test_the_answer_key_never_leaves_the_server_before_submission(app, client, learner, tmp_path):
    course = one_module_lab(app, tmp_path, gift=EVERY_TYPE_GIFT, review="practice", time_limit_minutes=30)
    add_ordering(app, course.quiz_id)
    enrol(app, learner["id"], course.id)
    checked = []

    def check(response, what):
        assert response.status_code < 500, (what, response.status_code)
        assert leaks(response) == [], f"{what} leaks {leaks(response)}"
        checked.append(what)
        return response

    quiz_page = check(client.get(f"/quizzes/{course.quiz_id}"), "quiz page")
    started = check(
        client.post(f"/quizzes/{course.quiz_id}/start", data={"csrf_token": csrf_token_from(quiz_page.text)}), "start"
    )
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
    page = check(client.get(f"/quizzes/attempts/{attempt_id}"), "attempt page")
    assert "Question 8 of 8" in page.text  # every type is on the page...
    for shown in ("Blue", "Green", "Two", "Three", "Meow", "Woof", "Position of Have breakfast"):
        assert shown in page.text  # ...with the options learners must see
    check(client.get(f"/quizzes/{course.quiz_id}"), "quiz page while the attempt is open")
    check(
        client.post(f"/quizzes/{course.quiz_id}/start", data={"csrf_token": csrf_token_from(quiz_page.text)}), "resume"
    )
    check(client.get(f"/quizzes/attempts/{attempt_id}/review"), "review before submission")
    for scripts in re.findall(r'<script src="([^"]+)"', page.text):
        check(client.get(scripts), f"script {scripts}")
    assert "script /static/js/attempt.js" in checked

    wrong = every_type_answers(app, client, attempt_id, right=False)
    right = every_type_answers(app, client, attempt_id, right=True)
    # Typed answers come back in their boxes, so the right typed answers (which are the key) are left out here.
    typed = {f"q{slot_of(app, attempt_id, title)}": guess for title, guess in (("sa", "a guess"), ("num", "12"))}
    right_choices = {**right, **typed}
    # Autosave (the page's script) with wrong and with right answers: the JSON says when, never whether.
    for data in (wrong, right_choices):
        saved = check(
            client.post(f"/quizzes/attempts/{attempt_id}/save", data=data, headers={"Accept": "application/json"}),
            "autosave",
        )
        assert saved.status_code == 200 and set(saved.json) == {"saved_at"}
    # "Save answers" without script: the redirect and the page it leads to.
    saved = check(client.post(f"/quizzes/attempts/{attempt_id}/save", data=right_choices), "save")
    assert saved.status_code == 302
    reopened = check(client.get(saved.headers["Location"]), "attempt page after saving")
    assert "Your answers are saved." in reopened.text
    # A broken form and a question that does not exist answer with a message, not the key.
    sc = f"q{slot_of(app, attempt_id, 'sc')}"
    check(client.post(f"/quizzes/attempts/{attempt_id}/save", data={**right_choices, sc: "99"}), "bad answer")
    check(
        client.post(f"/quizzes/attempts/{attempt_id}/save", data={**right_choices, "check": "42"}),
        "check of a missing question",
    )
    check(
        client.post(
            f"/quizzes/attempts/{attempt_id}/save",
            data={**right_choices, sc: "99"},
            headers={"Accept": "application/json"},
        ),
        "bad autosave",
    )
    attempt, _ = attempt_row(app, attempt_id)
    assert attempt.status == "open"

    # After submission the practice review does show the key: the markers were there to be found all along.
    submitted = client.post(f"/quizzes/attempts/{attempt_id}/submit", data=right, follow_redirects=True)
    assert submitted.request.path == f"/quizzes/attempts/{attempt_id}/review"
    assert {
        "KEYMARK-sc-right",
        "KEYMARK-mr-two",
        "KEYMARK-tf-right",
        "KEYMARK-sa-feedback",
        "KEYMARK-num-right",
        "KEYMARK-match-general",
        "KEYMARK-order-general",
    } <= markers(submitted.text)
    assert attempt_row(app, attempt_id)[0].score == 100.0


def test_practice_check_shows_that_questions_feedback_only(app, client, learner, tmp_path):
    course = one_module_lab(app, tmp_path, gift=EVERY_TYPE_GIFT, review="practice")
    add_ordering(app, course.quiz_id)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    data = every_type_answers(app, client, attempt_id, right=False)
    sc = slot_of(app, attempt_id, "sc")

    response = client.post(f"/quizzes/attempts/{attempt_id}/save", data={**data, "check": str(sc)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#question-{sc + 1}")
    page = client.get(f"/quizzes/attempts/{attempt_id}")
    # The chosen answer's feedback and the explanation of this one question; nothing of the others.
    assert markers(page.text) == {"KEYMARK-sc-green", "KEYMARK-sc-general"}
    assert "Not right." in page.text and "weight" not in page.text.lower() and "987654" not in page.text
    section = re.search(rf'<section class="question" id="question-{sc + 1}".*?</section>', page.text, re.S).group()
    assert "disabled" in section and "Check answer" not in section  # the checked answer is final
    assert page.text.count("Check answer<") == 6  # every other graded question can still be checked

    # A checked answer stays as it was when the form is saved with another one.
    client.post(
        f"/quizzes/attempts/{attempt_id}/save", data={**data, f"q{sc}": FormReader(page.text).value(f"q{sc}", "Blue")}
    )
    _, answers = attempt_row(app, attempt_id)
    assert answers[sc].checked and answers[sc].score == 0.0


def test_check_answer_is_refused_outside_practice(app, client, learner, tmp_path):
    course = one_module_lab(app, tmp_path, review="exam", max_attempts=2)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    page = client.get(f"/quizzes/attempts/{attempt_id}")
    assert "Check answer" not in page.text
    response = client.post(
        f"/quizzes/attempts/{attempt_id}/save", data={**basic_answers(client, attempt_id, RIGHT), "check": "0"}
    )
    assert response.status_code == 409 and "only after you submit" in response.text
    assert "MARK-" not in response.text
    _, answers = attempt_row(app, attempt_id)
    assert not any(a.checked or a.feedback for a in answers.values())


# ---------------------------------------------------------------------------------------------- who may reach what


def test_another_learners_attempt_is_a_404_and_stays_unchanged(app, client, learner, make_user, login, lab):
    course = lab
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    mine = basic_answers(client, attempt_id, {"capital": "Lyon"})
    assert client.post(f"/quizzes/attempts/{attempt_id}/save", data=mine).status_code == 302
    before, saved = attempt_row(app, attempt_id)

    other = make_user()
    enrol(app, other["id"], course.id)
    intruder = new_client(app, login, other)
    own_attempt = start(intruder, course.quiz_id)
    token = csrf_token_from(intruder.get(f"/quizzes/attempts/{own_attempt}").text)
    answers = {"csrf_token": token, "q0": "0", "q1": "true"}
    missing = 999_999
    for target in (attempt_id, missing):
        requests = {
            "attempt page": intruder.get(f"/quizzes/attempts/{target}"),
            "review": intruder.get(f"/quizzes/attempts/{target}/review"),
            "save": intruder.post(f"/quizzes/attempts/{target}/save", data=answers),
            "autosave": intruder.post(
                f"/quizzes/attempts/{target}/save", data=answers, headers={"Accept": "application/json"}
            ),
            "check": intruder.post(f"/quizzes/attempts/{target}/save", data={**answers, "check": "0"}),
            "save and submit": intruder.post(f"/quizzes/attempts/{target}/save", data={**answers, "submit": "1"}),
            "submit": intruder.post(f"/quizzes/attempts/{target}/submit", data=answers),
        }
        assert {what: r.status_code for what, r in requests.items()} == {what: 404 for what in requests}, target
        assert all("Lyon" not in r.text and "Paris" not in r.text for r in requests.values())

    after, kept = attempt_row(app, attempt_id)
    assert (
        (after.status, after.score, after.submitted_at)
        == ("open", None, None)
        == (before.status, before.score, before.submitted_at)
    )
    assert {slot: a.response for slot, a in kept.items()} == {slot: a.response for slot, a in saved.items()}
    assert attempt_row(app, own_attempt)[0].status == "open"  # the intruder's own attempt was not touched either
    # The owner still works on it normally.
    assert client.get(f"/quizzes/attempts/{attempt_id}").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(app, client, learner, lab):
    course = lab
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    stranger = app.test_client()
    token = csrf_token_from(stranger.get("/login").text)
    data = {"csrf_token": token, "q0": "0", "q1": "true"}
    requests = {
        "quiz": stranger.get(f"/quizzes/{course.quiz_id}"),
        "start": stranger.post(f"/quizzes/{course.quiz_id}/start", data={"csrf_token": token}),
        "attempt": stranger.get(f"/quizzes/attempts/{attempt_id}"),
        "review": stranger.get(f"/quizzes/attempts/{attempt_id}/review"),
        "save": stranger.post(f"/quizzes/attempts/{attempt_id}/save", data=data),
        "submit": stranger.post(f"/quizzes/attempts/{attempt_id}/submit", data=data),
        "authoring": stranger.get("/author/quizzes"),
    }
    for what, response in requests.items():
        assert response.status_code == 302 and "/login?next=" in response.headers["Location"], what
    attempt, answers = attempt_row(app, attempt_id)
    assert attempt.status == "open" and answers == {}


def test_a_learner_cannot_reach_the_authoring_pages(app, client, learner, lab):
    from quizzes.models import Question

    course = lab
    token = csrf_token_from(client.get(f"/quizzes/{course.quiz_id}").text)
    gift = "::sneaky::Is this imported? {T}"
    responses = {
        "list": client.get("/author/quizzes"),
        "quiz": client.get(f"/author/quizzes/{course.quiz_id}"),
        "import": client.post(f"/author/quizzes/{course.quiz_id}", data={"csrf_token": token, "gift_text": gift}),
        "export": client.get(f"/author/quizzes/{course.quiz_id}/export.gift"),
    }
    assert {what: r.status_code for what, r in responses.items()} == {what: 403 for what in responses}
    assert "MARK-" not in responses["export"].text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Question)) == 2
    assert "/author/" not in client.get("/dashboard").text  # and the navigation does not offer them


# ---------------------------------------------------------------------------------------------- review policies


def submit_basic(client, quiz_id, choices):
    """Start, answer and submit BASIC_GIFT; the review page."""
    attempt_id = start(client, quiz_id)
    response = client.post(
        f"/quizzes/attempts/{attempt_id}/submit", data=basic_answers(client, attempt_id, choices), follow_redirects=True
    )
    assert response.request.path == f"/quizzes/attempts/{attempt_id}/review"
    return attempt_id, response.text


def test_practice_review_shows_right_answers_and_feedback(app, client, learner, tmp_path):
    course = one_module_lab(app, tmp_path, review="practice")
    enrol(app, learner["id"], course.id)
    _, review = submit_basic(client, course.quiz_id, {"capital": "Lyon", "sky": "False"})
    assert "50%" in review and "Not passed yet" in review
    assert "Your answer: Lyon." in review and "Right answer: Paris." in review
    assert {"MARK-capital-lyon", "MARK-capital-general", "MARK-sky-right", "MARK-sky-general"} <= set(
        re.findall(r"MARK-[a-z]+-[a-z]+", review)
    )
    assert "MARK-capital-right" not in review  # feedback is for the answer given
    page = client.get(f"/quizzes/{course.quiz_id}").text
    assert "Try again" in page  # practice: retry freely


def test_exam_review_shows_the_score_and_topics_until_a_pass_even_with_every_attempt_used(
    app, client, learner, tmp_path
):
    course = one_module_lab(app, tmp_path, review="exam", max_attempts=2)
    enrol(app, learner["id"], course.id)
    first, review = submit_basic(client, course.quiz_id, WRONG)
    assert "0%" in review and "Not passed yet" in review
    assert "Lessons to revisit" in review and f"/courses/{course.slug}/m1/m1-read" in review
    for hidden in ("MARK-", "Right answer", "Your answer", "Paris", "Lyon", "Question 1"):
        assert hidden not in review, hidden

    second, review = submit_basic(client, course.quiz_id, WRONG)  # the last attempt, failed: still no key
    for hidden in ("MARK-", "Right answer", "Your answer", "Paris", "Lyon", "Question 1"):
        assert hidden not in review, hidden
    assert "MARK-" not in client.get(f"/quizzes/attempts/{first}/review").text
    assert "You have used all 2 attempts of this quiz." in client.get(f"/quizzes/{course.quiz_id}").text


def test_exam_review_shows_everything_once_passed(app, client, learner, tmp_path):
    course = one_module_lab(app, tmp_path, review="exam", max_attempts=3)
    enrol(app, learner["id"], course.id)
    first, _ = submit_basic(client, course.quiz_id, WRONG)
    second, review = submit_basic(client, course.quiz_id, RIGHT)
    assert "100%" in review and "Passed" in review and "Lessons to revisit" not in review
    # Not the policy's promise of answers "once you have passed": they are here.
    assert "You have passed this quiz, so each right answer shows below." in review
    assert "show once you have passed" not in review
    for shown in ("MARK-capital-right", "MARK-sky-right", "MARK-capital-general", "Your answer: Paris."):
        assert shown in review, shown
    earlier = client.get(f"/quizzes/attempts/{first}/review").text  # now the first attempt can be reviewed in full too
    assert "Right answer: Paris." in earlier and "MARK-capital-lyon" in earlier and "MARK-sky-wrong" in earlier


def test_the_api_shows_an_exams_marks_only_where_its_review_does(app, client, learner, tmp_path):
    from tests.test_api import bearer, create_token

    course = one_module_lab(app, tmp_path, review="exam", max_attempts=3)
    enrol(app, learner["id"], course.id)
    secret = create_token(client)
    api = app.test_client()

    def marks(attempt_id):
        detail = api.get(f"/api/v1/me/attempts/{attempt_id}", headers=bearer(secret))
        assert detail.status_code == 200
        return [(q["answered"], q["mark"]) for q in detail.get_json()["questions"]]

    first, review = submit_basic(client, course.quiz_id, {"capital": "Lyon", "sky": "False"})  # one right of two
    assert "Not passed yet" in review and "Question 1" not in review
    assert marks(first) == [(True, None), (True, None)], "the review shows nothing per question before a pass"

    second, _review = submit_basic(client, course.quiz_id, RIGHT)
    assert marks(first) == [(True, 0.0), (True, 1.0)] and marks(second) == [(True, 1.0), (True, 1.0)]


def test_retry_without_key_shows_the_missed_questions_with_the_learners_answers_never_the_key(
    app, client, learner, tmp_path
):
    course = one_module_lab(app, tmp_path, review="retry_without_key")
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    page = client.get(f"/quizzes/attempts/{attempt_id}").text
    assert "Check answer" not in page
    client.post(
        f"/quizzes/attempts/{attempt_id}/submit",
        data=basic_answers(client, attempt_id, {"capital": "Lyon", "sky": "False"}),
    )
    response = client.get(f"/quizzes/attempts/{attempt_id}/review")
    review, text = response.text, page_text(response)
    assert "Question 1: not right" in text and "Which city is the capital of France?" in text
    assert "Your answer: Lyon." in text
    assert "the sky on a clear day is green" not in text  # answered right: not among the questions missed
    assert "Lessons to revisit" in text and f"/courses/{course.slug}/m1/m1-read" in review
    for hidden in ("MARK-", "Right answer", "Paris", "Marseille"):
        assert hidden not in review, hidden

    # Once passed, the key shows: on this attempt and on the earlier one.
    _, review = submit_basic(client, course.quiz_id, RIGHT)
    assert "Passed" in review and "MARK-capital-right" in review and "Your answer: Paris." in review
    earlier = client.get(f"/quizzes/attempts/{attempt_id}/review").text
    assert "Right answer: Paris." in earlier
    assert "Try again" in client.get(f"/quizzes/{course.quiz_id}").text


def test_an_open_exam_attempt_hides_the_key_of_every_earlier_attempt(app, client, learner, tmp_path):
    """After two of three exam attempts, starting the third must not show their keys while its timer runs."""
    course = one_module_lab(app, tmp_path, review="exam", max_attempts=3, time_limit_minutes=20)
    enrol(app, learner["id"], course.id)
    first, _ = submit_basic(client, course.quiz_id, WRONG)
    second, _ = submit_basic(client, course.quiz_id, WRONG)
    third = start(client, course.quiz_id)
    for earlier in (first, second):
        review = client.get(f"/quizzes/attempts/{earlier}/review").text
        assert "MARK-" not in review and "Right answer" not in review and "Paris" not in review, earlier
    answers = basic_answers(client, third, RIGHT)
    assert client.post(f"/quizzes/attempts/{third}/submit", data=answers).status_code == 302
    # Every attempt is used and none is open: now the key may be shown.
    assert "Right answer: Paris." in client.get(f"/quizzes/attempts/{first}/review").text


def test_a_practice_review_hides_the_key_while_a_new_attempt_is_open(app, client, learner, tmp_path):
    course = one_module_lab(app, tmp_path, review="practice")
    enrol(app, learner["id"], course.id)
    first, review = submit_basic(client, course.quiz_id, WRONG)
    assert "Right answer: Paris." in review
    start(client, course.quiz_id)
    review = client.get(f"/quizzes/attempts/{first}/review").text
    assert "Question 1: not right" in review
    assert "MARK-" not in review and "Right answer" not in review and "Paris" not in review
