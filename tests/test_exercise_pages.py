"""A quiz that asks one whole exercise (a typing test, a drill, a practice call) speaks of that exercise: its quiz
page gives its standard or rubric where a quiz says "1 question; pass mark 100%", its attempt page has no question
navigator, and its review words the result as the exercise measures it ("Standard not met (62% of it)") rather
than "Partly right"."""

import re

from tests.conftest import csrf_token_from
from tests.helpers import page_text
from tests.test_conversation import offered, reply, talk_lab
from tests.test_data_entry_drill import drill_lab
from tests.test_quiz_attempts import enrol, one_module_lab, start
from tests.test_typing_test import (
    PASSAGE,
    finish_claim,
    started_attempt,
    started_seconds_ago,
    step,
    type_in_steps,
    typing_lab,
)


def test_a_typing_tests_page_gives_its_standard_and_what_its_score_means(app, client, learner, tmp_path):
    course = typing_lab(app, tmp_path)
    enrol(app, learner["id"], course.id)
    page = page_text(client.get(f"/quizzes/{course.quizzes['typing-test']}"))

    assert (
        "A timed run, which you may repeat before you submit: the last one you finish counts. The standard: the "
        "passage typed at 30 net words a minute or faster, with at least 95% accuracy. Your score is the share of "
        "the standard you reach (100% means you met it). To pass, meet the standard."
    ) in page
    assert "1 question" not in page and "pass mark" not in page
    assert "which questions you got wrong" not in page
    assert "Retry: after each run you see its figures, the slips to practice and the lessons to revisit." in page
    assert "Start the typing test" in page and "Start the quiz" not in page


def test_a_drills_page_gives_its_standard(app, client, learner, tmp_path):
    course = drill_lab(app, tmp_path)
    enrol(app, learner["id"], course.id)
    page = page_text(client.get(f"/quizzes/{course.quizzes['data-entry-drill']}"))

    assert "The standard: every record keyed with at least 85% of fields right" in page
    assert "Start the drill" in page and "1 question" not in page


def test_a_run_short_of_the_standard_is_reviewed_as_such(app, client, learner, tmp_path):
    attempt_id, token = started_attempt(app, client, learner, tmp_path)
    attempt = client.get(f"/quizzes/attempts/{attempt_id}").text
    assert '<h2 id="qh-1">The typing test</h2>' in attempt
    assert 'aria-label="Questions"' not in attempt and 'name="flag"' not in attempt  # nothing to move between
    step(client, attempt_id, token, "start")
    started_seconds_ago(app, attempt_id, 60)
    typed = PASSAGE.replace("depot", "dpeot").replace("Friday", "Firday")
    type_in_steps(client, attempt_id, token, typed)
    step(client, attempt_id, token, "finish", text=typed, finished_at=finish_claim(app, attempt_id, 60))

    submitted = client.post(f"/quizzes/attempts/{attempt_id}/submit", data={"csrf_token": token})
    review = page_text(client.get(submitted.headers["Location"]))
    # About 31.8 gross words a minute less four errors a minute: 27.8 net, 92.67% of the 30 asked; accuracy 97.5%.
    assert "Not passed yet (meet the standard to pass)." in review and "pass mark" not in review
    # The run's share of the standard, the same figure in the headline and in the verdict (the server's clock
    # runs on while the test posts its steps, so under 92.67%: by up to a tenth on a slow, busy machine, where
    # the posts take seconds; 92% was missed there by a busy run of the suite on PostgreSQL).
    headline = re.search(r"Result of attempt 1 ([\d.]+)% — ", review)
    verdict = re.search(r"Your typing test The typing test: standard not met \(([\d.]+)% of it\)", review)
    assert headline and verdict and headline.group(1) == verdict.group(1), review
    assert 83 < float(verdict.group(1)) <= 92.67
    assert "Partly right" not in review and "partly right" not in review
    assert "Retry: after each run you see its figures" in review


def test_a_practice_call_speaks_of_the_call_and_its_points(app, client, learner, tmp_path):
    course = talk_lab(app, tmp_path)
    enrol(app, learner["id"], course.id)
    quiz_page = page_text(client.get(f"/quizzes/{course.quizzes['practice-call']}"))
    assert (
        "One call: each reply you pick moves it on and earns or costs points on its rubric. To pass, earn 100% of "
        "the points."
    ) in quiz_page
    practice = "Practice: after you submit you see what each reply earned or cost and the replies that earn full marks."
    assert practice in quiz_page
    assert "Start the call" in quiz_page and "1 question" not in quiz_page

    attempt_id = start(client, course.quizzes["practice-call"])
    page = client.get(f"/quizzes/attempts/{attempt_id}").text
    assert '<h2 id="qh-1">The call</h2>' in page and offered(page)
    page = reply(client, attempt_id, page, "Let me read your last bill to you.")
    page = reply(client, attempt_id, page, "Yes, refunded today. Anything else?")
    submitted = client.post(f"/quizzes/attempts/{attempt_id}/submit", data={"csrf_token": csrf_token_from(page)})
    review = page_text(client.get(submitted.headers["Location"]))
    assert "The call Take the call. 40% of the points." in review  # empathy 1 of 2, verify 0 of 2, close 1 of 1
    assert "Back to the call" in review
    assert "Partly right" not in review


def test_a_quiz_of_one_ordinary_question_is_still_a_quiz(app, client, learner, tmp_path):
    course = one_module_lab(app, tmp_path, gift="::capital::Which city is the capital of France? {=Paris ~Lyon}\n")
    enrol(app, learner["id"], course.id, read=["m1-read"])
    quiz_page = page_text(client.get(f"/quizzes/{course.quiz_id}"))
    assert "1 question; pass mark 70%." in quiz_page and "Start the quiz" in quiz_page

    attempt = client.get(f"/quizzes/attempts/{start(client, course.quiz_id)}").text
    assert "Question 1 of 1" in attempt
    assert 'aria-label="Questions"' not in attempt and 'name="flag"' not in attempt


def test_a_call_submitted_halfway_says_it_was_not_finished(app, client, learner, tmp_path):
    course = talk_lab(app, tmp_path)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quizzes["practice-call"])
    page = reply(
        client, attempt_id, client.get(f"/quizzes/attempts/{attempt_id}").text, "Let me read your last bill to you."
    )
    submitted = client.post(
        f"/quizzes/attempts/{attempt_id}/submit",
        data={"csrf_token": csrf_token_from(page), "unanswered": "confirmed"},
    )
    review = page_text(client.get(submitted.headers["Location"]))
    assert "The call Take the call. 0% of the points (not finished)." in review, review


def test_an_exam_of_one_typing_test_speaks_of_the_run_before_and_after(app, client, learner, tmp_path):
    from tests.test_typing_test import TYPING_FILE, exercise_lab

    course = exercise_lab(app, tmp_path, TYPING_FILE, "typing-test", "Typing test", review="exam")
    enrol(app, learner["id"], course.id)
    quiz_page = page_text(client.get(f"/quizzes/{course.quizzes['typing-test']}"))
    exam = "Exam: after an attempt you see your score and the lessons to revisit; the figures of your run show once"
    assert exam in quiz_page and "The right answers show" not in quiz_page

    attempt_id = start(client, course.quizzes["typing-test"])
    page = client.get(f"/quizzes/attempts/{attempt_id}")
    submitted = client.post(
        f"/quizzes/attempts/{attempt_id}/submit",
        data={"csrf_token": csrf_token_from(page.text), "unanswered": "confirmed"},
    )
    review = page_text(client.get(submitted.headers["Location"]))  # the score only, until a pass
    assert exam in review and "Back to the typing test" in review and "Back to the quiz" not in review


def test_a_typing_run_stopped_partway_asks_before_submitting_and_says_so(app, client, learner, tmp_path):
    """A run over part of the passage scored the share typed and read "Standard not met (40% of it)", submitted
    without a second thought; a test with no run at all was submitted at once too."""
    attempt_id, token = started_attempt(app, client, learner, tmp_path)
    save = f"/quizzes/attempts/{attempt_id}/save"
    nothing_yet = client.post(save, data={"csrf_token": token, "submit": "1"})
    assert nothing_yet.headers["Location"] == f"/quizzes/attempts/{attempt_id}/confirm"

    step(client, attempt_id, token, "start")
    started_seconds_ago(app, attempt_id, 20)
    half = PASSAGE[: len(PASSAGE) // 2]
    step(client, attempt_id, token, "finish", text=half, finished_at=finish_claim(app, attempt_id, 20))
    asked = client.post(save, data={"csrf_token": token, "submit": "1"})
    assert asked.headers["Location"] == f"/quizzes/attempts/{attempt_id}/confirm"
    assert "Submit before the typing test is done?" in page_text(client.get(asked.headers["Location"]))
    submitted = client.post(
        f"/quizzes/attempts/{attempt_id}/submit", data={"csrf_token": token, "unanswered": "confirmed"}
    )
    review = page_text(client.get(submitted.headers["Location"]))
    assert re.search(r"The typing test: standard not met \([\d.]+% of it\) \(not finished\)", review), review
