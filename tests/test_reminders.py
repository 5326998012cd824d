"""Reminder mail: the admin sets after how many idle days learners are reminded; `flask --app lms mail reminders`
mails each idle learner once, listing their unfinished courses, at most weekly, never to those who turned it off,
finished, were deactivated or are still active."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from lms.extensions import db
from lms.models import utcnow
from tests import test_badges_issuing as issuing
from tests.conftest import csrf_token_from
from tests.helpers import page_text


def set_reminder_days(client, days) -> object:
    """The admin saves the reminder setting in the browser; the response."""
    token = csrf_token_from(client.get("/admin/settings").get_data(as_text=True))
    return client.post("/admin/settings", data={"csrf_token": token, "reminder_days": days})


def idle_for(app, user_id: int, days: int) -> None:
    """The learner was last active `days` days ago (and enrolled before that)."""
    from courses.models import Enrolment

    moment = utcnow() - timedelta(days=days)
    with app.app_context():
        db.session.execute(
            update(Enrolment)
            .where(Enrolment.user_id == user_id)
            .values(enrolled_at=moment - timedelta(days=1), last_activity_at=moment)
        )
        db.session.commit()


def remind(runner) -> str:
    """Run the command as a scheduler would; its output."""
    result = runner.invoke(args=["mail", "reminders"])
    assert result.exit_code == 0, result.output
    return result.output


def test_idle_learners_get_one_reminder_a_week_with_their_unfinished_course(
    app, client, make_user, login, runner, mailbox
):
    course = issuing.sync_course(app)
    learners = {name: make_user(name=name) for name in ("Idle Ivy", "Busy Ben", "Quiet Quinn", "Gone Gina")}
    for learner in learners.values():
        issuing.enrol_learner(app, learner["id"], course)
    issuing.complete_lessons(app, learners["Idle Ivy"]["id"], next(iter(course.modules.values())).lesson_ids[:1])
    for name in ("Idle Ivy", "Quiet Quinn", "Gone Gina"):
        idle_for(app, learners[name]["id"], 10)
    idle_for(app, learners["Busy Ben"]["id"], 2)

    assert "Reminders are off" in remind(runner)  # until an admin turns them on
    assert mailbox == []

    admin = make_user("admin")
    login(admin)
    assert set_reminder_days(client, 7).status_code == 302
    assert "learners idle for 7 days get a reminder" in page_text(client.get("/admin/settings"))
    # Quinn turned reminders off in her profile; Gina's account was deactivated.
    quinn = app.test_client()
    login(learners["Quiet Quinn"], target=quinn)
    profile = quinn.get("/profile").get_data(as_text=True)
    assert (
        'name="email_reminders"' in profile and "checked" in re.search(r"<input[^>]*email_reminders[^>]*>", profile)[0]
    )
    saved = quinn.post(
        "/profile/preferences", data={"csrf_token": csrf_token_from(profile), "time_zone": ""}
    )  # the box left unticked
    assert saved.status_code == 302
    with app.app_context():
        from lms.auth import accounts
        from lms.models import User

        accounts.set_active(db.session.get_one(User, admin["id"]), learners["Gone Gina"]["id"], False)

    assert "Sent 1 reminder(s)" in remind(runner)
    (message,) = mailbox
    assert message["To"] == learners["Idle Ivy"]["email"]
    body = message.get_content()
    assert "Hello Idle Ivy" in body and "more than 7 days" in body
    assert f"{course.title}: " in body and f"/courses/{course.slug}" in body
    assert "/profile" in body  # the way to turn reminders off

    assert "Sent 0 reminder(s)" in remind(runner)  # the same week: nothing more
    from courses.models import Enrolment

    with app.app_context():  # a week later, still idle: reminded again
        db.session.execute(
            update(Enrolment)
            .where(Enrolment.user_id == learners["Idle Ivy"]["id"])
            .values(reminded_at=utcnow() - timedelta(days=8))
        )
        db.session.commit()
    assert "Sent 1 reminder(s)" in remind(runner)
    assert len(mailbox) == 2


def test_a_learner_who_finished_the_course_is_not_reminded(app, client, make_user, login, runner, mailbox):
    course = issuing.sync_course(app)
    done = make_user(name="Done Dana")
    issuing.enrol_learner(app, done["id"], course)
    issuing.complete_course(app, done["id"], course)
    idle_for(app, done["id"], 30)
    login(make_user("admin"))
    set_reminder_days(client, 3)
    assert "Sent 0 reminder(s)" in remind(runner)
    assert [m for m in mailbox if "waiting for you" in m["Subject"]] == []  # only the badges' mail came


def test_the_setting_refuses_what_is_not_a_number_of_days_and_keeps_what_was_saved(app, client, make_user, login):
    from lms.settings import get_setting

    login(make_user("admin"))
    assert set_reminder_days(client, 14).status_code == 302
    for bad in ("two", "0", "-3", "400"):
        response = set_reminder_days(client, bad)
        assert response.status_code == 400, bad
        assert 'id="reminder_days-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert get_setting("reminder_days") == 14
    assert set_reminder_days(client, "").status_code == 302  # empty: reminders off
    with app.app_context():
        assert get_setting("reminder_days") is None


def test_only_admins_change_the_settings(app, make_user, login):
    for role in ("learner", "trainer"):
        visitor = login(make_user(role), target=app.test_client())
        assert visitor.get("/admin/settings").status_code == 403
        assert visitor.post("/admin/settings", data={"reminder_days": "1"}).status_code in (400, 403)
    assert app.test_client().get("/admin/settings").status_code == 302  # to the sign-in page
    with app.app_context():
        from lms.models import SiteSetting

        assert db.session.scalars(select(SiteSetting)).all() == []
