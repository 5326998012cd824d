"""Taking a quiz: submitting with unanswered questions asks first (without JavaScript too), a number typed as a
word is refused beside its question and stays editable, and questions can be flagged to come back to."""

import re

from tests import test_quiz_attempts as attempts
from tests.conftest import csrf_token_from
from tests.helpers import page_text

NUMBERS_GIFT = """$CATEGORY: lab/numbers

::count::How many working days are in a standard office week? {#5}

::sky::The sky on a clear day is green. {F}

::city::Which city is the capital of France? {=Paris ~Lyon ~Marseille}
"""


def lab_attempt(app, client, learner, tmp_path) -> tuple[int, dict]:
    """A started attempt at the three-question lab quiz; its id and each question's field name by title."""
    course = attempts.one_module_lab(app, tmp_path, gift=NUMBERS_GIFT, review="practice")
    attempts.enrol(app, learner["id"], course.id)
    attempt_id = attempts.start(client, course.quiz_id)
    fields = {title: f"q{attempts.slot_of(app, attempt_id, title)}" for title in ("count", "sky", "city")}
    return attempt_id, fields


def form_of(client, attempt_id: int) -> dict:
    """The attempt page's CSRF token, as form data to build on."""
    page = client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    return {"csrf_token": csrf_token_from(page)}


def test_submitting_with_unanswered_questions_asks_first_and_keeps_the_answers(app, client, learner, tmp_path):
    attempt_id, fields = lab_attempt(app, client, learner, tmp_path)
    data = {**form_of(client, attempt_id), fields["count"]: "5", "submit": "1"}
    posted = client.post(f"/quizzes/attempts/{attempt_id}/save", data=data)
    # The question is a page of its own, so Back from the result returns to it without resending a form.
    assert posted.status_code == 303 and posted.headers["Location"] == f"/quizzes/attempts/{attempt_id}/confirm"
    asked = client.get(posted.headers["Location"])
    assert asked.status_code == 200
    text = page_text(asked)
    numbers = sorted(int(fields[t][1:]) + 1 for t in ("sky", "city"))
    assert "Submit with 2 unanswered questions?" in text
    assert re.search(rf"not taken to its end, question {numbers[0]}\s*,\s*question {numbers[1]}\s*\.", text)
    attempt, answers = attempts.attempt_row(app, attempt_id)
    assert attempt.status == "open"  # nothing submitted yet
    assert answers[int(fields["count"][1:])].response == {"text": "5"}  # the answer given is saved

    # "Go back" leads to the first unanswered question; "Submit anyway" submits what was saved.
    assert f'href="/quizzes/attempts/{attempt_id}#question-{numbers[0]}"' in asked.get_data(as_text=True)
    confirm = {"csrf_token": csrf_token_from(asked.get_data(as_text=True)), "unanswered": "confirmed"}
    done = client.post(f"/quizzes/attempts/{attempt_id}/submit", data=confirm)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/quizzes/attempts/{attempt_id}/review")
    attempt, answers = attempts.attempt_row(app, attempt_id)
    assert attempt.status == "submitted" and round(attempt.score) == 33  # one of three, from the saved answer
    # Back to the question page once submitted: the result, not a second submit.
    assert client.get(posted.headers["Location"]).headers["Location"].endswith(f"/attempts/{attempt_id}/review")


def test_every_question_answered_submits_at_once(app, client, learner, tmp_path):
    attempt_id, fields = lab_attempt(app, client, learner, tmp_path)
    page = client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    reader = attempts.FormReader(page)
    data = {
        "csrf_token": csrf_token_from(page),
        fields["count"]: "5",
        fields["sky"]: reader.value(fields["sky"], "False"),
        fields["city"]: reader.value(fields["city"], "Paris"),
        "submit": "1",
    }
    done = client.post(f"/quizzes/attempts/{attempt_id}/save", data=data)
    assert done.status_code == 302 and done.headers["Location"].endswith("/review")
    assert attempts.attempt_row(app, attempt_id)[0].score == 100


def test_a_number_typed_as_a_word_is_refused_beside_its_question_and_stays_editable(app, client, learner, tmp_path):
    attempt_id, fields = lab_attempt(app, client, learner, tmp_path)
    count = fields["count"]
    for action in ({"submit": "1"}, {}):  # submitting, or only saving
        response = client.post(
            f"/quizzes/attempts/{attempt_id}/save", data={**form_of(client, attempt_id), count: "five", **action}
        )
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert re.search(rf'id="{count}-error">“five” is not a number\. Enter a number', page)
        assert 'value="five"' in page and 'aria-invalid="true"' in page  # what was typed, to correct
        assert "needs correcting before you submit" in page_text(response)
        attempt, answers = attempts.attempt_row(app, attempt_id)
        assert attempt.status == "open" and attempt.score is None  # not graded
        assert answers[int(count[1:])].response == {"text": "five"}  # nothing typed is lost
    autosaved = client.post(
        f"/quizzes/attempts/{attempt_id}/save",
        data={**form_of(client, attempt_id), count: "two"},
        headers={"Accept": "application/json"},
    )
    assert autosaved.status_code == 200
    assert autosaved.json["problems"] == {
        str(int(count[1:]) + 1): "“two” is not a number. Enter a number, for example 42 or 3.5."
    }

    corrected = {**form_of(client, attempt_id), count: "5", "submit": "1", "unanswered": "confirmed"}
    assert client.post(f"/quizzes/attempts/{attempt_id}/save", data=corrected).status_code == 302
    assert attempts.attempt_row(app, attempt_id)[0].status == "submitted"


def test_flagged_questions_are_kept_and_shown_in_the_navigator(app, client, learner, tmp_path):
    attempt_id, fields = lab_attempt(app, client, learner, tmp_path)
    sky = int(fields["sky"][1:]) + 1
    count = int(fields["count"][1:]) + 1
    data = {**form_of(client, attempt_id), fields["count"]: "5", "flag": [str(sky)]}
    assert client.post(f"/quizzes/attempts/{attempt_id}/save", data=data).status_code == 302
    page = client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    nav = re.search(r'<nav class="question-nav" aria-label="Questions">(.*?)</nav>', page, re.S).group(1)
    assert re.search(rf'id="nav-{count}" class="qnav qnav-answered">', nav)
    assert re.search(rf'id="nav-{sky}" class="qnav qnav-flagged">', nav)
    assert "1 of 3 answered, 1 flagged" in nav
    assert re.search(rf'name="flag" value="{sky}" id="flag-{sky}" checked', page)
    _attempt, answers = attempts.attempt_row(app, attempt_id)
    assert answers[sky - 1].flagged and not answers[count - 1].flagged
    # Unflagging it is kept too.
    assert client.post(f"/quizzes/attempts/{attempt_id}/save", data=form_of(client, attempt_id)).status_code == 302
    assert not attempts.attempt_row(app, attempt_id)[1][sky - 1].flagged
