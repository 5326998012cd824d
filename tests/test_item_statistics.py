"""Item statistics against small examples worked out by hand: facility, point-biserial discrimination, option
picks, the flags of a broken question and the small-sample warning; through real HTTP and a real database."""

import re

import pytest
from sqlalchemy import delete

from lms.extensions import db
from tests.helpers import assign_trainer, page_text
from tests.test_quiz_attempts import basic_answers, enrol, one_module_lab, start


@pytest.fixture
def app_config(app_config):
    """Several learners sign in from one address here: the per-address sign-in limit is not what this tests."""
    return {**app_config, "LOGIN_RATE_LIMIT": "1000 per minute"}


@pytest.fixture
def lab(app, tmp_path, trainer):
    """The one-module lab course (BASIC_GIFT: "capital", single choice; "sky", true or false, answer False)."""
    course = one_module_lab(app, tmp_path)
    assign_trainer(app, trainer, course.id)
    return course


def take(app, login, make_user, lab, capital: str, sky: str) -> None:
    """A new learner submits one attempt with these answers (labels as shown)."""
    learner = make_user()
    enrol(app, learner["id"], lab.id)
    client = login(learner, target=app.test_client())
    attempt_id = start(client, lab.quiz_id)
    data = basic_answers(client, attempt_id, {"capital": capital, "sky": sky})
    assert client.post(f"/quizzes/attempts/{attempt_id}/submit", data=data).status_code == 302


def section(page: str, title: str) -> str:
    """The words of one question's section of the statistics page."""
    found = re.search(rf'<section class="question stats".*?{title} — version.*?</section>', page, re.S)
    assert found, title
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def test_facility_discrimination_and_picks_match_a_hand_worked_example(app, client, trainer, lab, login, make_user):
    # capital (x) and sky (y) per learner: 1 1 / 1 1 / 1 0 / 0 0 / 0 1.
    # capital: facility 3/5 = 60 %; its rest is sky, so r = (5*2 - 3*3) / sqrt((5*3 - 9) * (5*3 - 9)) = 1/6 = 0.17.
    # sky is the mirror image: facility 60 %, r = 0.17. Picks: Paris 3, Lyon 1, Marseille 1; False 3, True 2.
    for capital, sky in [
        ("Paris", "False"),
        ("Paris", "False"),
        ("Paris", "True"),
        ("Lyon", "True"),
        ("Marseille", "False"),
    ]:
        take(app, login, make_user, lab, capital, sky)
    page = client.get(f"/author/quizzes/{lab.quiz_id}/statistics").text
    capital = section(page, "capital")
    assert "Asked 5 times Facility 60%" in capital
    assert "Discrimination 0.17" in capital
    assert "Paris Yes 3 60%" in capital and "Lyon No 1 20%" in capital and "Marseille No 1 20%" in capital
    assert "Only 5 scored attempts asked this version" in capital
    sky = section(page, "sky")
    assert "Facility 60%" in sky and "Discrimination 0.17" in sky
    assert "True No 2 40%" in sky and "False Yes 3 60%" in sky
    assert "Nobody earned" not in page and "Negative discrimination" not in page and "nobody picks" not in page
    # The quiz page counts the answers.
    assert "answered 5 times" in page_text(client.get(f"/author/quizzes/{lab.quiz_id}"))


def test_a_broken_question_is_flagged(app, client, trainer, lab, login, make_user):
    # capital x = 0, 0, 1 against sky y = 1, 1, 0: r = (3*0 - 1*2) / sqrt((3*1 - 1) * (3*2 - 4)) = -1.
    for capital, sky in [("Lyon", "False"), ("Lyon", "False"), ("Paris", "True")]:
        take(app, login, make_user, lab, capital, sky)
    capital = section(client.get(f"/author/quizzes/{lab.quiz_id}/statistics").text, "capital")
    assert "Discrimination -1.00" in capital
    assert "Negative discrimination" in capital
    assert "A wrong option nobody picks: Marseille." in capital


def test_one_answer_says_nobody_was_right_and_that_it_cannot_measure_discrimination(
    app, client, trainer, lab, login, make_user
):
    take(app, login, make_user, lab, "Lyon", "True")
    page = client.get(f"/author/quizzes/{lab.quiz_id}/statistics").text
    sky = section(page, "sky")
    assert "Facility 0%" in sky
    assert "Nobody earned full marks: check the key." in sky
    assert "not yet measurable" in sky
    assert "Only 1 scored attempt asked this version" in sky


def test_an_edit_counts_the_new_version_apart_and_the_shell_rebuilds_the_same_figures(
    app, client, runner, trainer, lab, login, make_user
):
    from quizzes.models import ItemOptionPicks, ItemStats

    take(app, login, make_user, lab, "Paris", "False")
    url = f"/author/quizzes/{lab.quiz_id}/statistics"
    before = [section(client.get(url).text, title) for title in ("capital", "sky")]
    with app.app_context():
        db.session.execute(delete(ItemOptionPicks))
        db.session.execute(delete(ItemStats))
        db.session.commit()
    assert (
        "No attempt at this quiz has been scored yet." in client.get(f"/author/quizzes/{lab.quiz_id}/statistics").text
    )
    result = runner.invoke(args=["quizzes", "rebuild-stats"])
    assert result.exit_code == 0, result.output
    assert "rebuilt from 1 scored attempt(s)" in result.output
    assert [section(client.get(url).text, title) for title in ("capital", "sky")] == before

    # An edit after learners answered makes version 2, whose figures start from nothing.
    from tests.test_question_editor import form_values

    capital = next(item.question_id for item in quiz_items(app, lab.quiz_id) if item.question.title == "capital")
    edit = f"/author/questions/{capital}/edit"
    data = form_values(client.get(edit).text)
    data["stem"] = "Which city is the seat of the French government?"
    assert client.post(edit, data=data).status_code == 302
    take(app, login, make_user, lab, "Lyon", "False")
    page = page_text(client.get(url))
    assert "capital — version 2 (current)" in page and "capital — version 1" in page
    versions = re.findall(r"capital — version (\d).*?Asked (\d+) times? Facility (\d+)%", page)
    assert versions == [("2", "1", "0"), ("1", "1", "100")]


def quiz_items(app, quiz_id):
    """The quiz's items with their questions loaded."""
    from quizzes.models import Quiz

    with app.app_context():
        items = db.session.get(Quiz, quiz_id).items
        for item in items:
            _ = item.question.title
        db.session.expunge_all()
        return items


def test_nobody_but_the_courses_trainers_sees_the_statistics(app, lab, make_user, login):
    for role in ("learner", "trainer"):
        other = login(make_user(role), target=app.test_client())
        assert other.get(f"/author/quizzes/{lab.quiz_id}/statistics").status_code == 403
