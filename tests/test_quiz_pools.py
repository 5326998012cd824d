"""A module quiz that draws from its own pool, and the rule that every lesson objective is assessed."""

import re

import yaml
from sqlalchemy import select

from lms.extensions import db
from tests.conftest import csrf_token_from
from tests.helpers import assign_trainer
from tests.test_quiz_attempts import enrol, one_module_lab, start, write_pack

FOUR_STATEMENTS = "\n".join(
    f"::s{n}::True or false\\: statement {n} holds. {{T}}\n" for n in range(1, 5)
)  # four graded questions, s1 to s4


def asked(app, attempt_id) -> set[str]:
    """The titles of the questions an attempt asks."""
    from quizzes.models import Attempt, Question

    with app.app_context():
        ids = [slot["question_id"] for slot in db.session.get(Attempt, attempt_id).slots]
        return set(db.session.scalars(select(Question.title).where(Question.id.in_(ids))))


def submit_as_is(client, attempt_id):
    """Submit an attempt with nothing answered, confirming it as the confirmation page would."""
    page = client.get(f"/quizzes/attempts/{attempt_id}")
    response = client.post(
        f"/quizzes/attempts/{attempt_id}/submit",
        data={"csrf_token": csrf_token_from(page.text), "unanswered": "confirmed"},
    )
    assert response.status_code in (200, 302), response.text


def test_a_module_quiz_draws_from_its_own_pool_and_a_retake_sees_the_rest(app, client, learner, tmp_path):
    course = one_module_lab(app, tmp_path, gift=FOUR_STATEMENTS, draw=2, review="practice")
    enrol(app, learner["id"], course.id, read=["m1-read"])

    page = client.get(f"/quizzes/{course.quiz_id}")
    assert "2 questions; pass mark" in page.text

    first = start(client, course.quiz_id)
    first_asked = asked(app, first)
    assert len(first_asked) == 2 and first_asked <= {"s1", "s2", "s3", "s4"}
    submit_as_is(client, first)

    second = start(client, course.quiz_id)
    assert asked(app, second) == {"s1", "s2", "s3", "s4"} - first_asked


def test_the_trainers_quiz_page_says_the_quiz_draws_from_its_own_questions(app, client, trainer, tmp_path):
    course = one_module_lab(app, tmp_path, gift=FOUR_STATEMENTS, draw=2)
    assign_trainer(app, trainer, course.id)
    page = client.get(f"/author/quizzes/{course.quiz_id}")
    assert page.status_code == 200
    assert "Each attempt draws 2 of the questions below at random" in page.text


def test_check_refuses_a_draw_larger_than_the_quiz_file(app, runner, tmp_path):
    pack = write_pack(
        tmp_path / "pack", [{"slug": "m1", "lessons": ["m1-read"], "gift": FOUR_STATEMENTS, "quiz": {"draw": 5}}]
    )
    result = runner.invoke(args=["courses", "check", str(pack)])
    assert result.exit_code != 0
    assert f"{pack}/quizzes/m1.gift:1: the quiz draws 5 questions but its file holds 4" in result.stderr


# ------------------------------------------------------------------------------------- objective coverage


def objective_lab(tmp_path, gift: str, coverage=True):
    """A one-module pack whose lesson has two objectives, with the coverage rule on (or off)."""
    pack = write_pack(tmp_path / "pack", [{"slug": "m1", "lessons": ["m1-read"], "gift": gift}])
    lesson = pack / "lessons" / "m1-read.md"
    lesson.write_text(
        lesson.read_text().replace("objectives: [Know the topic]", "objectives:\n  - Tell A from B\n  - Spot C"),
    )
    if coverage:
        manifest = yaml.safe_load((pack / "course.yaml").read_text())
        (pack / "course.yaml").write_text(yaml.safe_dump({**manifest, "objective_coverage": True}, sort_keys=False))
    return pack


def check_errors(runner, pack) -> list[str]:
    """The problems `courses check` reports for a pack, without the pack's path."""
    result = runner.invoke(args=["courses", "check", str(pack)])
    return [line.removeprefix(f"{pack}/") for line in result.stderr.splitlines() if not line.startswith("Error:")]


TAGGED = """// [tag:objective/m1-read/1]
::a::A or B? {=A ~B}

// [tag:objective/m1-read/2] [tag:scenario]
::c::Is this C? {T}
"""


def test_a_pack_whose_questions_assess_every_objective_passes(runner, tmp_path):
    result = runner.invoke(args=["courses", "check", str(objective_lab(tmp_path, TAGGED))])
    assert result.exit_code == 0, result.stderr


def test_check_names_the_untagged_question_and_the_objective_nobody_assesses(runner, tmp_path):
    gift = TAGGED.replace("// [tag:objective/m1-read/2] [tag:scenario]\n", "")
    assert check_errors(runner, objective_lab(tmp_path, gift)) == [
        "quizzes/m1.gift:4: this question assesses no objective: tag it [tag:objective/<lesson>/<n>]",
        "lessons/m1-read.md:6: objective 2 ('Spot C') is assessed by no question of the module's quiz",
    ]


def test_a_tag_naming_no_objective_is_a_problem_even_with_the_rule_off(runner, tmp_path):
    gift = TAGGED.replace("objective/m1-read/2]", "objective/m1-read/3]")
    assert check_errors(runner, objective_lab(tmp_path, gift, coverage=False)) == [
        "quizzes/m1.gift:5: 'objective/m1-read/3' names no lesson objective of this course",
    ]


def test_without_the_rule_untagged_questions_pass(runner, tmp_path):
    gift = re.sub(r"// .*\n", "", TAGGED)
    result = runner.invoke(args=["courses", "check", str(objective_lab(tmp_path, gift, coverage=False))])
    assert result.exit_code == 0, result.stderr
