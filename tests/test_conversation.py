"""The conversation over real HTTP, as a browser without JavaScript posts it: each reply is a button of the
attempt form, the server moves the conversation on, the page never holds a reply's points or where it leads, and
the review replays the conversation with what each reply earned or cost (before a pass, under a review that keeps
the key, the turns alone)."""

import html
import re

from tests.conftest import csrf_token_from
from tests.test_typing_test import exercise_lab, started_attempt
from tests.unit.test_conversation_grader import SCRIPT

CONVERSATION_FILE = [
    {"type": "conversation", "title": "talk-refund", "tags": ["skills/calls"], "stem": "Take the call.", **SCRIPT}
]


def talk_lab(app, tmp_path):
    """A course whose one module has a practice conversation as an exercise (review: practice, as the BPO
    course's conversations are)."""
    return exercise_lab(app, tmp_path, CONVERSATION_FILE, "practice-call", "Practice call", review="practice")


def retry_talk_lab(app, tmp_path):
    """The same conversation in an exercise whose review keeps the key until a pass (the pack's default)."""
    return exercise_lab(app, tmp_path, CONVERSATION_FILE, "practice-call", "Practice call")


def offered(page: str) -> dict[str, str]:
    """The reply buttons of an attempt page: their text and the value each posts."""
    buttons = re.findall(r'<button type="submit" name="reply" value="([^"]+)" class="reply">(.*?)</button>', page)
    return {html.unescape(label): value for value, label in buttons}


def reply(client, attempt_id, page: str, text: str):
    """Press the reply button with this text; the page the redirect leads to."""
    value = offered(page)[text]
    response = client.post(
        f"/quizzes/attempts/{attempt_id}/save", data={"csrf_token": csrf_token_from(page), "reply": value}
    )
    assert response.status_code == 303, response.text
    assert response.headers["Location"].endswith(f"/quizzes/attempts/{attempt_id}#question-1")
    return client.get(f"/quizzes/attempts/{attempt_id}").text


def test_a_learner_talks_through_a_conversation_with_the_forms_buttons_and_reads_the_replay(
    app, client, learner, tmp_path
):
    attempt_id, _token = started_attempt(app, client, learner, tmp_path, talk_lab, "practice-call")
    page = client.get(f"/quizzes/attempts/{attempt_id}").text
    assert "You charged me twice!" in page
    assert set(offered(page)) == {r["text"] for r in SCRIPT["steps"]["hello"]["replies"]}
    for secret in ("NOTE-good-open", "NOTE-bad-open", "hung-up", '"fix"', "empathy"):
        assert secret not in page

    page = reply(client, attempt_id, page, "Let me read your last bill to you.")
    assert "So will I get it back?" in page and "Let me read your last bill to you." in page
    page = reply(client, attempt_id, page, "Yes, refunded today. Anything else?")
    assert "Thanks, bye." in page and "The conversation has ended." in page
    assert offered(page) == {}

    submitted = client.post(f"/quizzes/attempts/{attempt_id}/submit", data={"csrf_token": csrf_token_from(page)})
    review = html.unescape(re.sub(r"<[^>]+>", " ", client.get(submitted.headers["Location"]).text))
    review = " ".join(review.split()).replace(" .", ".").replace(" ,", ",")
    assert "40%" in review  # empathy 1 of 2, verify 0 of 2, close 1 of 1
    assert "You: Let me read your last bill to you. −2 Verifies identity. NOTE-bad-open" in review
    assert "+1 Closes well, +1 Empathy" in review
    assert "Customer: Thanks, bye." in review
    # Practice shows every right answer after the submit: for a conversation, the replies that earn full marks.
    best = review.split("The replies that earn full marks", 1)
    assert len(best) == 2 and "NOTE-good-open" in best[1] and "NOTE-bad-open" not in best[1]


def test_before_a_pass_a_retry_review_replays_the_turns_without_what_each_reply_earned(app, client, learner, tmp_path):
    attempt_id, _token = started_attempt(app, client, learner, tmp_path, retry_talk_lab, "practice-call")
    page = client.get(f"/quizzes/attempts/{attempt_id}").text
    page = reply(client, attempt_id, page, "Let me read your last bill to you.")
    page = reply(client, attempt_id, page, "Yes, refunded today. Anything else?")
    submitted = client.post(f"/quizzes/attempts/{attempt_id}/submit", data={"csrf_token": csrf_token_from(page)})
    review = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", client.get(submitted.headers["Location"]).text)).split())

    assert "40%" in review and "what each reply earned shows once you have passed." in review
    assert "You: Let me read your last bill to you. Customer: So will I get it back?" in review
    for key in ("NOTE-bad-open", "NOTE-good-open", "Verifies identity", "Empathy", "−2", "+1", "earn full marks"):
        assert key not in review, key


def test_a_reply_no_page_offered_is_refused_and_one_after_the_end_is_explained(app, client, learner, tmp_path):
    attempt_id, token = started_attempt(app, client, learner, tmp_path, talk_lab, "practice-call")
    save = f"/quizzes/attempts/{attempt_id}/save"
    for forged in ("0:9", "0:x", "5:0", "x:0"):
        refused = client.post(save, data={"csrf_token": token, "reply": forged})
        assert refused.status_code in (400, 404), forged
    page = client.get(f"/quizzes/attempts/{attempt_id}").text
    page = reply(client, attempt_id, page, "Please hold.")
    assert "(The customer hangs up.)" in page
    late = client.post(save, data={"csrf_token": token, "reply": "0:0"})
    assert late.status_code == 303
    assert "This conversation has ended." in client.get(late.headers["Location"]).text


def test_another_learner_cannot_reply_in_someone_elses_conversation(app, client, learner, make_user, login, tmp_path):
    attempt_id, token = started_attempt(app, client, learner, tmp_path, talk_lab, "practice-call")
    other = app.test_client()
    login(make_user(), other)
    other_token = csrf_token_from(other.get("/dashboard").text)
    posted = other.post(f"/quizzes/attempts/{attempt_id}/save", data={"csrf_token": other_token, "reply": "0:0"})
    assert posted.status_code == 404
    assert "You charged me twice!" in client.get(f"/quizzes/attempts/{attempt_id}").text
    assert "You:" not in client.get(f"/quizzes/attempts/{attempt_id}").text


def test_submitting_a_conversation_halfway_asks_first(app, client, learner, tmp_path):
    """ "Submit answers" sits just under the reply buttons: pressed after one reply, it marked the talk at once as
    unfinished; it now asks first, as for an unanswered question, and a finished talk submits straight away."""
    attempt_id, _token = started_attempt(app, client, learner, tmp_path, talk_lab, "practice-call")
    page = client.get(f"/quizzes/attempts/{attempt_id}").text
    page = reply(client, attempt_id, page, "Let me read your last bill to you.")
    asked = client.post(
        f"/quizzes/attempts/{attempt_id}/save", data={"csrf_token": csrf_token_from(page), "submit": "1"}
    )
    assert asked.status_code == 303 and asked.headers["Location"] == f"/quizzes/attempts/{attempt_id}/confirm"
    confirm = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", client.get(asked.headers["Location"]).text)).split())
    assert "Submit before the call is done?" in confirm and "You have not finished the call" in confirm
    page = reply(
        client, attempt_id, client.get(f"/quizzes/attempts/{attempt_id}").text, "Yes, refunded today. Anything else?"
    )
    done = client.post(
        f"/quizzes/attempts/{attempt_id}/save", data={"csrf_token": csrf_token_from(page), "submit": "1"}
    )
    assert done.headers["Location"].endswith(f"/quizzes/attempts/{attempt_id}/review")
