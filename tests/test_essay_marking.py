"""Essay questions: learners write them, trainers mark them from a queue, and the attempt's score, pass, module
completion and event follow the last mark, exactly once; through real HTTP and a real database."""

import re

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


def correct(client, answer_id, score, comment=""):
    """Post a corrected mark from the marking page's "Recently marked", as the page shows it now."""
    page = client.get("/author/marking").text
    form = page[page.find(f"/author/marking/{answer_id}/correct") :]
    stamp = re.search(r'name="marked_at" value="([^"]*)"', form) if form else None
    data = {"csrf_token": csrf_token_from(page), "score": score, "comment": comment}
    if stamp:
        data["marked_at"] = stamp.group(1)
    return client.post(f"/author/marking/{answer_id}/correct", data=data)


def standing(app, quiz_id, user_id):
    """(best score, passed) of the learner's result on the quiz, and the quiz's (sum of best scores, passes)."""
    from quizzes.models import Quiz, QuizResult

    with app.app_context():
        result = db.session.scalar(
            select(QuizResult).where(QuizResult.quiz_id == quiz_id, QuizResult.user_id == user_id)
        )
        quiz = db.session.get(Quiz, quiz_id)
        return (result.best_score, result.passed), (quiz.results_best_sum, quiz.results_passed)


def essay_statistics(app, answer_id):
    """(answered, full marks, sum of scores) of the question statistics of this answer's question version."""
    from quizzes.models import Attempt, AttemptAnswer, ItemStats

    with app.app_context():
        answer = db.session.get(AttemptAnswer, answer_id)
        version_id = db.session.get(Attempt, answer.attempt_id).slots[answer.slot]["version_id"]
        stats = db.session.get(ItemStats, version_id)
        return stats.answered, stats.full_marks, round(stats.sum_x, 6)


def test_a_trainer_corrects_a_mark_and_the_attempt_is_scored_again_with_all_that_follows_from_it(
    app, lab, trainer_client, learner_client, events, make_user, login
):
    attempt_id = submit(learner_client, lab.quiz_id)
    first, second = waiting_ids(app, attempt_id)
    mark(trainer_client, first, "0", "Off topic.")
    mark(trainer_client, second, "20")
    # (1 + 1 + 0 + 0.2) / 4 = 55 %, under the pass mark of 70: no module completed.
    assert attempt_state(app, attempt_id) == (55.0, False, [])
    assert named(events, "module.completed") == []
    assert standing(app, lab.quiz_id, lab.learner["id"]) == ((55.0, False), (55.0, 0))
    assert essay_statistics(app, first) == (1, 0, 0.0)

    # The first essay was marked by mistake: it answers the question well.
    page = trainer_client.get("/author/marking")
    marked = page_text(page)
    assert "Recently marked" in marked and "I greet them by name and listen first." in marked
    assert 'value="0"' in page.text and ">Off topic.</textarea>" in page.text  # the form holds the mark as it is
    done = correct(trainer_client, first, "100", "Right: greeting by name, then listening.")
    assert done.status_code == 302 and done.headers["Location"].endswith("/author/marking#marked")
    told = page_text(trainer_client.get(done.headers["Location"]))
    assert "Mark corrected. The attempt is scored again: 55% → 80%, now passed." in told

    # (1 + 1 + 1 + 0.2) / 4 = 80 %: the attempt, the learner's result, the quiz's sums, the statistics and the
    # module's completion all follow.
    assert attempt_state(app, attempt_id) == (80.0, True, [])
    assert standing(app, lab.quiz_id, lab.learner["id"]) == ((80.0, True), (80.0, 1))
    assert essay_statistics(app, first) == (1, 1, 1.0)
    assert len(named(events, "module.completed")) == 1
    [rescored] = named(events, "quiz.rescored")
    assert (rescored["previous_score"], rescored["score"], rescored["passed"]) == (55.0, 80.0, True)
    review = page_text(learner_client.get(f"/quizzes/attempts/{attempt_id}/review"))
    assert "80% — Passed." in review and "Mark: 100%." in review and "Right: greeting by name" in review
    assert "Off topic." not in review
    admin = login(make_user("admin"), target=app.test_client())
    audit = page_text(admin.get(f"/admin/audit?target=attempt:{attempt_id}"))
    assert "Attempt: mark corrected" in audit and "mark: 0 → 100, score: 55 → 80, passed: no → yes" in audit

    # Lowered again below the pass mark: the attempt fails, and what the pass completed stays.
    lowered = correct(trainer_client, first, "10")
    told = page_text(trainer_client.get(lowered.headers["Location"]))
    assert "80% → 57.5%, no longer passed. The progress figures follow; the completions and badges" in told
    assert attempt_state(app, attempt_id) == (57.5, False, [])
    assert standing(app, lab.quiz_id, lab.learner["id"]) == ((57.5, False), (57.5, 0))
    assert essay_statistics(app, first) == (1, 0, 0.1)
    assert len(named(events, "module.completed")) == 1


def test_a_mark_corrected_before_the_attempt_is_scored_counts_when_it_is_and_only_its_trainers_correct_it(
    app, lab, trainer_client, learner_client, make_user, login
):
    attempt_id = submit(learner_client, lab.quiz_id)
    first, second = waiting_ids(app, attempt_id)
    # An answer still waiting has no mark to correct.
    assert correct(trainer_client, first, "50").status_code == 409
    mark(trainer_client, first, "0")
    told = page_text(trainer_client.get(correct(trainer_client, first, "60").headers["Location"]))
    assert "Mark corrected. The attempt has more answers waiting for a mark." in told
    assert attempt_state(app, attempt_id) == (None, None, [3])
    mark(trainer_client, second, "100")
    assert attempt_state(app, attempt_id) == (90.0, True, [])  # (1 + 1 + 0.6 + 1) / 4

    # A mark out of range is refused beside the field, with the essay opened, and nothing changes.
    refused = correct(trainer_client, first, "140")
    assert refused.status_code == 400
    assert "The mark was not corrected." in page_text(refused) and "Give a mark from 0 to 100." in page_text(refused)
    assert '<details class="marked" open>' in refused.text and 'value="140"' in refused.text
    assert attempt_state(app, attempt_id) == (90.0, True, [])

    # Another course's trainer and the learner cannot correct it, nor see it among the marks.
    stranger = login(make_user("trainer"), target=app.test_client())
    assert "I greet them by name" not in stranger.get("/author/marking").text
    assert correct(stranger, first, "0").status_code == 403
    token = csrf_token_from(learner_client.get("/profile").text)
    posted = learner_client.post(f"/author/marking/{first}/correct", data={"csrf_token": token, "score": "0"})
    assert posted.status_code == 403
    assert attempt_state(app, attempt_id) == (90.0, True, [])


def test_a_mark_changed_since_the_page_was_shown_is_not_overwritten(app, lab, trainer_client, learner_client):
    attempt_id = submit(learner_client, lab.quiz_id)
    first, second = waiting_ids(app, attempt_id)
    mark(trainer_client, first, "0")
    mark(trainer_client, second, "100")
    page = trainer_client.get("/author/marking").text  # a colleague corrects the mark while this page is open
    stale = re.search(r'name="marked_at" value="([^"]*)"', page).group(1)
    assert correct(trainer_client, first, "60").status_code == 302
    late = trainer_client.post(
        f"/author/marking/{first}/correct",
        data={"csrf_token": csrf_token_from(page), "score": "20", "marked_at": stale},
    )
    assert late.status_code == 409
    assert "This mark was changed since the page was shown: it is now 60%." in page_text(late)
    # Shown where it was typed, the essay open and the mark typed kept, beside the mark as it is now.
    assert '<details class="marked" open>' in late.text and 'value="20"' in late.text
    # Sent again knowingly (the page now carries the new mark's stamp), it is saved.
    assert correct(trainer_client, first, "20").status_code == 302
    assert attempt_state(app, attempt_id) == (80.0, True, [])  # (1 + 1 + 0.2 + 1) / 4

    # The same mark and comment again change nothing, and say so.
    same = correct(trainer_client, first, "20")
    told = page_text(trainer_client.get(same.headers["Location"]))
    assert "Nothing to correct: the mark and the comment are as they were." in told
