"""Earned, not given: a quiz that counts towards a badge keeps its key until a pass, retakes wait for a cool-down
and draw afresh, and the final assessment opens only once every module is complete."""

import html
import importlib.util
import pathlib
import re
from collections import Counter

import pytest
import yaml
from sqlalchemy import func, select, text

from lms.extensions import db
from tests import test_badges_issuing as issuing
from tests import test_question_editor as editor
from tests.conftest import csrf_token_from
from tests.helpers import BPO_PACK, assign_trainer, page_text
from tests.test_quiz_attempts import one_module_lab, start

MIGRATION = (
    pathlib.Path(__file__).resolve().parents[1] / "migrations" / "versions" / "d4f6b8c0e2a5_quiz_earning_rules.py"
)


@pytest.fixture
def bpo(app):
    """The BPO course as shipped, synced."""
    return issuing.sync_course(app)


def attempts_at(app, user_id: int, quiz_id: int) -> list:
    """The learner's attempts at the quiz, oldest first."""
    from quizzes.models import Attempt

    with app.app_context():
        rows = db.session.scalars(
            select(Attempt).where(Attempt.quiz_id == quiz_id, Attempt.user_id == user_id).order_by(Attempt.number)
        ).all()
        return [(attempt.status, [slot["question_id"] for slot in attempt.slots]) for attempt in rows]


def submit_blank(client, quiz_id: int) -> tuple[int, str]:
    """Start an attempt and submit it without answering; the attempt id and the review page's HTML."""
    attempt_id = start(client, quiz_id)
    page = client.get(f"/quizzes/attempts/{attempt_id}").text
    response = client.post(
        f"/quizzes/attempts/{attempt_id}/submit", data={"csrf_token": csrf_token_from(page)}, follow_redirects=True
    )
    assert response.request.path == f"/quizzes/attempts/{attempt_id}/review", response.request.path
    return attempt_id, response.text


def feedback_of(app, attempt_id: int) -> list[str]:
    """Each graded question's explanation (its general feedback), which names the right answer."""
    from quizzes.attempts import slot_views
    from quizzes.models import Attempt

    with app.app_context():
        views = slot_views(db.session.get_one(Attempt, attempt_id))
        return [view.version.general_feedback for view in views if view.graded and view.version.general_feedback]


def answers_shown(review: str) -> list[str]:
    """The "Your answer: …" lines of a review page."""
    return [page_text_of(line) for line in re.findall(r"<p>Your answer:(.*?)</p>", review, re.S)]


def test_every_quiz_of_the_shipped_course_that_counts_keeps_its_key_until_a_pass(app, bpo):
    from quizzes.models import Quiz
    from quizzes.review import KEY_AFTER_PASS

    with app.app_context():
        active = db.session.scalars(select(Quiz).where(Quiz.course_id == bpo.id, Quiz.active.is_(True))).all()
        quizzes = [quiz for quiz in active if quiz.counts_towards_completion]
        exercises = sum(len(module.exercise_ids) for module in bpo.modules.values())
        assert len(quizzes) == len(bpo.modules) + exercises + 1
        # The rest are practice (the drill and the conversations): they lead to no badge.
        assert all(quiz.review == "practice" for quiz in active if not quiz.counts_towards_completion)
        for quiz in quizzes:
            # Every module quiz, the typing test and the final lead to a badge: each hides its key and makes
            # retakes wait.
            assert quiz.review in KEY_AFTER_PASS, quiz.slug
            assert quiz.cooldown_minutes >= 10, quiz.slug
        final = db.session.get_one(Quiz, bpo.final_quiz_id)
        assert final.review == "exam" and 0 < final.max_attempts <= 3 and final.module_id is None


def test_the_pack_checker_refuses_a_counting_quiz_that_shows_its_key(app, tmp_path):
    import shutil

    from courses.services import check_pack

    pack = tmp_path / "pack"
    shutil.copytree(BPO_PACK, pack)
    manifest = pack / "course.yaml"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines) if "quizzes/core-skills.gift" in line)
    lines[number] = lines[number].replace(
        "review: retry_without_key}", "review: practice, counts_towards_completion: true}"
    )
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with app.app_context():
        _pack, problems = check_pack(pack)
    assert [f"{p.file}:{p.line}" for p in problems] == [f"course.yaml:{number + 1}"]
    assert "must not show its right answers before a pass" in problems[0].message

    # A practice quiz that does not count is fine: it is a self-check, and then the module needs only its lessons.
    lines[number] = lines[number].replace("counts_towards_completion: true", "counts_towards_completion: false")
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with app.app_context():
        _pack, problems = check_pack(pack)
    assert problems == []
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    assert data["modules"][3]["quiz"]["review"] == "practice"


def test_the_pack_checker_refuses_a_counting_final_that_draws_module_quiz_questions(app, tmp_path):
    import shutil

    from courses.services import check_pack

    pack = tmp_path / "pack"
    shutil.copytree(BPO_PACK, pack)
    manifest = pack / "course.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("from_tags: [bpo-final]", "from_tags: [bpo]"), encoding="utf-8"
    )
    with app.app_context():
        _pack, problems = check_pack(pack)
    borrowed = [p for p in problems if "a final that counts draws from questions of its own" in p.message]
    modules = yaml.safe_load(manifest.read_text(encoding="utf-8"))["modules"]
    assert {p.file for p in borrowed} == {module["quiz"]["file"] for module in modules}


def test_a_blank_attempt_at_each_module_quiz_never_shows_a_right_answer(app, client, learner, bpo):
    issuing.enrol_learner(app, learner["id"], bpo)
    for slug, module in bpo.modules.items():
        attempt_id, review = submit_blank(client, module.quiz_id)
        shown = page_text_of(review)
        assert "Not passed yet" in shown and "Right answer" not in shown, slug
        assert "Lessons to revisit" in shown and module.title in shown, slug
        explanations = feedback_of(app, attempt_id)
        assert len(explanations) >= 5, slug
        for explanation in explanations:
            assert page_text_of(explanation)[:60] not in shown, (slug, explanation)
        # Every question was missed: each is listed with its text and the learner's answer, which was none.
        answers = answers_shown(review)
        assert len(answers) == len(attempts_at(app, learner["id"], module.quiz_id)[-1][1]), slug
        assert all("No answer" in answer for answer in answers), (slug, answers)


def page_text_of(body: str) -> str:
    """The visible text of an HTML page."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_a_retake_waits_for_the_cool_down(app, client, learner, bpo):
    module = bpo.modules[issuing.FIRST_MODULE]
    issuing.enrol_learner(app, learner["id"], bpo)
    submit_blank(client, module.quiz_id)

    page = client.get(f"/quizzes/{module.quiz_id}")
    shown = page_text(page)
    assert "You can try again in 10 minutes" in shown and "wait 10 minutes before the next" in shown
    assert f"/quizzes/{module.quiz_id}/start" not in page.text
    refused = client.post(f"/quizzes/{module.quiz_id}/start", data={"csrf_token": csrf_token_from(page.text)})
    assert refused.status_code == 303 and refused.headers["Location"].endswith(f"/quizzes/{module.quiz_id}")
    assert "You can try again in" in page_text(client.get(refused.headers["Location"]))
    assert len(attempts_at(app, learner["id"], module.quiz_id)) == 1

    issuing.wait_out_cooldown(app, learner["id"], module.quiz_id)
    page = client.get(f"/quizzes/{module.quiz_id}").text
    assert "Try again" in page and "You can try again in" not in page
    start(client, module.quiz_id)
    assert [status for status, _ in attempts_at(app, learner["id"], module.quiz_id)] == ["submitted", "open"]


def test_the_final_assessment_opens_once_every_module_is_complete_and_draws_afresh(app, client, learner, bpo):
    issuing.enrol_learner(app, learner["id"], bpo)
    final = bpo.final_quiz_id
    page = client.get(f"/quizzes/{final}")
    assert "The final assessment opens once you have completed every module." in page_text(page)
    assert f"/quizzes/{final}/start" not in page.text
    refused = client.post(f"/quizzes/{final}/start", data={"csrf_token": csrf_token_from(page.text)})
    assert refused.status_code == 303 and attempts_at(app, learner["id"], final) == []

    slugs = list(bpo.modules)
    for slug in slugs[:-1]:
        issuing.complete_module(app, learner["id"], bpo, slug)
    assert "opens once you have completed every module" in page_text(client.get(f"/quizzes/{final}"))
    issuing.complete_module(app, learner["id"], bpo, slugs[-1])

    _attempt_id, review = submit_blank(client, final)
    shown = page_text_of(review)
    # The exam's review: the score and the topics to revisit, no question and no answer.
    assert "Not passed yet" in shown and "Lessons to revisit" in shown
    assert "Your answer" not in shown and "Question 1" not in shown and "Right answer" not in shown

    issuing.wait_out_cooldown(app, learner["id"], final)
    start(client, final)
    (_, first), (_, second) = attempts_at(app, learner["id"], final)
    assert len(first) == len(second) == 25
    # The retake asks questions the first attempt did not, as far as the pool has them: a pool of at least 50
    # has 25 fresh ones, so nothing repeats.
    pool = (BPO_PACK / "quizzes" / "final-assessment.gift").read_text(encoding="utf-8").count("\n::")
    assert pool >= 50
    assert set(first).isdisjoint(second)
    # Each draw spreads over the course: every module's section of the pool gives at least two questions.
    from courses.models import Module
    from quizzes.draws import section_of
    from quizzes.models import Question

    with app.app_context():
        modules = db.session.scalar(select(func.count()).select_from(Module).where(Module.active.is_(True)))
        for drawn in (first, second):
            questions = db.session.scalars(select(Question).where(Question.id.in_(drawn))).all()
            sections = Counter(section_of(question, ["bpo-final"]) for question in questions)
            assert len(sections) == modules and min(sections.values()) >= 2, sections


def test_a_practice_quiz_never_counts_and_a_trainer_cannot_make_a_counting_quiz_show_its_key(
    app, client, trainer, tmp_path
):
    from courses.outline import outline_by_id
    from courses.progress import course_progress
    from quizzes.models import Quiz

    lab = one_module_lab(app, tmp_path)
    assign_trainer(app, trainer, lab.id)
    refused = editor.create_quiz(client, counts_towards_completion="y", review="practice")
    assert refused.status_code == 400
    assert any("must not show its right answers before a pass" in error for error in editor.errors_on(refused.text))

    quiz_id = editor.new_quiz_id(
        client, counts_towards_completion="y", review="retry_without_key", cooldown_minutes="15"
    )
    with app.app_context():
        quiz = db.session.get_one(Quiz, quiz_id)
        assert (quiz.counts_towards_completion, quiz.review, quiz.cooldown_minutes) == (True, "retry_without_key", 15)
    url = f"/author/quizzes/{quiz_id}/settings"
    page = client.get(url).text
    assert re.search(
        r'<input[^>]*checked[^>]*name="counts_towards_completion"|<input[^>]*name="counts_towards_completion"[^>]*checked',
        page,
    )
    switched = client.post(
        url,
        data={
            "csrf_token": csrf_token_from(page),
            "title": "Calming angry callers",
            "placement": editor.placement_value(page, "Module m1"),
            "pass_mark": "80",
            "review": "practice",
            "counts_towards_completion": "y",
        },
    )
    assert switched.status_code == 400
    with app.app_context():
        assert db.session.get_one(Quiz, quiz_id).review == "retry_without_key"  # nothing saved

    # The lab's own quiz made practice: the module then needs only its lesson, and the quiz is not a step to do.
    with app.app_context():
        practice = db.session.get_one(Quiz, lab.quiz_id)
        practice.review, practice.counts_towards_completion = "practice", False
        db.session.commit()
        progress = course_progress(trainer["id"], outline_by_id(lab.id))
        steps = {step.item_id: step.required for step in progress.steps() if step.kind == "quiz"}
        assert steps[lab.quiz_id] is False


def test_the_migration_makes_module_quizzes_count_and_keep_their_key(app, bpo):
    from quizzes.models import Quiz

    spec = importlib.util.spec_from_file_location("earning_rules", MIGRATION)
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    module_quiz = bpo.modules[issuing.FIRST_MODULE].quiz_id
    with app.app_context():
        # As before the migration: nothing counts, and a module quiz shows its key freely.
        db.session.execute(text("UPDATE quizzes SET counts_towards_completion = false"))
        db.session.execute(text(f"UPDATE quizzes SET review = 'practice' WHERE id = {module_quiz}"))
        db.session.execute(text(migration.BACKFILL))
        db.session.execute(text(migration.KEY_AFTER_PASS))
        db.session.commit()
        rows = db.session.execute(select(Quiz.id, Quiz.module_id, Quiz.counts_towards_completion)).all()
        for quiz_id, module_id, counts in rows:
            assert counts == (module_id is not None), quiz_id
        assert db.session.get_one(Quiz, module_quiz).review == "retry_without_key"
        assert db.session.scalar(select(func.count()).select_from(Quiz).where(Quiz.review == "practice")) == 0
