"""A learner's record: courses, lessons read, attempts (with their answers as recorded) and badges, with a
timeline; the learner sees theirs, admins everyone's, trainers the parts of the courses they train."""

import re

import pytest
from sqlalchemy import select

from lms.extensions import db
from tests.helpers import assign_trainer, page_text
from tests.test_badges_issuing import FIRST_MODULE, earn_first_badge, sync_course
from tests.test_quiz_attempts import enrol, one_module_lab, start


@pytest.fixture
def app_config(app_config):
    """Several people sign in from one address here."""
    return {**app_config, "LOGIN_RATE_LIMIT": "1000 per minute"}


@pytest.fixture
def world(app, make_user, login, tmp_path):
    """A learner who earned the BPO course's first badge and is also enrolled in a small lab course, where they
    read its lesson; a trainer of the lab course only; an admin."""
    bpo = sync_course(app)
    learner = earn_first_badge(app, make_user, bpo, name="Rosa Reyes")
    from badges.models import BadgeClass

    with app.app_context():
        learner["badge_name"] = db.session.get(BadgeClass, learner["award"]["badge_id"]).name
    lab = one_module_lab(app, tmp_path)
    enrol(app, learner["id"], lab.id, read=["m1-read"])
    lab_trainer = make_user("trainer")
    assign_trainer(app, lab_trainer, lab.id)
    return {
        "bpo": bpo,
        "lab": lab,
        "learner": learner,
        "learner_client": login(learner, target=app.test_client()),
        "lab_trainer": login(lab_trainer, target=app.test_client()),
        "admin": login(make_user("admin"), target=app.test_client()),
    }


def record_of(client, learner_id):
    """The record page of a learner as this client sees it."""
    return client.get(f"/learners/{learner_id}/record")


def test_the_learner_and_an_admin_see_every_course_attempt_and_badge_with_a_timeline(app, world):
    learner = world["learner"]
    for client in (world["learner_client"], world["admin"]):
        page = record_of(client, learner["id"])
        assert page.status_code == 200
        text = page_text(page)
        assert "Starting and Growing a Career in BPO Operations" in text and "Quiz lab" in text
        assert "Reading m1-read" in text  # the lab lesson, with the date it was read
        assert re.search(r"Quiz: What BPO is and why companies use it 1 \d{4}-\d\d-\d\d", text)
        assert "Passed" in text
        assert learner["badge_name"] in text and "valid" in text
        # Newest first: the lab enrolment came after the badge.
        timeline = text[text.index("Timeline") :]
        assert timeline.index("Read the lesson “Reading m1-read”") < timeline.index("Earned the badge")
        assert timeline.index("Earned the badge") < timeline.index("Enrolled in Starting and Growing")


def test_a_trainer_sees_only_the_courses_they_train_and_others_see_nothing(app, world, make_user, login):
    learner = world["learner"]
    text = page_text(record_of(world["lab_trainer"], learner["id"]))
    assert "Quiz lab" in text and "Reading m1-read" in text
    assert "only the courses you train are shown" in text
    assert "Starting and Growing" not in text and "Quiz: What BPO is" not in text
    assert learner["badge_name"] not in text
    # A trainer of no course of the learner, and another learner, get the 404 of a learner who does not exist.
    for role in ("trainer", "learner"):
        assert record_of(login(make_user(role), target=app.test_client()), learner["id"]).status_code == 404
    assert record_of(world["admin"], 999_999).status_code == 404


def test_an_attempt_as_recorded_shows_every_answer_and_the_key_to_staff_only(app, world, make_user, login):
    from quizzes.models import Attempt

    learner, bpo = world["learner"], world["bpo"]
    with app.app_context():
        attempt_id = db.session.scalar(
            select(Attempt.id).where(
                Attempt.user_id == learner["id"], Attempt.quiz_id == bpo.modules[FIRST_MODULE].quiz_id
            )
        )
    url = f"/quizzes/attempts/{attempt_id}/record"
    assert f'href="{url}"' in record_of(world["admin"], learner["id"]).text
    shown = world["admin"].get(url)
    assert shown.status_code == 200
    text = page_text(shown)
    assert "Rosa Reyes: Quiz: What BPO is and why companies use it, attempt 1" in text
    assert "Your answer:" in text and "read-only" in text
    # The learner is sent to their own review; the trainer of another course gets a 404.
    owner = world["learner_client"].get(url)
    assert owner.status_code == 302 and owner.headers["Location"].endswith(f"/quizzes/attempts/{attempt_id}/review")
    assert world["lab_trainer"].get(url).status_code == 404

    # An attempt still open has no answers to show yet.
    open_id = start(world["learner_client"], world["lab"].quiz_id)
    lab_trainer_view = world["lab_trainer"].get(f"/quizzes/attempts/{open_id}/record")
    assert lab_trainer_view.status_code == 409
    assert "still in progress" in page_text(lab_trainer_view)


def test_people_reach_a_record_from_the_user_list_the_profile_and_the_dashboard(app, world):
    learner = world["learner"]
    assert f'href="/learners/{learner["id"]}/record"' in world["admin"].get("/admin/users").text
    assert f'href="/learners/{learner["id"]}/record"' in world["learner_client"].get("/profile").text
    assert f'href="/learners/{learner["id"]}/record">Your record</a>' in world["learner_client"].get("/dashboard").text


def test_a_trainers_dashboard_leads_to_the_courses_they_run(app, make_user, login, tmp_path):
    """A trainer's dashboard showed only "My learning"; it lists the courses they were assigned to, with their
    dashboard and learner table, and leads to their quizzes, bank and marking. A learner's shows none of it."""
    course = one_module_lab(app, tmp_path)
    trainer = make_user("trainer")
    assign_trainer(app, trainer, course.id)
    page = login(trainer, app.test_client()).get("/dashboard").text
    assert "Courses you run" in page and "Quiz lab" in page
    reports = f"/reports/courses/{course.slug}"
    assert f'href="{reports}"' in page and f'href="{reports}/learners"' in page
    assert 'href="/author/bank"' in page and 'href="/author/marking"' in page
    assert "Courses you run" not in login(make_user(), app.test_client()).get("/dashboard").text
    unassigned = login(make_user("trainer"), app.test_client()).get("/dashboard").text
    assert "Courses you run" not in unassigned
