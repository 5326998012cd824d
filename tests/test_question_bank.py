"""The question bank: the BPO course's questions as loaded from its pack, random draws from tagged questions,
and versions fixed when an attempt starts."""

import collections

import pytest
from sqlalchemy import select

from lms.extensions import db
from quizzes.gift import parse_gift
from quizzes.types import BUILTIN_TYPES
from tests import test_badges_issuing as issuing
from tests.helpers import assign_trainer
from tests.test_question_editor import new_quiz_id
from tests.test_quiz_attempts import (
    FormReader,
    attempt_row,
    enrol,
    new_client,
    one_module_lab,
    start,
    sync,
    write_pack,
)

# The built-in question types, by name, as the app installs them (to read GIFT as the app does).
TYPES = {cls.name: cls() for cls in BUILTIN_TYPES}


@pytest.fixture
def app_config(app_config):
    """Several log-ins per test from one address: no login rate limit here."""
    return {**app_config, "LOGIN_RATE_LIMIT": "1000 per minute"}


@pytest.fixture
def bpo(app, runner):
    """The BPO course, loaded the way an operator loads it: `flask --app lms courses sync`."""
    from courses.models import Course

    result = runner.invoke(args=["courses", "sync"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        return db.session.scalar(select(Course).where(Course.slug == "bpo-operations")).id


def bank(app, course_id):
    """The course's active questions: (title, type, tags, general feedback, config)."""
    from quizzes.models import Question

    with app.app_context():
        return [
            (q.title, q.type, list(q.tags), q.current.general_feedback, q.current.config)
            for q in db.session.scalars(
                select(Question).where(Question.course_id == course_id, Question.active.is_(True))
            )
        ]


def tagged(questions, *tags):
    """The questions carrying any of these tags."""
    return [q for q in questions if set(q[2]) & set(tags)]


# ---------------------------------------------------------------------------------------------- the BPO bank


def test_the_bpo_bank_covers_its_topics_with_varied_explained_questions(app, bpo):
    questions = bank(app, bpo)
    assert len(questions) >= 90
    assert len(tagged(questions, "bpo/what-is-bpo", "bpo/voice-and-non-voice")) >= 15  # BPO types
    assert len(tagged(questions, "bpo/entry-level-roles", "bpo/growth-paths")) >= 15  # roles
    assert len(tagged(questions, "bpo/certifications")) >= 15
    types = collections.Counter(q[1] for q in questions)
    assert len(types) >= 5, types
    # Module quizzes' questions are tagged by their module, the final assessment's own by theirs.
    assert all(q[2] and q[2][0].startswith(("bpo/", "bpo-final/")) for q in questions)
    unexplained = [q[0] for q in questions if not q[3].strip()]
    assert unexplained == []
    titles = [q[0] for q in questions]
    assert len(set(titles)) == len(titles)
    # Choice questions offer wrong answers that say why they are wrong.
    for title, qtype, _tags, _feedback, config in questions:
        if qtype == "single_choice":
            wrong = [c for c in config["choices"] if c["weight"] <= 0]
            assert len(wrong) >= 2, title


def test_every_bpo_module_has_an_active_quiz_with_questions(app, bpo):
    from courses.models import Module
    from quizzes.models import Quiz

    with app.app_context():
        modules = db.session.scalars(select(Module).where(Module.course_id == bpo, Module.active.is_(True))).all()
        quizzes = {q.slug: q for q in db.session.scalars(select(Quiz).where(Quiz.course_id == bpo))}
        assert len(modules) == 10
        for module in modules:
            quiz = quizzes.get(module.slug)
            assert quiz is not None and quiz.active, module.slug
            assert len(quiz.items) >= 5, module.slug
            assert 0 < quiz.pass_mark <= 100
        final = db.session.scalar(select(Quiz).where(Quiz.course_id == bpo, Quiz.module_id.is_(None)))
        assert (final.slug, final.draw_count, final.draw_tags, final.review) == (
            "final-assessment",
            25,
            ["bpo-final"],
            "exam",
        )
        assert final.time_limit_minutes and final.max_attempts


def test_the_final_assessment_draws_25_of_its_own_questions_at_random(app, client, learner, make_user, login, bpo):
    from quizzes.models import Question, Quiz, QuizQuestion

    with app.app_context():
        final_id = db.session.scalar(select(Quiz.id).where(Quiz.course_id == bpo, Quiz.slug == "final-assessment"))
    course = issuing.course_info(app, "bpo-operations")
    drawn = []
    for user, browser in ((learner, client), *((u, new_client(app, login, u)) for u in (make_user(), make_user()))):
        enrol(app, user["id"], bpo)
        for slug in course.modules:  # the final assessment opens once every module is complete
            issuing.complete_module(app, user["id"], course, slug)
        attempt_id = start(browser, final_id)
        page = browser.get(f"/quizzes/attempts/{attempt_id}").text
        assert "Question 25 of 25" in page and "Submit before" in page
        attempt, _ = attempt_row(app, attempt_id)
        ids = [slot["question_id"] for slot in attempt.slots]
        assert len(ids) == len(set(ids)) == 25
        with app.app_context():
            picked = db.session.scalars(select(Question).where(Question.id.in_(ids))).all()
            assert all(q.course_id == bpo and q.type != "description" for q in picked)
            assert all(any(t.startswith("bpo-final/") for t in q.tags) for q in picked)
            # None of them is a module quiz's question: learners have seen those, and their answers.
            in_module_quizzes = select(QuizQuestion.question_id).join(Quiz).where(Quiz.module_id.is_not(None))
            assert not set(ids) & set(db.session.scalars(in_module_quizzes))
        drawn.append(frozenset(ids))
    assert len(set(drawn)) == 3  # three learners, three different draws from a pool of 45


DRAW_GIFT = """$CATEGORY: lab/a
::a1::A one? {T}

::a2::A two? {T}

::a3::A three? {F}

::a4::A four? {=yes ~no}

::a-note::A note, never drawn.

$CATEGORY: lab/b
::b1::B one? {T}

::b2::B two? {F}
"""


def test_a_random_draw_takes_only_questions_with_the_wanted_tags(app, client, learner, tmp_path):
    from quizzes.models import Question

    course = sync(
        app,
        write_pack(
            tmp_path / "pack",
            # Practice both: a practice quiz never asks what a counting one may (quizzes.key_guard).
            [{"slug": "m1", "lessons": ["m1-read"], "gift": DRAW_GIFT, "quiz": {"review": "practice"}}],
            final={"slug": "lab-final", "draw": 3, "from_tags": ["lab/a"], "review": "practice"},
        ),
    )
    enrol(app, learner["id"], course.id)
    seen = collections.Counter()
    for _ in range(12):
        attempt_id = start(client, course.quizzes["lab-final"])
        assert "Question 3 of 3" in client.get(f"/quizzes/attempts/{attempt_id}").text
        attempt, _ = attempt_row(app, attempt_id)
        with app.app_context():
            titles = [db.session.get(Question, slot["question_id"]).title for slot in attempt.slots]
        assert len(set(titles)) == 3 and set(titles) <= {"a1", "a2", "a3", "a4"}, titles
        seen.update(titles)
        token = FormReader(client.get(f"/quizzes/attempts/{attempt_id}").text).state()["csrf_token"]
        assert client.post(f"/quizzes/attempts/{attempt_id}/submit", data={"csrf_token": token}).status_code == 302
    assert set(seen) == {"a1", "a2", "a3", "a4"}  # the draw varies: every tagged question came up


def test_a_quiz_that_does_not_count_leaves_out_what_a_counting_draw_by_tag_may_pick(
    app, client, learner, make_user, login, tmp_path
):
    """A trainer's exam that counts draws from tag lab/a (unpublished yet: withheld all the same); the module's
    practice quiz, which holds those questions, stops asking them and keeps the rest."""
    from quizzes.models import Question

    course = sync(
        app,
        write_pack(
            tmp_path / "pack",
            [{"slug": "m1", "lessons": ["m1-read"], "gift": DRAW_GIFT, "quiz": {"review": "practice"}}],
        ),
    )
    trainer = make_user("trainer")
    assign_trainer(app, trainer, course.id)
    new_quiz_id(
        login(trainer, app.test_client()),
        title="Tag exam",
        review="exam",
        draw_count="3",
        draw_tags="lab/a",
        counts_towards_completion="y",
    )
    enrol(app, learner["id"], course.id)
    attempt, _ = attempt_row(app, start(client, course.quizzes["m1"]))
    with app.app_context():
        titles = {db.session.get(Question, slot["question_id"]).title for slot in attempt.slots}
    assert titles == {"a-note", "b1", "b2"}  # a1 to a4 may be drawn by the exam; a note is never drawn


# ---------------------------------------------------------------------------------------------- versions


OLD = "::pick::Old wording: which letter comes first? {=Alpha ~Beta ~Gamma}\n"
NEW = "::pick::New wording: which letter comes second? {~Alpha =Beta ~Gamma}\n"


def edit_question(app, gift):
    """Save new content for the bank question with the same title, as an authoring form would."""
    from lms.db import begin_write, commit
    from quizzes.bank import content_of, save_question
    from quizzes.models import Question

    parsed = parse_gift(gift, TYPES)[0]
    with app.app_context():
        begin_write()
        question = db.session.scalar(select(Question).where(Question.title == parsed["title"]))
        save_question(question, parsed["type"], parsed["title"], parsed["tags"], content_of(parsed))
        commit()


def versions(app, title="pick"):
    """(current version number, [(number, stem, locked)]) of the question with this title."""
    from quizzes.models import Question

    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.title == title))
        return question.current_version, [(v.number, v.stem.split(":")[0], v.locked) for v in question.versions]


def answer(client, attempt_id, letter):
    """Submit the one-question attempt with this letter; the review page."""
    page = client.get(f"/quizzes/attempts/{attempt_id}").text
    form = FormReader(page)
    data = {"csrf_token": form.state()["csrf_token"], "q0": form.value("q0", letter)}
    response = client.post(f"/quizzes/attempts/{attempt_id}/submit", data=data, follow_redirects=True)
    assert response.request.path == f"/quizzes/attempts/{attempt_id}/review"
    return response.text


def test_editing_an_unused_question_changes_it_in_place(app, tmp_path):
    one_module_lab(app, tmp_path, gift=OLD)
    edit_question(app, NEW)
    assert versions(app) == (1, [(1, "New wording", False)])


def test_an_edit_after_an_attempt_started_makes_a_new_version_the_attempt_keeps_the_old(
    app, client, learner, make_user, login, tmp_path
):
    course = one_module_lab(app, tmp_path, gift=OLD)
    enrol(app, learner["id"], course.id)
    first = start(client, course.quiz_id)
    assert versions(app) == (1, [(1, "Old wording", True)])

    edit_question(app, NEW)
    assert versions(app) == (2, [(1, "Old wording", True), (2, "New wording", False)])
    page = client.get(f"/quizzes/attempts/{first}").text
    assert "Old wording" in page and "New wording" not in page
    review = answer(client, first, "Alpha")  # right in the version this attempt started with
    assert "100%" in review and "Old wording" in review
    assert attempt_row(app, first)[0].score == 100.0

    # New attempts, by this learner or another, get the new version.
    second = start(client, course.quiz_id)
    assert "New wording" in client.get(f"/quizzes/attempts/{second}").text
    assert "Right answer: Beta." in answer(client, second, "Alpha")
    other = make_user()
    enrol(app, other["id"], course.id)
    browser = new_client(app, login, other)
    third = start(browser, course.quiz_id)
    assert "New wording" in browser.get(f"/quizzes/attempts/{third}").text
    assert "100%" in answer(browser, third, "Beta")
    # The old attempt's review still shows what was asked then.
    assert "Old wording" in client.get(f"/quizzes/attempts/{first}/review").text


def test_a_pack_resync_makes_a_new_version_the_open_attempt_keeps_the_old(app, client, learner, tmp_path):
    root = tmp_path / "pack"
    course = sync(app, write_pack(root, [{"slug": "m1", "lessons": ["m1-read"], "gift": OLD}]))
    enrol(app, learner["id"], course.id, read=["m1-read"])
    opened = start(client, course.quizzes["m1"])

    (root / "quizzes" / "m1.gift").write_text(NEW, encoding="utf-8")
    assert sync(app, root).quizzes == course.quizzes  # same quiz, keyed by slug
    assert versions(app) == (2, [(1, "Old wording", True), (2, "New wording", False)])
    sync(app, root)  # syncing the same pack again changes nothing
    assert versions(app)[0] == 2

    page = client.get(f"/quizzes/attempts/{opened}").text
    assert "Old wording" in page and "New wording" not in page
    assert "100%" in answer(client, opened, "Alpha")
    fresh = start(client, course.quizzes["m1"])
    assert "New wording" in client.get(f"/quizzes/attempts/{fresh}").text
    assert "Module complete" in client.get(f"/courses/{course.slug}/m1").text  # the passed attempt still counts
