"""In a real browser, by keyboard only: a learner takes the typing test at a known pace and the server measures
that pace; filling the box in one go (as pasting or a script does) does not pass; the result shows in the review.
A learner keys a data-entry drill field by field, and talks through a call reply by reply. axe-core checks the
pages before and after each."""

import re
import time

from playwright.sync_api import expect

from tests.browser.test_badge_journey import sign_in
from tests.test_conversation import talk_lab
from tests.test_data_entry_drill import DRILL_FILE, KEYED
from tests.test_quiz_attempts import enrol
from tests.test_role_readiness import cohort_of
from tests.test_typing_test import PASSAGE, TYPING_FILE, exercise_lab, typing_lab

KEY_DELAY_MS = 80  # about 150 words a minute, inside what a fast typist reaches


def start_exercise(browser, base: str, app, make_user, course, slug: str, name: str):
    """A new learner, enrolled and signed in, who starts the exercise called `name` ("drill") by keyboard: (their
    page, the learner)."""
    learner = make_user()
    enrol(app, learner["id"], course.id)
    page = browser.new_page()
    sign_in(page, base, learner)
    page.goto(f"{base}/quizzes/{course.quizzes[slug]}")
    page.get_by_role("button", name=f"Start the {name}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"The {name}")).to_be_visible()
    expect(page.get_by_role("navigation", name="Questions")).to_have_count(0)  # one exercise: nothing to move to
    return page, learner


def test_a_learner_takes_the_typing_test_by_keyboard_and_the_server_measures_their_pace(
    browser, live_server, app, axe, make_user, tmp_path
):
    course = typing_lab(app, tmp_path)
    page, _learner = start_exercise(browser, live_server.url, app, make_user, course, "typing-test", "typing test")
    axe(page, "typing test before a run")

    box = page.get_by_label("Type the passage here")
    status = page.get_by_role("status").filter(has_text=re.compile("clock|standard|measuring"))
    page.get_by_role("button", name="Start the typing test of question 1").focus()
    page.keyboard.press("Enter")
    expect(box).to_be_enabled()
    expect(box).to_be_focused()
    began = time.monotonic()
    page.keyboard.type(PASSAGE, delay=KEY_DELAY_MS)  # the last character finishes the run
    typed_for = time.monotonic() - began
    expect(status).to_contain_text("Your run meets the standard.")

    pace = len(PASSAGE) / 5 / (typed_for / 60)  # gross words a minute, as the test typed them
    measured = float(re.search(r"\(([\d.]+) gross\)", status.inner_text()).group(1))
    assert abs(measured - pace) <= 0.1 * pace, (measured, pace)
    expect(status).to_contain_text("100% accuracy, 0 errors")
    axe(page, "typing test with a result")

    # Filling the box at once, as pasting or a script does, is seen by the server as a jump: it does not pass.
    page.get_by_role("button", name="Try again the typing test of question 1").click()
    expect(box).to_be_enabled()
    box.fill(PASSAGE)
    expect(status).to_contain_text("counts as pasted")

    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("Not passed yet")).to_be_visible()
    expect(page.get_by_text("A run with pasted text")).to_be_visible()


def keyboard_lab(app, tmp_path):
    """A course with a typing test and a drill, and one role that needs both."""
    roles = [
        {
            "slug": "data-entry-operator",
            "title": "Data Entry Operator",
            "skills": [
                {"skill": "Types fast and accurately", "evidence": ["typing-test"]},
                {"skill": "Keys records accurately", "evidence": ["data-entry-drill"]},
            ],
        }
    ]
    more = [(DRILL_FILE, "data-entry-drill", "Data-entry drill")]
    return exercise_lab(app, tmp_path, TYPING_FILE, "typing-test", "Typing test", more=more, roles=roles)


def test_a_learner_keys_a_data_entry_drill_by_keyboard_and_sees_their_readiness(
    browser, live_server, app, axe, make_user, login, tmp_path
):
    course = keyboard_lab(app, tmp_path)
    base = live_server.url
    page, learner = start_exercise(browser, base, app, make_user, course, "data-entry-drill", "drill")
    expect(page.get_by_text("CL-40318")).to_be_visible()
    axe(page, "drill before a run")
    # On a phone, Start follows the instructions, above the records (it was below all four of them, some 2,000
    # pixels further down): the instructions and a screen's scroll at most lead to it.
    page.set_viewport_size({"width": 390, "height": 844})
    start = page.get_by_role("button", name="Start the drill of question 1")
    records = page.locator(".drill-record")
    assert start.bounding_box()["y"] < records.first.bounding_box()["y"]
    page.evaluate("window.scrollTo(0, 0)")
    assert start.bounding_box()["y"] < 2 * 844, "Start is more than a screen's scroll below the page's top"
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name="Start the drill of question 1").focus()
    page.keyboard.press("Enter")
    first = page.get_by_label("Claim number, record 1")
    expect(first).to_be_enabled()
    expect(first).to_be_focused()
    # Record by record, field by field, as the boxes are laid out; Enter moves on as Tab does (it had sent the
    # page's form, reloading the page and losing the run).
    for n, value in enumerate(KEYED.values()):
        page.keyboard.type(value, delay=KEY_DELAY_MS)
        page.keyboard.press("Enter" if n % 2 else "Tab")
    expect(page.get_by_role("button", name="Finish the drill of question 1")).to_be_focused()
    page.keyboard.press("Enter")

    status = page.get_by_role("status").filter(has_text="standard")
    expect(status).to_contain_text("Your run meets the standard.")
    expect(status).to_contain_text("7 of 8 fields right (87.5%)")
    expect(status).to_contain_text("record 2, Amount: “78.50” for “87.50”")
    axe(page, "drill with a result")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("Passed. Well done!")).to_be_visible()

    # The drill is one skill of the role; the typing test, not yet taken, is what is missing.
    page.goto(f"{base}/courses/practice-lab")
    page.get_by_role("link", name="Your readiness for the jobs this course prepares you for").click()
    role = page.get_by_role("region", name="Data Entry Operator")
    expect(role).to_contain_text("1 of 2 skills shown. Still to show: Types fast and accurately.")
    expect(role).to_contain_text("Data-entry drill: passed, best 100%. 7 of 8 fields right (87.5%)")
    axe(page, "role readiness")

    # An admin sees the cohort the learner is in: one learner part of the way.
    admin = make_user("admin")
    cohort = cohort_of(app, admin, "Morning intake", [learner])
    staff = browser.new_page()
    sign_in(staff, base, admin)
    staff.goto(f"{base}/reports/courses/practice-lab")
    staff.get_by_role("link", name="Role readiness of a cohort").click()
    staff.get_by_label("Cohort").select_option(str(cohort))
    staff.get_by_role("button", name="Show").click()
    # Ready, part of the way, enrolled.
    expect(staff.get_by_role("row", name="Data Entry Operator")).to_have_text(
        re.compile(r"Data Entry Operator\s*0\s*1\s*1")
    )
    axe(staff, "cohort readiness")


def test_a_learner_talks_through_a_call_by_keyboard_and_reads_the_replay(
    browser, live_server, app, axe, make_user, tmp_path
):
    course = talk_lab(app, tmp_path)
    page, _learner = start_exercise(browser, live_server.url, app, make_user, course, "practice-call", "call")
    line = page.locator("#line-1")
    expect(line).to_contain_text("You charged me twice!")
    # On a call the browser can read the line aloud; the transcript stays on the page.
    expect(page.get_by_role("button", name="Play customer's line aloud (question 1)")).to_be_visible()
    axe(page, "conversation")

    for text, heard in (
        ("Sorry about that. Can I check your account number first?", "So will I get it back?"),
        ("Yes, refunded today. Anything else?", "Thanks, bye."),
    ):
        reply = page.get_by_role("button", name=text)
        reply.focus()
        expect(reply).to_be_focused()
        # The reply is saved and the page comes back: wait for it to load before the next reply is focused.
        with page.expect_navigation(wait_until="load"):
            page.keyboard.press("Enter")
        expect(line).to_contain_text(heard)
        expect(line).to_be_focused()  # the new line is read out next, not the page from its top
    expect(page.get_by_text("The conversation has ended.")).to_be_visible()

    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("100%")).to_be_visible()
    expect(page.get_by_text("NOTE-good-open")).to_be_visible()
    axe(page, "conversation review")
