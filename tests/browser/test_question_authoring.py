"""A trainer writes a quiz in the browser (settings, several question types, a preview), publishes it, a learner
takes it, and the trainer's later edit leaves the learner's attempt as it was; script typed into the forms never
runs anywhere."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_badge_journey import sign_in
from tests.helpers import assign_trainer
from tests.test_quiz_attempts import enrol, one_module_lab

RIGHT_REPLY = "I understand how frustrating this is."
QUIZ_PAGE = re.compile(r"/author/quizzes/\d+$")


@pytest.fixture
def lab(app, make_user, tmp_path):
    """A one-module course with its trainer and an enrolled learner (not signed in anywhere yet)."""
    course = one_module_lab(app, tmp_path)
    course.trainer = make_user("trainer")
    course.learner = make_user()
    assign_trainer(app, course.trainer, course.id)
    enrol(app, course.learner["id"], course.id)
    return course


def row(page, name: str):
    """One row of a question form's answers, by its legend ("Choice 2", "Pair 1")."""
    return page.get_by_role("group", name=name, exact=True)


def write_question(page, qtype: str, stem: str) -> None:
    """Open the form for a new question of this type from the quiz page and fill in its text."""
    page.get_by_label("Write a new question").select_option(label=qtype)
    page.get_by_role("button", name="Write it").click()
    page.get_by_label("Question text").fill(stem)


def test_a_trainer_writes_previews_and_publishes_a_quiz_that_a_learner_takes(page, browser, live_server, axe, lab):
    base = live_server.url
    sign_in(page, base, lab.trainer)
    page.goto(f"{base}/author/quizzes")
    page.get_by_role("link", name="New quiz").click()
    page.get_by_label("Title").fill("Calming angry callers")
    page.get_by_label("Where learners find it").select_option(label="Module m1")
    page.get_by_label("Introduction").fill("Practise **de-escalation** before your first live call.")
    page.get_by_label("Pass mark (%)").fill("60")
    axe(page, "new quiz form")
    page.get_by_role("button", name="Create the quiz").click()
    expect(page.get_by_text("Not published: learners do not see it")).to_be_visible()
    axe(page, "quiz authoring page")

    # Single choice: saved first without a right answer, which the form explains beside the choices.
    write_question(page, "Single choice", "Which reply calms an angry caller?")
    row(page, "Choice 1").get_by_label("Text").fill(RIGHT_REPLY)
    row(page, "Choice 1").get_by_label("Feedback on this choice").fill("It names the feeling.")
    row(page, "Choice 2").get_by_label("Text").fill("Please calm down.")
    page.get_by_role("button", name="Save the question").click()
    # Said beside the answers and in the summary at the top, which names it (not the editor's inner "rows").
    expect(page.get_by_text("Give the right answer the grade 100%: no choice has it now.", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Answers: Give the right answer the grade 100%")).to_be_visible()
    axe(page, "question form with an error")
    row(page, "Choice 1").get_by_label("Grade").select_option(label="100%")
    page.get_by_role("button", name="Save the question").click()
    expect(page.get_by_text("Question added to the quiz.").first).to_be_visible()

    write_question(page, "Multiple response", "Which steps come before discussing an account?")
    for n, (text, grade) in enumerate(
        [("Greet the caller", "50%"), ("Verify identity", "50%"), ("Read the account number aloud", "−100%")], 1
    ):
        row(page, f"Choice {n}").get_by_label("Text").fill(text)
        row(page, f"Choice {n}").get_by_label("Grade").select_option(label=grade)
    page.get_by_role("button", name="More rows").click()
    expect(row(page, "Choice 5")).to_be_visible()
    expect(row(page, "Choice 1").get_by_label("Text")).to_have_value("Greet the caller")
    page.get_by_role("button", name="Save the question").click()

    write_question(page, "Matching", "Match each channel with its work.")
    for n, (prompt, answer) in enumerate([("Voice", "Phone calls"), ("Non-voice", "Email and chat")], 1):
        row(page, f"Pair {n}").get_by_label("Prompt").fill(prompt)
        row(page, f"Pair {n}").get_by_label("Matching answer").fill(answer)
    axe(page, "question form")
    page.get_by_role("button", name="Save the question").click()
    expect(page.get_by_role("listitem").filter(has_text="Matching, version 1")).to_be_visible()

    write_question(page, "Essay", "A caller says the bill is wrong. Write your first two sentences to them.")
    page.get_by_label("Marking guidance").fill("Full marks: acknowledges the problem and says what happens next.")
    page.get_by_role("button", name="Save the question").click()
    expect(page.get_by_role("listitem").filter(has_text="Essay, version 1")).to_be_visible()

    # Preview the first question, answer it, and read the grade; nothing is recorded.
    page.get_by_role("link", name="Preview question 1").click()
    page.get_by_label(RIGHT_REPLY).check()
    page.get_by_role("button", name="Check my answer").click()
    expect(page.get_by_role("heading", name="Right: 100%")).to_be_visible()
    expect(page.get_by_text("It names the feeling.")).to_be_visible()
    axe(page, "question preview with its result")

    page.get_by_role("link", name="Back to Calming angry callers").click()
    page.wait_for_url(QUIZ_PAGE)
    quiz_page = page.url
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published: learners can take the quiz.")).to_be_visible()

    # The learner takes it in their own browser and passes.
    learner = browser.new_page()
    sign_in(learner, base, lab.learner)
    learner.goto(f"{base}/author/quizzes")
    expect(learner.get_by_role("heading", name="Not allowed")).to_be_visible()
    learner.goto(quiz_page.replace("/author/quizzes/", "/quizzes/"))
    expect(learner.locator(".quiz-introduction strong")).to_have_text("de-escalation")
    learner.get_by_role("button", name="Start the quiz").click()
    learner.get_by_label(RIGHT_REPLY).check()
    learner.get_by_label("Greet the caller").check()
    learner.get_by_label("Verify identity").check()
    learner.get_by_label("Voice", exact=True).select_option(label="Phone calls")
    learner.get_by_label("Non-voice").select_option(label="Email and chat")
    learner.locator("textarea").fill("I am sorry about the bill. I will check it now.")
    learner.get_by_role("button", name="Submit answers").click()
    expect(learner.get_by_text("A trainer is marking your written answers")).to_be_visible()
    review_url = learner.url

    # The trainer marks the essay from the queue; the learner then sees the score, the mark and the comment.
    page.get_by_role("link", name="Marking").click()
    expect(page.get_by_text("I am sorry about the bill. I will check it now.")).to_be_visible()
    axe(page, "marking queue")
    page.get_by_label("Mark (%)").fill("80")
    page.get_by_label("Comment for the learner").fill("Good apology; **name the next step** too.")
    page.get_by_role("button", name="Save the mark").click()
    expect(page.get_by_text("The attempt is scored: 95%.")).to_be_visible()
    learner.goto(review_url)
    expect(learner.get_by_text("95% — Passed.")).to_be_visible()
    expect(learner.get_by_text("Mark: 80%.")).to_be_visible()
    expect(learner.locator(".feedback strong", has_text="name the next step")).to_be_visible()

    # The trainer thinks again: the apology never names the next step. They open the mark and correct it.
    page.get_by_role("link", name="Marking").click()
    page.locator("summary", has_text="Calming angry callers").click()
    expect(page.get_by_label("Mark (%)")).to_have_value("80")
    expect(page.get_by_text("Full marks: acknowledges the problem and says what happens next.")).to_be_visible()
    axe(page, "marking page with a marked essay opened")
    page.get_by_label("Mark (%)").fill("40")
    page.get_by_label("Comment for the learner").fill("The apology is good; it never says what happens next.")
    page.get_by_role("button", name="Correct the mark").click()
    expect(page.get_by_text("Mark corrected. The attempt is scored again: 95% → 85%.").first).to_be_visible()
    learner.goto(review_url)
    expect(learner.get_by_text("85% — Passed.")).to_be_visible()
    expect(learner.get_by_text("Mark: 40%.")).to_be_visible()
    before = learner.locator("main").inner_text()

    # The trainer rewrites the first question: a new version; the learner's attempt keeps theirs.
    page.goto(quiz_page)
    page.get_by_role("link", name="Edit question 1").click()
    expect(page.get_by_text("Saving makes version 2")).to_be_visible()
    page.get_by_label("Question text").fill("Which reply shows empathy first?")
    page.get_by_role("button", name="Save the question").click()
    expect(page.get_by_text("Saved as version 2.").first).to_be_visible()
    learner.goto(review_url)
    assert learner.locator("main").inner_text() == before
    assert "Which reply calms an angry caller?" in before

    # The rest of the authoring area passes axe too: settings, history, statistics and the bank.
    page.goto(quiz_page)
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Settings of "))
    axe(page, "quiz settings")
    page.goto(quiz_page)
    page.get_by_role("link", name="History of question 1").click()
    expect(page.get_by_role("cell", name="question text")).to_be_visible()
    axe(page, "question history")
    page.goto(quiz_page)
    page.get_by_role("link", name="Question statistics").click()
    expect(page.get_by_role("heading", name="Untitled — version 1").first).to_be_visible()
    axe(page, "question statistics")
    page.goto(f"{base}/author/bank?q=bill")
    expect(page.locator("tbody tr")).to_have_count(1)
    axe(page, "question bank")


# Any script that ran would set window.__xss; the setter keeps the value in sessionStorage, which outlives the
# page, so a script that ran on any page of the visit is still seen at the end.
WATCH = """Object.defineProperty(window, "__xss", {
  set(value) { sessionStorage.setItem("xss", String(value)); },
  get() { return sessionStorage.getItem("xss"); },
});"""
ATTACK = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">[link](javascript:window.__xss=3)'


def test_script_typed_into_authoring_fields_never_runs(page, browser, live_server, lab):
    base = live_server.url
    dialogs = []
    page.add_init_script(WATCH)
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    sign_in(page, base, lab.trainer)
    page.goto(f"{base}/author/quizzes/new")
    page.get_by_label("Title").fill("Hostile " + ATTACK)
    page.get_by_label("Introduction").fill(ATTACK)
    page.get_by_role("button", name="Create the quiz").click()
    write_question(page, "Single choice", ATTACK)
    for n in (1, 2):
        row(page, f"Choice {n}").get_by_label("Text").fill(f"{n} {ATTACK}")
        row(page, f"Choice {n}").get_by_label("Feedback on this choice").fill(ATTACK)
    row(page, "Choice 1").get_by_label("Grade").select_option(label="100%")
    page.get_by_label("General feedback").fill(ATTACK)
    page.get_by_label("Name in the bank").fill(ATTACK)
    page.get_by_label("Tags").fill('<img src=x onerror="window.__xss = 4">, <script>window.__xss = 5</script>')
    page.get_by_role("button", name="Save the question").click()
    page.wait_for_url(QUIZ_PAGE)
    quiz_url = page.url
    write_question(page, "Essay", ATTACK)
    page.get_by_label("Marking guidance").fill(ATTACK)
    page.get_by_role("button", name="Save the question").click()
    page.get_by_role("link", name="Preview question 1").click()
    page.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Check my answer").click()
    for link in page.locator("a").all():
        assert not (link.get_attribute("href") or "").startswith("javascript:")
    page.goto(quiz_url)
    page.get_by_role("link", name="Edit question 1").click()
    page.goto(quiz_url)
    page.get_by_role("button", name="Publish").click()

    learner = browser.new_page()
    learner.add_init_script(WATCH)
    learner.on("dialog", lambda dialog: dialogs.append(dialog.message))
    sign_in(learner, base, lab.learner)
    learner.goto(quiz_url.replace("/author/quizzes/", "/quizzes/"))
    learner.get_by_role("button", name="Start the quiz").click()
    learner.locator("input[type=radio]").first.check()
    learner.locator("textarea").fill(ATTACK)
    learner.get_by_role("button", name="Submit answers").click()
    learner.wait_for_url(re.compile(r"/review$"))
    review_url = learner.url
    page.goto(f"{base}/author/marking")
    page.get_by_label("Mark (%)").fill("10")
    page.get_by_label("Comment for the learner").fill(ATTACK)
    page.get_by_role("button", name="Save the mark").click()
    learner.goto(review_url)
    expect(learner.get_by_text("Mark: 10%.")).to_be_visible()
    learner.get_by_role("link", name="Back to the quiz").click()
    for path in ("/statistics", ""):
        page.goto(quiz_url + path)
        expect(page.locator("main")).to_contain_text("window.__xss")  # there, as text
    page.goto(f"{base}/author/bank?q=window")
    expect(page.locator("tbody tr")).to_have_count(2)
    for visited in (page, learner):
        assert visited.evaluate("window.__xss") is None, visited.url
    assert dialogs == []
