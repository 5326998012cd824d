"""A question type from a third-party plugin (tests/plugins/reflection.py), through the trainer's real pages:
GIFT import, export and import again, and a clear refusal where the plugin is not installed."""

import pytest

from lms.extensions import db
from tests.helpers import assign_trainer
from tests.plugins.reflection import Reflection
from tests.test_quiz_attempts import sync, write_pack
from tests.test_quiz_authoring import export, import_gift

PLUGIN = "tests.plugins.reflection"

# A reflection (Moodle's essay syntax: an empty answer block, here with general feedback) beside a built-in type.
REFLECTION_GIFT = """$CATEGORY: lab/reflection

::journal::[markdown]What did you learn from your **first call**? {
####Look for a concrete example\\: a customer, a problem, a fix.
}

::greeting::Which greeting opens a call? {
=Good morning, thank you for calling.#Friendly and clear.
~Yeah?#Too curt.
####Greet, then give your name.
}
"""


@pytest.fixture
def with_reflection():
    """Whether the app installs the reflection plugin; a test may parametrize it to False."""
    return True


@pytest.fixture
def app_config(app_config, with_reflection):
    """The default plugins, plus the reflection plugin unless a test turns it off."""
    extra = [PLUGIN] if with_reflection else []
    return {**app_config, "LMS_PLUGINS": [*app_config["LMS_PLUGINS"], *extra]}


@pytest.fixture
def course(app, tmp_path, trainer):
    """A synced course with two quizzes, m1 and m2, each holding one question from the pack; the signed-in
    trainer is assigned to it."""
    synced = sync(
        app,
        write_pack(
            tmp_path / "pack",
            [
                {"slug": "m1", "lessons": ["m1-read"], "gift": "::seed one::Is the sky blue? {T}\n"},
                {"slug": "m2", "lessons": ["m2-read"], "gift": "::seed two::Is grass red? {F}\n"},
            ],
        ),
    )
    assign_trainer(app, trainer, synced.id)
    return synced


def questions(app, quiz_id):
    """The quiz's questions in order, as a trainer would check them."""
    from quizzes.models import Quiz

    with app.app_context():
        quiz = db.session.get_one(Quiz, quiz_id)
        return [
            {
                "type": item.question.type,
                "title": item.question.title,
                "stem": item.question.current.stem,
                "format": item.question.current.stem_format,
                "general_feedback": item.question.current.general_feedback,
                "tags": list(item.question.tags),
                "config": item.question.current.config,
            }
            for item in quiz.items
        ]


def test_a_plugin_type_imports_exports_and_imports_again_unchanged(app, client, trainer, course):
    first, second = course.quizzes["m1"], course.quizzes["m2"]
    response = import_gift(client, first, REFLECTION_GIFT)
    assert response.status_code == 302, response.text
    page = client.get(response.headers["Location"]).text
    assert "Imported 2 questions into" in page
    assert "<strong>journal</strong> — Reflection, version 1" in page
    assert "<strong>greeting</strong> — Single choice, version 1" in page

    seed, journal, greeting = questions(app, first)
    assert journal == {
        "type": "reflection",
        "title": "journal",
        "stem": "What did you learn from your **first call**?",
        "format": "markdown",
        "general_feedback": "Look for a concrete example: a customer, a problem, a fix.",
        "tags": ["lab/reflection"],
        "config": {},
    }
    assert (greeting["type"], greeting["tags"], greeting["general_feedback"]) == (
        "single_choice",
        ["lab/reflection"],
        "Greet, then give your name.",
    )
    assert greeting["config"]["choices"][0] == {
        "text": "Good morning, thank you for calling.",
        "weight": 100.0,
        "feedback": "Friendly and clear.",
    }

    exported = export(client, first)
    # The reflection goes out in Moodle's essay form, so Moodle can read the file too.
    assert (
        "::journal::[markdown]What did you learn from your **first call**?{\n"
        "\t####Look for a concrete example\\: a customer, a problem, a fix.\n}\n"
    ) in exported

    # The second quiz gets every question of the first, after its own seed, exactly as they were.
    response = import_gift(client, second, exported)
    assert response.status_code == 302, response.text
    assert "Imported 3 questions into" in client.get(response.headers["Location"]).text
    own_seed, *copies = questions(app, second)
    assert own_seed["title"] == "seed two"
    assert copies == [seed, journal, greeting]


@pytest.mark.parametrize("with_reflection", [False])
def test_without_the_plugin_the_same_file_imports_the_reflection_as_an_essay(app, client, trainer, course):
    """Moodle's essay syntax is read by the plugin where it is installed, and by the built-in essay otherwise."""
    quiz = course.quizzes["m1"]
    response = import_gift(client, quiz, REFLECTION_GIFT)
    assert response.status_code == 302, response.text
    assert [(q["title"], q["type"]) for q in questions(app, quiz)] == [
        ("seed one", "true_false"),
        ("journal", "essay"),
        ("greeting", "single_choice"),
    ]


@pytest.mark.parametrize(
    "answer, score, correct",
    [("I learned to listen first.", 1.0, True), ("   ", 0.0, False), ("", 0.0, False)],
)
def test_a_reflection_earns_full_marks_for_any_answer_that_is_not_blank(answer, score, correct):
    qtype = Reflection()
    grade = qtype.grade({}, qtype.response_from_data({}, {}, answer))
    assert (grade.score, grade.correct) == (score, correct)
    assert qtype.grade({}, qtype.correct_response({})).score == 1.0
    assert qtype.validate({}) == []
