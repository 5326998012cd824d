"""In a real browser set to Manila time: a learner sees the quiz deadline in their own time zone, keeps the time
left in view while scrolling (desktop and phone), uses the question navigator and a flag, is told that "five" is
not a number, and is asked before submitting with unanswered questions. axe-core checks each page."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from lms.extensions import db
from tests.browser.test_badge_journey import sign_in
from tests.helpers import wait_in_page
from tests.test_quiz_attempts import enrol, slot_of, sync, write_pack
from tests.test_quiz_taking import NUMBERS_GIFT


def deadline_in_view(page) -> bool:
    """Whether the "Submit before" bar is inside the visible part of the page."""
    box = page.locator("#deadline").bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_a_learner_in_manila_takes_a_timed_quiz_with_the_navigator_and_is_asked_before_submitting(
    browser, live_server, app, axe, make_user, tmp_path
):
    from quizzes.models import Attempt, Quiz

    quiz = {"title": "Numbers quiz", "time_limit_minutes": 30, "review": "retry_without_key", "shuffle_options": False}
    pack = write_pack(
        tmp_path / "pack",
        [{"slug": "numbers", "title": "Numbers", "lessons": ["numbers-read"], "gift": NUMBERS_GIFT, "quiz": quiz}],
        slug="numbers-lab",
        title="Numbers lab",
    )
    course = sync(app, pack)
    learner = make_user(name="Rosa Reyes")
    enrol(app, learner["id"], course.id, read=["numbers-read"])
    with app.app_context():
        quiz_id = db.session.scalar(select(Quiz.id).where(Quiz.course_id == course.id))
    base = live_server.url
    context = browser.new_context(timezone_id="Asia/Manila")
    page = context.new_page()
    sign_in(page, base, learner)  # the page's script tells the server the browser's zone

    page.goto(f"{base}/quizzes/{quiz_id}")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(rf"{base}/quizzes/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    with app.app_context():
        deadline = db.session.get_one(Attempt, attempt_id).deadline
        slots = {title: slot_of(app, attempt_id, title) + 1 for title in ("count", "sky", "city")}
    manila = (deadline.hour + 8) % 24  # Manila keeps UTC+8 all year
    expect(page.locator("#deadline")).to_contain_text(f"Submit before {manila:02d}:{deadline.minute:02d}")
    expect(page.locator("#deadline")).to_contain_text("PST")
    axe(page, "attempt page")

    # The navigator: nothing answered; typing marks a question answered, a flag marks it flagged.
    navigator = page.get_by_role("navigation", name="Questions")
    expect(navigator).to_contain_text("0 of 3 answered")
    page.get_by_label(f"Your answer to question {slots['count']}").fill("five")
    expect(navigator.locator(f"#nav-{slots['count']}")).to_have_class(re.compile("qnav-answered"))
    page.get_by_label(f"Flag question {slots['sky']} to come back to").check()
    expect(navigator.locator(f"#nav-{slots['sky']}")).to_have_class(re.compile("qnav-flagged"))
    expect(navigator).to_contain_text("1 of 3 answered, 1 flagged")
    expect(page.locator("#autosave-status")).to_contain_text("“five” is not a number")
    expect(page.locator("#autosave-alert")).to_contain_text("“five” is not a number")  # read out: a problem
    navigator.get_by_role("link", name=re.compile(rf"^{slots['sky']}\b")).click()
    expect(page).to_have_url(re.compile(rf"#question-{slots['sky']}$"))

    # The time left stays in view at the bottom of the page, on a desktop and on a phone.
    for size in ({"width": 1280, "height": 800}, {"width": 375, "height": 740}):
        page.set_viewport_size(size)
        page.mouse.wheel(0, 5000)
        wait_in_page(page, "() => window.scrollY > 0")  # the wheel scrolls a moment later
        assert deadline_in_view(page), size

    # "five" is refused beside its question, and stays there to correct.
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".field.has-error")).to_contain_text("“five” is not a number")
    expect(page.get_by_label(f"Your answer to question {slots['count']}")).to_have_value("five")
    axe(page, "attempt page with a refused answer")
    page.get_by_label(f"Your answer to question {slots['count']}").fill("5")
    page.get_by_role("button", name="Submit answers").click()

    # Two questions unanswered: asked first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit with 2 unanswered questions?")
    axe(page, "confirm submitting")
    page.get_by_role("button", name="Submit anyway").click()
    expect(page).to_have_url(re.compile(rf"/quizzes/attempts/{attempt_id}/review$"))
    with app.app_context():
        attempt = db.session.get_one(Attempt, attempt_id)
        assert attempt.status == "submitted" and round(attempt.score) == 33
    context.close()


def test_enter_in_a_typed_answer_saves_the_answers_and_checks_no_other_question(
    browser, live_server, app, make_user, tmp_path
):
    """In a practice quiz each question has a "Check answer" button (its answer then final). Enter in a typed answer
    saves and keeps the learner in place; without JavaScript it presses the form's first button, which must be a
    save, not the check of the question above."""
    from quizzes.models import AttemptAnswer

    quiz = {"title": "Numbers warm-up", "review": "practice", "shuffle_questions": False, "shuffle_options": False}
    gift = NUMBERS_GIFT.replace(
        "::count::", "::first::Which city hosts the French government? {=Paris ~Lyon}\n\n::count::"
    )
    course, learner = numbers_lab(app, make_user, tmp_path, quiz, gift)

    def saved(attempt_id: int) -> dict:
        with app.app_context():
            rows = db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)).all()
            return {row.slot: (row.response, row.checked) for row in rows}

    for script in (False, True):  # with the script last: its check of question 1 makes that answer final
        context = browser.new_context(java_script_enabled=script)
        page = context.new_page()
        sign_in(page, live_server.url, learner)
        page.goto(f"{live_server.url}/quizzes/{course.quizzes['numbers']}")
        page.get_by_role("button", name=re.compile("^(Start|Resume)")).click()
        # Loaded, so the page's deferred script listens: an Enter pressed before it runs sends the form as without it.
        page.wait_for_url(re.compile(r"/quizzes/attempts/\d+$"), wait_until="load")
        attempt_url = page.url
        attempt_id = int(attempt_url.rsplit("/", 1)[1])
        expect(page.get_by_role("button", name="Check answer to question 1")).to_be_visible()
        page.get_by_label("Paris").first.check()
        answer = page.get_by_label("Your answer to question 2")
        answer.fill("5" if script else "6")
        answer.press("Enter")
        if script:  # saved in place: the same page, the learner still in their answer
            expect(page.locator("#autosave-status")).to_contain_text("Answers saved at")
            expect(page.locator("#autosave-alert")).to_have_text("")  # a save that went well is not read out
            expect(answer).to_be_focused()
            assert page.url == attempt_url
        else:
            expect(page.get_by_text("Your answers are saved.")).to_be_visible()
        expect(answer).to_have_value("5" if script else "6")
        expect(page.get_by_role("button", name="Check answer to question 1")).to_be_visible()  # not checked
        answers = saved(attempt_id)
        assert answers[1] == ({"text": "5" if script else "6"}, False) and not any(c for _r, c in answers.values())
        if script:  # a check leaves the page: the answers it sent come back as taken, with nothing "put back"
            page.get_by_role("button", name="Check answer to question 1").click()
            expect(page.get_by_label("Paris").first).to_be_disabled()
            expect(page.locator("#autosave-status")).to_have_text("")
        context.close()


def test_a_timed_attempt_says_aloud_when_five_minutes_are_left(browser, live_server, app, make_user, tmp_path):
    """The ticking time left is not read out; five minutes and one minute before the end, a screen reader hears it
    once (WCAG 2.2.1). The sticky time bar leaves room above a control the keyboard moves to."""
    quiz = {"title": "Quick check", "time_limit_minutes": 5, "review": "retry_without_key"}
    course, learner = numbers_lab(app, make_user, tmp_path, quiz)
    page = browser.new_page()
    sign_in(page, live_server.url, learner)
    page.goto(f"{live_server.url}/quizzes/{course.quizzes['numbers']}")
    page.get_by_role("button", name="Start the quiz").click()
    warning = page.locator("#time-warning")
    expect(warning).to_have_attribute("aria-live", "assertive")
    expect(warning).to_have_text("5 minutes left to submit this attempt. Your answers are saved as you go.")
    assert page.evaluate("getComputedStyle(document.documentElement).scrollPaddingTop") != "auto"
    page.close()


def numbers_lab(app, make_user, tmp_path, quiz: dict, gift: str = NUMBERS_GIFT):
    """A one-module course whose quiz (settings `quiz`) asks `gift`, and a learner enrolled who read its lesson."""
    pack = write_pack(
        tmp_path / "pack",
        [{"slug": "numbers", "title": "Numbers", "lessons": ["numbers-read"], "gift": gift, "quiz": quiz}],
        slug="numbers-lab",
        title="Numbers lab",
    )
    course = sync(app, pack)
    learner = make_user()
    enrol(app, learner["id"], course.id, read=["numbers-read"])
    return course, learner


def test_answers_given_after_a_sign_out_in_another_tab_come_back_after_signing_in_again(
    browser, live_server, app, make_user, tmp_path
):
    """The autosave says the learner is signed out; the answer given then was lost on the way to the sign-in page.
    The tab now keeps it until a save goes through: signing in again leads back to the attempt, which puts the
    answer back on the page and saves it."""
    from tests.test_quiz_attempts import attempt_row, one_module_lab

    course = one_module_lab(app, tmp_path)
    learner = make_user(name="Tess Agent")
    enrol(app, learner["id"], course.id)
    base = live_server.url
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, learner)
    page.goto(f"{base}/quizzes/{course.quiz_id}")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(rf"{base}/quizzes/attempts/\d+$"))
    page.wait_for_load_state("load")  # the deferred script listens only from here: a pick made before is not sent
    attempt_id = int(page.url.rsplit("/", 1)[1])
    capital, sky = slot_of(app, attempt_id, "capital") + 1, slot_of(app, attempt_id, "sky") + 1
    page.locator(f"#question-{capital}").get_by_label("Paris").check()
    expect(page.locator("#autosave-status")).to_contain_text("Answers saved at", timeout=15_000)

    other_tab = context.new_page()
    other_tab.goto(f"{base}/dashboard")
    other_tab.get_by_role("button", name="Sign out").click()
    expect(other_tab.get_by_text("You have signed out.").first).to_be_visible()

    page.locator(f"#question-{sky}").get_by_label("False").check()
    expect(page.locator("#autosave-alert")).to_contain_text(
        "You are signed out, so this was not saved.", timeout=15_000
    )
    page.goto(f"{base}/login?next=/quizzes/attempts/{attempt_id}")
    page.get_by_label("Email").fill(learner["email"])
    page.get_by_label("Password").fill(learner["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/quizzes/attempts/{attempt_id}", timeout=15_000)
    expect(page.locator(f"#question-{sky}").get_by_label("False")).to_be_checked(timeout=15_000)
    expect(page.locator("#autosave-status")).to_contain_text("Answers saved at", timeout=15_000)
    _attempt, answers = attempt_row(app, attempt_id)
    assert answers[capital - 1].response == {"choice": 0} and answers[sky - 1].response == {"answer": False}
    # Once saved, nothing is kept: the page opened again shows the server's answers and says nothing more.
    page.reload()
    expect(page.locator("#autosave-status")).to_have_text("")
    context.close()
