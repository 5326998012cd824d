"""Extra time on timed quizzes: a trainer of the course or an admin grants it from the learner's record; the
learner's quiz page, new attempts and attempts in progress follow it."""

from datetime import timedelta

from sqlalchemy import select

from lms.extensions import db
from tests.conftest import csrf_token_from
from tests.helpers import assign_trainer, page_text
from tests.test_quiz_attempts import attempt_row, enrol, new_client, one_module_lab, start


def grant(client, learner_id: int, course_id: int, time_percent: int | str):
    """Post the allowance form of the learner's record page as the signed-in `client`."""
    record = client.get(f"/learners/{learner_id}/record")
    assert record.status_code == 200, record.text
    data = {"csrf_token": csrf_token_from(record.text), "course_id": course_id, "time_percent": time_percent}
    return client.post(f"/author/learners/{learner_id}/time-allowance", data=data)


def minutes_given(app, attempt_id: int) -> float | None:
    """The minutes between an attempt's start and its deadline (None: no deadline)."""
    attempt, _ = attempt_row(app, attempt_id)
    return None if attempt.deadline is None else (attempt.deadline - attempt.started_at) / timedelta(minutes=1)


def test_time_and_a_half_lengthens_the_quiz_page_and_each_new_attempt(app, client, make_user, login, tmp_path):
    course = one_module_lab(app, tmp_path, time_limit_minutes=45)
    learner, trainer = make_user(), make_user("trainer", name="Tess Trainer")
    assign_trainer(app, trainer, course.id)
    enrol(app, learner["id"], course.id)
    staff = new_client(app, login, trainer)
    # The record offers the allowance for the course, with the quiz's own limit chosen.
    record = staff.get(f"/learners/{learner['id']}/record").text
    assert "Time on timed quizzes" in record
    assert '<option value="100" selected>' in record

    response = grant(staff, learner["id"], course.id, 150)
    assert response.status_code == 303
    shown = page_text(staff.get(response.headers["Location"]))
    assert "Learner 1 now has time and a half on the timed quizzes of Quiz lab." in shown
    assert "Timed: Quiz: Module m1: 45 minutes (68 for them)." in shown  # each timed quiz, with their limit
    assert (
        '<option value="150" selected>Time and a half</option>' in staff.get(f"/learners/{learner['id']}/record").text
    )

    own = new_client(app, login, learner)
    quiz_page = page_text(own.get(f"/quizzes/{course.quiz_id}"))
    assert (
        "Time limit: 68 minutes from the moment you start, with your extra time (the quiz's own limit is 45 minutes)."
        in quiz_page
    )
    assert minutes_given(app, start(own, course.quiz_id)) == 68
    # The learner sees their allowance on their own record, without a form to change it.
    mine = own.get(f"/learners/{learner['id']}/record")
    assert "Quiz lab: Time and a half" in page_text(mine) and 'name="time_percent"' not in mine.text


def test_an_attempt_in_progress_gets_the_extra_time_at_once_and_never_loses_time(
    app, client, make_user, login, tmp_path
):
    course = one_module_lab(app, tmp_path, time_limit_minutes=20)
    learner, admin = make_user(), make_user("admin")
    enrol(app, learner["id"], course.id)
    own = new_client(app, login, learner)
    attempt_id = start(own, course.quiz_id)
    assert minutes_given(app, attempt_id) == 20
    staff = new_client(app, login, admin)

    response = grant(staff, learner["id"], course.id, 200)
    assert "Their attempt in progress has the extra time now." in page_text(staff.get(response.headers["Location"]))
    assert minutes_given(app, attempt_id) == 40
    # The attempt page's timer reads the new deadline.
    attempt, _ = attempt_row(app, attempt_id)
    page = own.get(f"/quizzes/attempts/{attempt_id}").text
    assert attempt.deadline.strftime("%Y-%m-%dT%H:%M:%S") in page

    # Taking the allowance back applies to the next attempt; the one in progress keeps its forty minutes.
    response = grant(staff, learner["id"], course.id, 100)
    shown = page_text(staff.get(response.headers["Location"]))
    assert "now has each timed quiz's own time limit in Quiz lab." in shown and "has the extra time now" not in shown
    assert "Their attempt in progress keeps the time it had: a change never shortens one." in shown
    assert minutes_given(app, attempt_id) == 40
    assert "Time limit: 20 minutes from the moment you start." in page_text(own.get(f"/quizzes/{course.quiz_id}"))

    # No time limit at all: the attempt in progress loses its deadline and its timer.
    grant(staff, learner["id"], course.id, 0)
    assert minutes_given(app, attempt_id) is None
    assert 'id="deadline"' not in own.get(f"/quizzes/attempts/{attempt_id}").text
    assert "No time limit for you" in page_text(own.get(f"/quizzes/{course.quiz_id}"))
    # Back to the quiz's own limit: the attempt in progress stays untimed, and its quiz page says so.
    grant(staff, learner["id"], course.id, 100)
    assert minutes_given(app, attempt_id) is None
    quiz_page = page_text(own.get(f"/quizzes/{course.quiz_id}"))
    assert "Time limit: 20 minutes from the moment you start. Your attempt in progress has no time limit." in quiz_page


def test_an_attempt_whose_time_is_up_is_not_reopened(app, client, make_user, login, tmp_path):
    from quizzes.models import Attempt

    course = one_module_lab(app, tmp_path, time_limit_minutes=5)
    learner, admin = make_user(), make_user("admin")
    enrol(app, learner["id"], course.id)
    own = new_client(app, login, learner)
    attempt_id = start(own, course.quiz_id)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.started_at -= timedelta(minutes=10)
        attempt.deadline -= timedelta(minutes=10)
        db.session.commit()
    response = grant(new_client(app, login, admin), learner["id"], course.id, 200)
    assert response.status_code == 303
    assert minutes_given(app, attempt_id) == 5
    assert "Time is up" in page_text(own.get(f"/quizzes/attempts/{attempt_id}"))


def test_only_the_course_s_trainers_and_admins_grant_time(app, client, make_user, login, tmp_path):
    from quizzes.models import TimeAllowance

    course = one_module_lab(app, tmp_path, time_limit_minutes=30)
    learner, other = make_user(), make_user()
    stranger = make_user("trainer")  # a trainer of no course
    enrol(app, learner["id"], course.id)
    enrol(app, other["id"], course.id)
    for who in (learner, other):
        them = new_client(app, login, who)
        token = csrf_token_from(them.get("/profile").text)
        data = {"csrf_token": token, "course_id": course.id, "time_percent": 0}
        assert them.post(f"/author/learners/{learner['id']}/time-allowance", data=data).status_code == 403
    outsider = new_client(app, login, stranger)
    token = csrf_token_from(outsider.get("/profile").text)
    data = {"csrf_token": token, "course_id": course.id, "time_percent": 0}
    refused = outsider.post(f"/author/learners/{learner['id']}/time-allowance", data=data)
    assert refused.status_code == 403 and "You are not a trainer of this course." in page_text(refused)
    # Without the form's token nothing changes either.
    admin = new_client(app, login, make_user("admin"))
    assert (
        admin.post(
            f"/author/learners/{learner['id']}/time-allowance", data={"course_id": course.id, "time_percent": 0}
        ).status_code
        == 400
    )
    # A trainer enrolled in their own course does not grant themself time.
    trainer = make_user("trainer")
    assign_trainer(app, trainer, course.id)
    enrol(app, trainer["id"], course.id)
    own = new_client(app, login, trainer)
    data = {"csrf_token": csrf_token_from(own.get("/profile").text), "course_id": course.id, "time_percent": 0}
    refused = own.post(f"/author/learners/{trainer['id']}/time-allowance", data=data)
    assert refused.status_code == 403 and "You cannot change your own time allowance" in page_text(refused)
    with app.app_context():
        assert db.session.scalars(select(TimeAllowance)).all() == []


def test_bad_values_are_refused_with_a_reason(app, client, make_user, login, tmp_path):
    from quizzes.models import TimeAllowance

    course = one_module_lab(app, tmp_path, time_limit_minutes=30)
    learner, unenrolled = make_user(), make_user()
    enrol(app, learner["id"], course.id)
    admin = new_client(app, login, make_user("admin"))
    assert grant(admin, learner["id"], course.id, 150).status_code == 303
    for value, reason in (
        ("175", "Choose one of the allowances offered."),
        ("lots", "Choose one of the allowances offered."),
    ):
        refused = grant(admin, learner["id"], course.id, value)
        assert refused.status_code == 400 and reason in page_text(refused)
    missing = grant(admin, learner["id"], 2_147_483_647, 150)
    assert missing.status_code == 404
    token = csrf_token_from(admin.get("/profile").text)
    data = {"csrf_token": token, "course_id": course.id, "time_percent": 150}
    not_enrolled = admin.post(f"/author/learners/{unenrolled['id']}/time-allowance", data=data)
    assert not_enrolled.status_code == 404 and "There is no such learner in this course." in page_text(not_enrolled)
    # An unknown id gets the same answer: ids are not probed through this form.
    unknown = admin.post("/author/learners/2147483647/time-allowance", data=data)
    assert unknown.status_code == 404 and "There is no such learner in this course." in page_text(unknown)
    # What was saved before is kept.
    with app.app_context():
        kept = db.session.scalars(select(TimeAllowance)).all()
        assert [(a.user_id, a.time_percent) for a in kept] == [(learner["id"], 150)]


def test_a_course_without_a_timed_quiz_offers_no_allowance(app, client, make_user, login, tmp_path):
    course = one_module_lab(app, tmp_path)
    learner = make_user()
    enrol(app, learner["id"], course.id)
    admin = new_client(app, login, make_user("admin"))
    assert "Time on timed quizzes" not in admin.get(f"/learners/{learner['id']}/record").text


def test_the_quiz_page_tells_when_the_attempt_in_progress_ends(app, client, make_user, login, tmp_path):
    course = one_module_lab(app, tmp_path, time_limit_minutes=45)
    learner = make_user()
    enrol(app, learner["id"], course.id)
    own = new_client(app, login, learner)
    attempt_id = start(own, course.quiz_id)
    attempt, _ = attempt_row(app, attempt_id)
    ends = attempt.deadline.strftime("%H:%M")
    assert f"Your attempt in progress is to be submitted by {ends} UTC." in page_text(
        own.get(f"/quizzes/{course.quiz_id}")
    )
