"""Earned, not given, in the browser: a learner who hands in a blank quiz never sees a right answer, waits for the
cool-down, finds the final assessment closed until every module is complete, gets the course badge only once the
final is passed, and downloads a certificate whose QR code leads to the verification page."""

import re

import pypdf
from playwright.sync_api import expect

from tests import test_badges_issuing as issuing
from tests.browser.test_badge_journey import sign_in
from tests.test_certificate import qr_codes
from tests.test_earning_rules import feedback_of


def test_a_badge_is_earned_by_passing_and_the_certificate_verifies(page, live_server, app, make_user, axe, tmp_path):
    base = live_server.url
    course = issuing.sync_course(app)
    module = course.modules[issuing.FIRST_MODULE]
    learner = make_user(name="Lorna Bautista")
    issuing.enrol_learner(app, learner["id"], course)
    sign_in(page, base, learner)

    # A blank attempt at a module quiz: the review lists the questions missed, never a right answer.
    page.goto(f"{base}/quizzes/{module.quiz_id}")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url(re.compile(r"/quizzes/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("unanswered questions?")  # asked first
    page.get_by_role("button", name="Submit anyway").click()
    page.wait_for_url(re.compile(r"/review$"))
    expect(page.get_by_text("Not passed yet")).to_be_visible()
    expect(page.get_by_role("heading", name="Questions you missed")).to_be_visible()
    expect(page.get_by_role("heading", name="Lessons to revisit")).to_be_visible()
    shown = page.locator("main").inner_text()
    assert "Right answer" not in shown
    for explanation in feedback_of(app, attempt_id):
        assert explanation[:60] not in shown, explanation
    axe(page, "review of a blank attempt")

    # No retake before the cool-down.
    page.get_by_role("link", name="Back to the quiz").click()
    expect(page.locator("#start-refusal")).to_contain_text("You can try again in 10 minutes")
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)
    axe(page, "quiz page in its cool-down")

    # The final assessment stays closed until every module is complete.
    page.goto(f"{base}/quizzes/{course.final_quiz_id}")
    expect(page.locator("#start-refusal")).to_have_text(
        "The final assessment opens once you have completed every module."
    )
    expect(page.get_by_role("button", name="Start the quiz")).to_have_count(0)
    for slug in course.modules:
        issuing.complete_module(app, learner["id"], course, slug)
    page.goto(f"{base}/badges/mine")
    expect(page.get_by_role("heading", name="BPO Operations Career Course")).to_have_count(0)

    # Passing the final earns the course and its badge, and the page says so.
    page.goto(f"{base}/quizzes/{course.final_quiz_id}")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url(re.compile(r"/quizzes/attempts/\d+$"))
    answer_rightly(app, int(page.url.rsplit("/", 1)[1]))  # saved as the page's autosave would
    page.reload()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url(re.compile(r"/review$"))
    expect(page.get_by_text("Passed. Well done!")).to_be_visible()
    expect(page.get_by_text(f"Course complete: {course.title}").first).to_be_visible()
    expect(page.get_by_text("Badge earned: BPO Operations Career Course").first).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Course complete")
    axe(page, "review with the course and badge messages")

    # The certificate, from the course page.
    page.get_by_role("link", name="See your course").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="Certificate (A4, PDF)").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    pdf = saved.read_bytes()
    (award,) = [a for a in issuing.awards_of(app, learner["id"]) if a["badge_id"] == course.badge_id]
    verify_url = f"{base}/badges/verify/{award['public_id']}"
    text = " ".join(pypdf.PdfReader(saved).pages[0].extract_text().split())
    assert "Lorna Bautista" in text and verify_url in text
    assert qr_codes(pdf) == [verify_url]
    page.goto(verify_url)
    expect(page.locator("#earner")).to_have_text("Lorna Bautista")


def answer_rightly(app, attempt_id: int) -> None:
    """Save the right answer to every question of the attempt through the service."""
    from lms.extensions import db
    from quizzes.attempts import save_answers, slot_views
    from quizzes.models import Attempt

    with app.app_context():
        attempt = db.session.get_one(Attempt, attempt_id)
        views = slot_views(attempt)
        answers = {v.slot: v.qtype.correct_response(v.version.config) for v in views if v.qtype is not None}
        save_answers(attempt_id, attempt.user_id, answers)
