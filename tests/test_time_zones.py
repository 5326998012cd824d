"""Times are shown in the learner's own time zone: the one chosen in their profile, else their browser's (the
`tz` cookie its script sets), else UTC."""

import re
import zoneinfo

from lms.extensions import db
from lms.models import aware
from tests import test_quiz_attempts as attempts
from tests.conftest import csrf_token_from


def deadline_shown(client, attempt_id: int) -> str:
    """The "Submit before ..." time on the attempt page."""
    page = client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    return re.search(r"Submit before ([^.<]+)\.", page).group(1)


def deadline_in(app, attempt_id: int, zone: str, label: str) -> str:
    """The attempt's deadline as a person in `zone` reads it."""
    from quizzes.models import Attempt

    with app.app_context():
        deadline = aware(db.session.get_one(Attempt, attempt_id).deadline)
    return f"{deadline.astimezone(zoneinfo.ZoneInfo(zone)).strftime('%H:%M:%S')} {label}"


def test_the_deadline_follows_the_profile_then_the_browser_then_utc(app, client, learner, tmp_path):
    course = attempts.one_module_lab(app, tmp_path, time_limit_minutes=5)
    attempts.enrol(app, learner["id"], course.id)
    attempt_id = attempts.start(client, course.quiz_id)
    assert deadline_shown(client, attempt_id) == deadline_in(app, attempt_id, "UTC", "UTC")

    client.set_cookie("tz", "Asia/Manila")  # what the page's script sets from the browser
    assert deadline_shown(client, attempt_id) == deadline_in(app, attempt_id, "Asia/Manila", "PST")
    client.set_cookie("tz", "Mars/Olympus")  # not a time zone: UTC
    assert deadline_shown(client, attempt_id) == deadline_in(app, attempt_id, "UTC", "UTC")
    client.set_cookie("tz", "Asia/Kolkata")

    profile = client.get("/profile").get_data(as_text=True)
    assert '<option value="America/New_York">America/New York</option>' in profile
    refused = client.post("/profile/preferences", data={"csrf_token": csrf_token_from(profile), "time_zone": "Nowhere"})
    assert refused.status_code == 400 and 'id="time_zone-error"' in refused.get_data(as_text=True)
    saved = client.post(
        "/profile/preferences",
        data={"csrf_token": csrf_token_from(profile), "time_zone": "America/New_York", "email_reminders": "y"},
    )
    assert saved.status_code == 302
    shown = deadline_shown(client, attempt_id)  # the profile's zone wins over the browser's
    assert shown in (
        deadline_in(app, attempt_id, "America/New_York", "EST"),
        deadline_in(app, attempt_id, "America/New_York", "EDT"),
    )
    assert '<option selected value="America/New_York">' in client.get("/profile").get_data(as_text=True)
