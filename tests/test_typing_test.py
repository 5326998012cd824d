"""The typing test over real HTTP: the server times each run, pasted text fails, a finish claimed before the start
is refused, only the attempt's owner can post a step, and the result shows after the run and in the review.

The runs here are timed by the server's clock; to know a run's length without waiting for it, a test moves the
stored start back in the database, as a learner who pressed Start that long ago would have it.
"""

import json
from datetime import timedelta

import yaml
from sqlalchemy import select

from lms.extensions import db
from tests.conftest import csrf_token_from
from tests.test_quiz_attempts import enrol, start, sync

PASSAGE = (
    "Thank you for waiting. I have checked your order and the parcel left our depot this morning, "
    "so it should reach you by Friday. Your tracking number is TR-2093."
)
TYPING_FILE = [
    {
        "type": "typing",
        "title": "typing-parcel",
        "tags": ["skills/typing"],
        "stem": "Type the reply below.",
        "passage": PASSAGE,
        "min_net_wpm": 30,
        "min_accuracy": 95,
    }
]


def exercise_lab(app, tmp_path, questions: list, slug: str, title: str, more=(), roles=None, review=None):
    """A course whose one module has an exercise holding these questions (and the `more` exercises, each a
    (questions, slug, title)), each with this review policy (the pack's default when None); the course with its
    quiz ids by slug."""
    root = tmp_path / "pack"
    (root / "lessons").mkdir(parents=True)
    (root / "quizzes").mkdir()
    (root / "lessons" / "keys.md").write_text(
        "---\ntitle: Keys\nminutes: 3\nobjectives: [Type fast]\n---\nHome row first.\n", encoding="utf-8"
    )
    exercises = []
    for file_questions, file_slug, file_title in [(questions, slug, title), *more]:
        (root / "quizzes" / f"{file_slug}.yaml").write_text(yaml.safe_dump(file_questions), encoding="utf-8")
        exercises.append(
            {"slug": file_slug, "title": file_title, "file": f"quizzes/{file_slug}.yaml", "pass_mark": 100}
            | ({"review": review} if review else {})
        )
    manifest = {
        "slug": "practice-lab",
        "title": "Practice lab",
        "summary": "A course with an exercise.",
        "version": 1,
        "modules": [{"slug": "m1", "title": "Keys", "lessons": ["keys"], "exercises": exercises}],
        **({"roles": roles} if roles else {}),
    }
    (root / "course.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    return sync(app, root)


def typing_lab(app, tmp_path):
    """A course whose one module has a typing test as an exercise."""
    return exercise_lab(app, tmp_path, TYPING_FILE, "typing-test", "Typing test")


def started_attempt(app, client, learner, tmp_path, lab=typing_lab, slug="typing-test"):
    """A learner enrolled in a practice lab with an attempt at its exercise open: (attempt id, CSRF token)."""
    course = lab(app, tmp_path)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quizzes[slug])
    page = client.get(f"/quizzes/attempts/{attempt_id}")
    assert page.status_code == 200
    return attempt_id, csrf_token_from(page.text)


def step(client, attempt_id, token, name, **fields):
    """Post one timed step of question 1 as the page's script does."""
    return client.post(
        f"/quizzes/attempts/{attempt_id}/questions/1/{name}",
        data={"csrf_token": token, **fields},
        headers={"Accept": "application/json"},
    )


def stored_response(app, attempt_id) -> dict:
    """The timed question's response as the database holds it."""
    from quizzes.models import AttemptAnswer

    with app.app_context():
        answer = db.session.scalar(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id))
        return dict(answer.response) if answer else {}


def started_seconds_ago(app, attempt_id, seconds: float) -> None:
    """Move the run's start back, as if the learner had pressed Start that many seconds ago."""
    from quizzes.attempts import now
    from quizzes.models import AttemptAnswer

    with app.app_context():
        answer = db.session.scalar(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id))
        answer.response = {**answer.response, "started": (now() - timedelta(seconds=seconds)).isoformat()}
        db.session.commit()


def type_in_steps(client, attempt_id, token, text: str, size: int = 20) -> None:
    """Send the text as the page does while the learner types: a growing prefix at each progress save."""
    for end in range(size, len(text), size):
        assert step(client, attempt_id, token, "progress", text=text[:end]).status_code == 200


def finish_claim(app, attempt_id, seconds_after_start: float) -> str:
    """The finish time a browser claims: the server's start plus its own measure of the run."""
    from quizzes.types.timing import parse_time

    started = parse_time(stored_response(app, attempt_id)["started"])
    return (started + timedelta(seconds=seconds_after_start)).isoformat()


def test_a_typed_run_is_timed_by_the_server_and_graded(app, client, learner, tmp_path):
    attempt_id, token = started_attempt(app, client, learner, tmp_path)
    assert step(client, attempt_id, token, "start").status_code == 200
    started_seconds_ago(app, attempt_id, 50)
    typed = PASSAGE.replace("depot", "dpeot")  # one transposition: two characters wrong
    type_in_steps(client, attempt_id, token, typed)
    finished = step(client, attempt_id, token, "finish", text=typed, finished_at=finish_claim(app, attempt_id, 50))

    assert finished.status_code == 200, finished.text
    result = finished.get_json()
    assert result["met"] is True, result
    # 159 characters in 50 seconds (and a little more: the server's clock ran on while the test posted):
    # 38.2 gross words a minute, less two errors in 5/6 of a minute.
    summary = result["feedback"][0]
    gross = float(summary.split("(")[1].split(" gross")[0])
    net = float(summary.split(" net")[0])
    assert 37.5 <= gross <= 38.2 and abs(gross - 2.4 - net) < 0.2, summary
    assert "98.8% accuracy, 2 errors" in summary
    assert "“depot” typed as “dpeot”" in result["feedback"][1]
    assert stored_response(app, attempt_id)["finished_ms"] >= 50_000


def test_the_result_shows_on_the_attempt_page_and_in_the_review_after_submitting(app, client, learner, tmp_path):
    attempt_id, token = started_attempt(app, client, learner, tmp_path)
    step(client, attempt_id, token, "start")
    started_seconds_ago(app, attempt_id, 30)
    type_in_steps(client, attempt_id, token, PASSAGE)
    step(client, attempt_id, token, "finish", text=PASSAGE, finished_at=finish_claim(app, attempt_id, 30))

    page = client.get(f"/quizzes/attempts/{attempt_id}").text
    assert "Your last run meets the standard." in page
    assert "Try again" in page and "100% accuracy, 0 errors" in page
    submitted = client.post(f"/quizzes/attempts/{attempt_id}/submit", data={"csrf_token": token})
    assert submitted.status_code == 302
    review = client.get(submitted.headers["Location"]).text
    assert "100%" in review and "Passed" in review
    assert "net words a minute" in review and "100% accuracy" in review


def test_pasting_the_passage_does_not_pass_even_after_a_plausible_wait(app, client, learner, tmp_path):
    attempt_id, token = started_attempt(app, client, learner, tmp_path)
    step(client, attempt_id, token, "start")
    started_seconds_ago(app, attempt_id, 90)  # long enough for 22 words a minute if it had been typed
    step(client, attempt_id, token, "progress", text="Thank you")
    finished = step(client, attempt_id, token, "finish", text=PASSAGE, finished_at=finish_claim(app, attempt_id, 90))

    assert finished.status_code == 200
    assert finished.get_json()["met"] is False
    assert "counts as pasted" in finished.get_json()["feedback"][0]
    submitted = client.post(f"/quizzes/attempts/{attempt_id}/submit", data={"csrf_token": token})
    review = client.get(submitted.headers["Location"]).text
    assert "0%" in review and "Not passed yet" in review


def test_a_finish_claimed_before_the_start_is_refused_and_the_run_stays_open(app, client, learner, tmp_path):
    attempt_id, token = started_attempt(app, client, learner, tmp_path)
    step(client, attempt_id, token, "start")
    type_in_steps(client, attempt_id, token, PASSAGE)
    refused = step(client, attempt_id, token, "finish", text=PASSAGE, finished_at=finish_claim(app, attempt_id, -5))

    assert refused.status_code == 400
    assert "before the test started" in refused.get_json()["error"]
    assert stored_response(app, attempt_id).get("finished_ms") is None


def test_steps_out_of_order_or_malformed_are_refused_with_a_message(app, client, learner, tmp_path):
    attempt_id, token = started_attempt(app, client, learner, tmp_path)
    too_soon = step(client, attempt_id, token, "finish", text=PASSAGE, finished_at="2026-01-01T00:00:00+00:00")
    assert too_soon.status_code == 409 and "Press Start first" in too_soon.get_json()["error"]
    assert step(client, attempt_id, token, "progress", text="Thank").status_code == 409
    step(client, attempt_id, token, "start")
    for claim in ("soon", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):  # the last two: past UTC's ends
        unreadable = step(client, attempt_id, token, "finish", text=PASSAGE, finished_at=claim)
        assert unreadable.status_code == 400 and "could not be read" in unreadable.get_json()["error"]
    assert step(client, attempt_id, token, "stop").status_code == 404
    expired = step(client, attempt_id, "not-a-token", "progress", text="Thank")
    assert expired.status_code == 400 and "expired" in expired.get_json()["message"]


def test_only_the_attempts_owner_can_post_a_step(app, client, learner, make_user, login, tmp_path):
    attempt_id, token = started_attempt(app, client, learner, tmp_path)
    other = app.test_client()
    login(make_user(), other)
    other_token = csrf_token_from(other.get("/dashboard").text)
    assert step(other, attempt_id, other_token, "start").status_code == 404
    assert stored_response(app, attempt_id) == {}
    assert step(client, attempt_id, token, "start").status_code == 200


def test_the_answer_form_cannot_write_the_typing_response(app, client, learner, tmp_path):
    """The timed box has no form field: a run posted with the other answers is not read."""
    attempt_id, token = started_attempt(app, client, learner, tmp_path)
    forged = {"started": "2026-01-01T00:00:00+00:00", "marks": [], "finished_ms": 60_000, "text": PASSAGE}
    client.post(f"/quizzes/attempts/{attempt_id}/save", data={"csrf_token": token, "q0": json.dumps(forged)})
    assert stored_response(app, attempt_id) == {}
