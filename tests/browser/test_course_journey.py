"""A new learner enrols, reads two lessons, leaves, comes back and continues where they left off, in a real
browser; every page on the way passes axe-core's WCAG 2.1 A/AA rules."""

import pathlib
import re

from playwright.sync_api import expect
from sqlalchemy import select

from courses.services import check_pack, sync_pack
from lms.extensions import db
from quizzes.models import Quiz
from tests import test_learner_journey as journey
from tests.helpers import progress_shown

PACK = pathlib.Path(__file__).resolve().parent.parent.parent / "courses" / "bpo_operations"
PASSWORD = "a sturdy passphrase for testing"


def test_learner_enrols_reads_two_lessons_leaves_and_continues(page, live_server, app, mailbox, axe):
    with app.app_context():
        pack, problems = check_pack(PACK)
        assert problems == []
        sync_pack(pack)
        first_quiz_id = db.session.scalar(select(Quiz.id).where(Quiz.slug == pack.modules[0].sections["quiz"].slug))
    base = live_server.url
    module = pack.modules[0]
    first, second = module.lessons[0], module.lessons[1]
    total = journey.total_steps(pack)  # lessons and the quizzes that count
    shown = progress_shown(2, total)
    percent = shown.split("%")[0]

    # A new learner signs up.
    page.goto(f"{base}/")
    page.get_by_role("link", name="Create a free account").click()
    page.get_by_label("Your name").fill("Joy Reyes")
    page.get_by_label("Email").fill("joy@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    (message,) = mailbox  # the confirmation link
    page.goto(re.search(r"(http://\S+/confirm-email/\S+)", message.get_content()).group(1))
    expect(page).to_have_url(f"{base}/dashboard")

    # Courses: the catalog lists the course; enrol.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").click()
    expect(page.get_by_role("heading", name="Courses", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=pack.title)).to_be_visible()
    axe(page, "catalog")
    page.get_by_role("button", name=f"Enrol in {pack.title}").click()
    expect(page).to_have_url(f"{base}/courses/{pack.slug}")
    expect(page.get_by_text(f"You are enrolled in {pack.title}.")).to_be_visible()
    expect(page.get_by_text(f"0% complete (0 of {total} steps)")).to_be_visible()
    axe(page, "course")

    # Read the first two lessons.
    page.get_by_role("link", name=first.title, exact=True).click()
    expect(page).to_have_url(f"{base}/courses/{pack.slug}/{module.slug}/{first.slug}")
    expect(page.get_by_role("heading", name=first.title, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="In this lesson you will")).to_be_visible()
    axe(page, "lesson")
    page.get_by_role("button", name="Mark as complete").click()
    expect(page).to_have_url(f"{base}/courses/{pack.slug}/{module.slug}/{second.slug}")
    expect(page.get_by_text(f"“{first.title}” marked as complete.").first).to_be_visible()
    expect(page.get_by_role("link", name=f"Previous: {first.title}")).to_be_visible()
    page.get_by_role("button", name="Mark as complete").click()
    expect(page).to_have_url(f"{base}/courses/{pack.slug}/{module.slug}")
    expect(page.get_by_role("heading", name="What remains")).to_be_visible()
    axe(page, "module")

    # Leave, and come back another time.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base}/login")
    page.get_by_label("Email").fill("joy@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/dashboard")

    # The dashboard shows the progress: 2 of the course's steps.
    learning = page.get_by_role("region", name="My learning")
    expect(learning.get_by_text(shown)).to_be_visible()
    expect(learning.get_by_role("progressbar")).to_have_attribute("value", percent)
    axe(page, "dashboard")

    # "Continue" opens the first unfinished step: after the module's two lessons, its quiz (the third step).
    learning.get_by_role("link", name=re.compile(r"^Continue")).click()
    expect(page).to_have_url(f"{base}/quizzes/{first_quiz_id}")
    expect(page.get_by_role("heading", name=module.sections["quiz"].title, level=1)).to_be_visible()
