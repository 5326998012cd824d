"""Keyboard only, in a real browser: a learner takes a module quiz, fails it, sees what the review policy allows
(which questions were wrong, never the answers), retries, passes, and the module shows complete. axe-core finds
no WCAG 2.1 A/AA violation on the quiz, attempt and review pages."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from lms.extensions import db
from tests.test_quiz_attempts import enrol, sync, write_pack

QUIZ_GIFT = """$CATEGORY: lab/journey

::capital::Which city is the capital of France? {
=Paris#Yes, Paris is the capital.
~Lyon#Lyon is France's third city.
~Marseille#Marseille is its oldest city.
####Paris has been the capital for centuries.
}

::sky::True or false\\: the sky on a clear day is green. {
F#It is blue.#Right, it is blue.
####A clear daytime sky looks blue.
}
"""

FOCUSED = """() => {
  const el = document.activeElement;
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return {tag: el.tagName.toLowerCase(), name: el.getAttribute("name") || "", label: label.trim(),
          text: (el.innerText || "").trim(), checked: !!el.checked};
}"""


def focused(page) -> dict:
    """What has the keyboard focus: tag, name, label, text and whether it is checked."""
    return page.evaluate(FOCUSED)


def tab_to(page, wanted, key="Tab", limit=80) -> dict:
    """Press Tab (or another key) until the focused element matches `wanted`; fail if it never does."""
    trail = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if all(now.get(k) == v for k, v in wanted.items()):
            return now
        trail.append(now.get("text") or now.get("label") or now.get("tag"))
    raise AssertionError(f"{wanted} never got the focus; focus went through {trail}")


def sign_in_with_the_keyboard(page, base, user):
    page.goto(f"{base}/login")
    page.get_by_label("Email").focus()
    page.keyboard.type(user["email"])
    tab_to(page, {"name": "password"})
    page.keyboard.type(user["password"])
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/dashboard")


def answer_with_the_keyboard(page, capital_moves: int, sky_moves: int):
    """Tab into each radio group, move with the arrow keys (which select), or press Space to select the first."""
    start = tab_to(page, {"name": "q0"})
    assert start["label"] == "Paris" and not start["checked"]  # nothing is chosen yet
    if capital_moves:
        for _ in range(capital_moves):
            page.keyboard.press("ArrowDown")
    else:
        page.keyboard.press("Space")
    start = tab_to(page, {"name": "q1"})
    assert start["label"] == "True"
    if sky_moves:
        for _ in range(sky_moves):
            page.keyboard.press("ArrowDown")
    else:
        page.keyboard.press("Space")


def test_keyboard_learner_fails_retries_passes_and_completes_the_module(
    page, live_server, app, axe, make_user, tmp_path
):
    from courses.models import Course
    from quizzes.models import Quiz

    course = sync(
        app,
        write_pack(
            tmp_path / "pack",
            [
                {
                    "slug": "first-steps",
                    "title": "First steps",
                    "lessons": ["first-read"],
                    "gift": QUIZ_GIFT,
                    "quiz": {
                        "title": "First steps quiz",
                        "pass_mark": 70,
                        "review": "retry_without_key",
                        "shuffle_options": False,
                    },
                }
            ],
            slug="keyboard-lab",
            title="Keyboard lab",
        ),
    )
    learner = make_user(name="Ana Cruz")
    enrol(app, learner["id"], course.id, read=["first-read"])
    with app.app_context():
        assert db.session.get(Course, course.id).slug == "keyboard-lab"
        quiz_id = db.session.scalar(select(Quiz.id).where(Quiz.course_id == course.id))
    base = live_server.url
    sign_in_with_the_keyboard(page, base, learner)

    # The quiz page: its rules, and a start button reached with Tab.
    page.goto(f"{base}/quizzes/{quiz_id}")
    expect(page.get_by_role("heading", name="First steps quiz", level=1)).to_be_visible()
    expect(page.get_by_text("2 questions; pass mark 70%.")).to_be_visible()
    axe(page, "quiz page")
    tab_to(page, {"tag": "button", "text": "Start the quiz"})
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"{base}/quizzes/attempts/\d+$"))
    expect(page.get_by_role("heading", name="Question 1 of 2")).to_be_visible()
    axe(page, "attempt page")

    # First attempt: Lyon (one arrow down from Paris) is wrong, False (one down from True) is right.
    answer_with_the_keyboard(page, capital_moves=1, sky_moves=1)
    expect(page.get_by_label("Lyon")).to_be_checked()
    expect(page.get_by_label("False")).to_be_checked()
    expect(page.locator("#autosave-status")).to_contain_text("Answers saved at")
    tab_to(page, {"tag": "button", "text": "Submit answers"})
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"{base}/quizzes/attempts/\d+/review$"))
    expect(page.get_by_text("Not passed yet (pass mark 70%).")).to_be_visible()
    # The question missed, with the learner's own answer and the lessons to revisit; never the right answer.
    expect(page.get_by_role("heading", name="Questions you missed")).to_be_visible()
    expect(page.get_by_role("heading", name="Question 1: not right")).to_be_visible()
    expect(page.get_by_text("Your answer: Lyon.")).to_be_visible()
    expect(page.get_by_role("heading", name="Lessons to revisit")).to_be_visible()
    body = page.locator("main").inner_text()
    for hidden in ("Question 2", "Right answer", "Paris", "Paris is the capital", "blue"):
        assert hidden not in body, hidden
    axe(page, "review page (failed)")

    # Back to the quiz and try again: Paris (Space on the first option) and False.
    tab_to(page, {"tag": "a", "text": "Back to the quiz"})
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/quizzes/{quiz_id}")
    expect(page.get_by_text("Not passed", exact=False).first).to_be_visible()
    axe(page, "quiz page with an attempt")
    tab_to(page, {"tag": "button", "text": "Try again"})
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"{base}/quizzes/attempts/\d+$"))
    expect(page.get_by_text("Attempt 2.")).to_be_visible()
    answer_with_the_keyboard(page, capital_moves=0, sky_moves=1)
    expect(page.get_by_label("Paris")).to_be_checked()
    # Shift+Tab goes back to the first question, and the choice is still there.
    tab_to(page, {"name": "q0"}, key="Shift+Tab")
    expect(page.get_by_label("Paris")).to_be_focused()
    tab_to(page, {"tag": "button", "text": "Submit answers"})
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"{base}/quizzes/attempts/\d+/review$"))
    expect(page.get_by_text("Passed. Well done!")).to_be_visible()
    expect(page.get_by_text("Your answer: Paris.")).to_be_visible()  # passed: the whole review shows
    axe(page, "review page (passed)")

    # The module now shows complete.
    tab_to(page, {"tag": "a", "text": "Back to the module"})
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/courses/keyboard-lab/first-steps")
    complete = "Module complete: its lessons are read and the quizzes that count towards it are passed."
    expect(page.get_by_text(complete)).to_be_visible()
    axe(page, "module page")
