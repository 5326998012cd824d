"""Essay questions: learners write them, trainers mark them from a queue, and the attempt's score, pass, module
completion and event follow the last mark, exactly once; through real HTTP and a real database."""

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from tests import test_quiz_attempts
from tests.conftest import csrf_token_from
from tests.helpers import assign_trainer, at_once, page_text
from tests.test_quiz_attempts import BASIC_GIFT, FormReader, enrol, named, one_module_lab, start

# The app of these tests records the events it dispatches (see tests.test_quiz_attempts).
events = test_quiz_attempts.events
app_config = test_quiz_attempts.app_config

ESSAY_GIFT = (
    BASIC_GIFT
    + """
::first-call::Describe how you would open your first call with an upset customer. {}

::second-essay::Describe how you would close that call. {}
"""
)


@pytest.fixture
def lab(app, tmp_path, make_user):
    """A one-module course whose quiz (pass mark 70) asks BASIC_GIFT's two questions and two essays; a trainer
    assigned to it and an enrolled learner, each with their own browser."""
    course = one_module_lab(app, tmp_path, gift=ESSAY_GIFT, pass_mark=70)
    course.trainer = make_user("trainer")
    course.learner = make_user()
    assign_trainer(app, course.trainer, course.id)
    enrol(app, course.learner["id"], course.id, read=["m1-read"])
    return course


@pytest.fixture
def trainer_client(app, login, lab):
    """The lab's trainer, signed in."""
    return login(lab.trainer, target=app.test_client())


@pytest.fixture
def learner_client(app, login, lab):
    """The lab's learner, signed in."""
    return login(lab.learner, target=app.test_client())


def submit(client, quiz_id, essays=("I greet them by name and listen first.", "I sum up and thank them.")):
    """Start an attempt, answer the two basic questions right and write the essays; submit. The attempt id."""
    attempt_id = start(client, quiz_id)
    page = client.get(f"/quizzes/attempts/{attempt_id}").text
    form = FormReader(page)
    data = {"csrf_token": csrf_token_from(page), "q0": form.value("q0", "Paris"), "q1": form.value("q1", "False")}
    data.update({"q2": essays[0], "q3": essays[1]})
    response = client.post(f"/quizzes/attempts/{attempt_id}/submit", data=data)
    assert response.status_code == 302, response.text
    return attempt_id


def attempt_state(app, attempt_id):
    """(score, passed, answers waiting for a mark) of an attempt, read fresh."""
    from quizzes.models import Attempt, AttemptAnswer

    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        waiting = db.session.scalars(
            select(AttemptAnswer.slot).where(AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.needs_marking)
        ).all()
        return attempt.score, attempt.passed, sorted(waiting)


def waiting_ids(app, attempt_id):
    """The ids of the attempt's answers waiting for a mark, by slot."""
    from quizzes.models import AttemptAnswer

    with app.app_context():
        rows = db.session.execute(
            select(AttemptAnswer.id)
            .where(AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.needs_marking)
            .order_by(AttemptAnswer.slot)
        )
        return [row.id for row in rows]


def mark(client, answer_id, score, comment=""):
    """Post a mark from the queue page."""
    token = csrf_token_from(client.get("/author/marking").text)
    return client.post(f"/author/marking/{answer_id}", data={"csrf_token": token, "score": score, "comment": comment})


def test_the_attempt_waits_for_the_last_mark_then_is_scored_once_and_the_learner_reads_the_comments(
    app, lab, trainer_client, learner_client, events
):
    attempt_id = submit(learner_client, lab.quiz_id)
    assert attempt_state(app, attempt_id) == (None, None, [2, 3])
    review = page_text(learner_client.get(f"/quizzes/attempts/{attempt_id}/review"))
    assert "A trainer is marking your written answers" in review
    # The two questions marked at once are right; the essays have no verdict yet, so not "every question right".
    assert "Every question marked so far is right; the written answers wait for their mark." in review
    assert "You got every question right" not in review
    assert "Waiting for a trainer's mark" in page_text(learner_client.get(f"/quizzes/{lab.quiz_id}"))
    assert named(events, "quiz.submitted") == [] and named(events, "module.completed") == []

    queue = page_text(trainer_client.get("/author/marking"))
    assert "I greet them by name and listen first." in queue and "I sum up and thank them." in queue
    first, second = waiting_ids(app, attempt_id)

    response = mark(trainer_client, first, "50", "Greet first, **then** listen: a good start.")
    assert "more answers waiting" in page_text(trainer_client.get(response.headers["Location"]))
    assert attempt_state(app, attempt_id) == (None, None, [3])
    assert named(events, "quiz.submitted") == []

    response = mark(trainer_client, second, "70")
    # (1 + 1 + 0.5 + 0.7) / 4 = 80 %, over the pass mark of 70.
    assert "The attempt is scored: 80%." in page_text(trainer_client.get(response.headers["Location"]))
    assert attempt_state(app, attempt_id) == (80.0, True, [])
    [submitted] = named(events, "quiz.submitted")
    assert (submitted["score"], submitted["passed"]) == (80.0, True)
    assert len(named(events, "module.completed")) == 1
    assert all(committed for name, _payload, committed in events if name == "quiz.submitted")

    review = learner_client.get(f"/quizzes/attempts/{attempt_id}/review")
    text = page_text(review)
    assert "80% — Passed." in text
    assert "Mark: 50%." in text and "Mark: 70%." in text
    assert "<strong>then</strong>" in review.text  # the comment is Markdown, like the question
    assert "Nothing is waiting for a mark." in page_text(trainer_client.get("/author/marking"))

    again = mark(trainer_client, first, "90")
    assert again.status_code == 409
    assert attempt_state(app, attempt_id) == (80.0, True, [])


def test_a_blank_essay_scores_nothing_and_waits_for_no_one(app, lab, learner_client):
    attempt_id = submit(learner_client, lab.quiz_id, essays=("", "   "))
    assert attempt_state(app, attempt_id) == (50.0, False, [])


def test_a_mark_out_of_range_is_explained_and_nothing_is_saved(app, lab, trainer_client, learner_client):
    attempt_id = submit(learner_client, lab.quiz_id)
    first, _second = waiting_ids(app, attempt_id)
    for bad, message in (
        ("150", "Give a mark from 0 to 100."),
        ("", "Give a mark from 0 to 100."),
        ("lots", "Not a valid decimal value."),
        ("NaN", "Give a mark from 0 to 100."),
        ("sNaN", "Give a mark from 0 to 100."),  # a signalling NaN, which comparing with the range would raise
        ("-Infinity", "Give a mark from 0 to 100."),
    ):
        response = mark(trainer_client, first, bad)
        assert response.status_code == 400
        assert message in page_text(response)
    assert attempt_state(app, attempt_id) == (None, None, [2, 3])


def test_practice_check_is_refused_for_an_essay(app, lab, learner_client):
    from lms.db import begin_write, commit
    from quizzes.models import Quiz

    with app.app_context():  # the trainer makes the quiz practice, which lets learners check answers as they go
        begin_write()
        quiz = db.session.get_one(Quiz, lab.quiz_id)
        quiz.review, quiz.counts_towards_completion = "practice", False
        commit()
    attempt_id = start(learner_client, lab.quiz_id)
    page = learner_client.get(f"/quizzes/attempts/{attempt_id}").text
    assert page.count('name="check"') == 2  # the two auto-graded questions only
    response = learner_client.post(
        f"/quizzes/attempts/{attempt_id}/save",
        data={"csrf_token": csrf_token_from(page), "q2": "My essay", "check": "2"},
    )
    assert response.status_code == 409
    assert attempt_state(app, attempt_id)[2] == []


def test_only_the_courses_trainers_reach_the_answers_and_every_mark_is_audited(
    app, lab, trainer_client, learner_client, make_user, login
):
    from lms.models import AuditEntry

    attempt_id = submit(learner_client, lab.quiz_id)
    first, second = waiting_ids(app, attempt_id)
    stranger = login(make_user("trainer"), target=app.test_client())
    assert "I greet them by name" not in stranger.get("/author/marking").text
    token = csrf_token_from(stranger.get("/author/marking").text)
    assert stranger.post(f"/author/marking/{first}", data={"csrf_token": token, "score": "100"}).status_code == 403
    token = csrf_token_from(learner_client.get("/profile").text)
    assert learner_client.get("/author/marking").status_code == 403
    assert (
        learner_client.post(f"/author/marking/{first}", data={"csrf_token": token, "score": "100"}).status_code == 403
    )
    token = csrf_token_from(trainer_client.get("/author/marking").text)
    assert trainer_client.post("/author/marking/999999", data={"csrf_token": token, "score": "1"}).status_code == 404
    assert attempt_state(app, attempt_id) == (None, None, [2, 3])

    mark(trainer_client, first, "40", "Say your name.")
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attempt.mark"))
        assert (entry.actor_id, entry.target, entry.detail) == (
            lab.trainer["id"],
            f"attempt:{attempt_id}",
            {"answer": first, "score": 40.0},
        )


def test_two_trainers_marking_the_last_two_essays_at_once_score_the_attempt_once(
    app, lab, learner_client, make_user, events
):
    from lms.models import User
    from quizzes.marking import mark_answer

    attempt_id = submit(learner_client, lab.quiz_id)
    answers = waiting_ids(app, attempt_id)
    second_trainer = make_user("trainer")
    assign_trainer(app, second_trainer, lab.id)
    markers = [lab.trainer["id"], second_trainer["id"]]

    def task(n):
        return mark_answer(db.session.get(User, markers[n]), answers[n], 100, "").id

    _results, errors = at_once(2, task, app=app)
    assert errors == []
    assert attempt_state(app, attempt_id) == (100.0, True, [])
    assert len(named(events, "quiz.submitted")) == 1
    assert len(named(events, "module.completed")) == 1


def test_moodles_essay_syntax_imports_as_an_essay_and_exports_back(app, lab, trainer_client):
    from tests.test_quiz_authoring import export, import_gift

    quiz = lab.quiz_id
    exported = export(trainer_client, quiz)
    assert "::first-call::Describe how you would open your first call with an upset customer.{}" in exported
    from quizzes.models import Question

    with app.app_context():
        assert db.session.scalar(select(Question.type).where(Question.title == "first-call")) == "essay"
    response = import_gift(trainer_client, quiz, "::reflect::What did you learn today? {\n####Any honest answer.\n}\n")
    assert response.status_code == 302, response.text
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.title == "reflect"))
        assert (question.type, question.current.general_feedback) == ("essay", "Any honest answer.")


def test_the_statistics_of_an_essay_nobody_got_full_marks_on_point_to_its_guidance_not_a_key(
    app, lab, trainer_client, learner_client
):
    attempt_id = submit(learner_client, lab.quiz_id)
    for answer_id in waiting_ids(app, attempt_id):
        assert mark(trainer_client, answer_id, "40").status_code == 302
    page = page_text(trainer_client.get(f"/author/quizzes/{lab.quiz_id}/statistics"))
    essay = page[page.index("first-call — version") : page.index("second-essay — version")]
    assert "Nobody earned full marks: check the marking guidance." in essay and "check the key" not in essay


def test_an_essays_export_imported_again_is_the_same_question_and_keeps_its_marking_guidance(app, lab, trainer_client):
    """GIFT has no place for the guidance: the export leaves it out, and its import neither copies the essay nor
    clears the guidance; a changed text updates the essay and keeps the guidance."""
    from quizzes.models import Question
    from tests.test_question_editor import errors_on, form_values
    from tests.test_quiz_authoring import export, import_gift, preview_gift

    with app.app_context():
        essay_id = db.session.scalar(select(Question.id).where(Question.title == "first-call"))
    edit = f"/author/questions/{essay_id}/edit"
    data = form_values(trainer_client.get(edit).text)
    data["answers-guidance"] = "Full marks: greets by name, names the feeling, offers one next step."
    saved = trainer_client.post(edit, data=data)
    assert saved.status_code == 302, errors_on(saved.text)

    exported = export(trainer_client, lab.quiz_id)
    assert "greets by name" not in exported
    preview = page_text(preview_gift(trainer_client, lab.quiz_id, exported))
    assert "Preview: 0 new, 4 already in the quiz" in preview

    changed = exported.replace("with an upset customer.", "with an angry customer.")
    assert import_gift(trainer_client, lab.quiz_id, changed).status_code == 302
    with app.app_context():
        essay = db.session.get_one(Question, essay_id)
        assert "angry customer" in essay.current.stem
        assert essay.current.config == {
            "guidance": "Full marks: greets by name, names the feeling, offers one next step."
        }
        assert db.session.scalar(select(func.count(Question.id)).where(Question.type == "essay")) == 2
