"""In a real browser: a learner answers a self-check inside a lesson and is told at once whether it was right and
why, drafts a practice task and compares it with the model answer, and follows a glossary link to the term.
axe-core checks the lesson and the glossary."""

import re

from playwright.sync_api import expect

from tests.browser.test_badge_journey import sign_in
from tests.test_quiz_attempts import enrol, sync, write_pack

LESSON = """---
title: Calls that come in
minutes: 5
objectives: [Tell inbound from outbound calls]
---
Every call has a direction. Watch your [average handle time (AHT)](glossary:aht) as you learn.

```selfcheck
question: "A customer rings the helpline about a bill. Which kind of call is it?"
options:
  - text: "Outbound"
    why: "Outbound calls are the ones the agent makes."
  - text: "Inbound"
    correct: true
    why: "The customer started it, so it came in."
```

```task
title: "Open a call well"
prompt: |
  Write the first two sentences you would say when you answer.
model: |
  Greet, give your name, and ask how you can help.
```
"""
GLOSSARY = """- slug: aht
  term: "Average handle time (AHT)"
  definition: "How long a contact takes on average, talking and wrap-up included."
"""


def calls_lab_learner(app, make_user, tmp_path) -> dict:
    """A course of one lesson with a self-check, a task and a glossary link, and a learner enrolled in it."""
    pack = write_pack(tmp_path / "pack", [{"slug": "calls", "lessons": ["calls-in"]}], slug="calls-lab", title="Calls")
    (pack / "lessons" / "calls-in.md").write_text(LESSON, encoding="utf-8")
    (pack / "glossary.yaml").write_text(GLOSSARY, encoding="utf-8")
    course = sync(app, pack)
    learner = make_user()
    enrol(app, learner["id"], course.id)
    return learner


def test_a_learner_practises_inside_a_lesson_and_opens_the_glossary(
    browser, live_server, app, axe, make_user, tmp_path
):
    learner = calls_lab_learner(app, make_user, tmp_path)
    base = live_server.url
    page = browser.new_page()
    sign_in(page, base, learner)

    page.goto(f"{base}/courses/calls-lab/calls/calls-in")
    check = page.get_by_role("region", name=re.compile("^Check yourself"))
    result = check.locator("[role=status]")  # empty until an answer is checked
    # By keyboard: arrowing through the options grades none of them; "Check my answer" grades the one picked.
    check.get_by_label("Outbound").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(result).to_have_text("")
    check.get_by_role("button", name="Check my answer").click()
    expect(result).to_have_text("Not quite. Outbound calls are the ones the agent makes.")
    check.get_by_label("Inbound").check()
    expect(result).to_have_text("")  # a new pick: the last verdict no longer applies
    check.get_by_role("button", name="Check my answer").click()
    expect(result).to_have_text("Right. The customer started it, so it came in.")
    axe(page, "lesson with a self-check")

    task = page.get_by_role("region", name="Practice task: Open a call well")
    task.get_by_label("Your draft").fill("Good morning, this is Priya. How can I help?")
    task.get_by_text("Compare with a model answer").click()
    expect(task.get_by_text("Greet, give your name")).to_be_visible()

    page.get_by_role("link", name="average handle time (AHT)").click()
    expect(page).to_have_url(re.compile(r"/courses/calls-lab/glossary#aht$"))
    expect(page.locator("dt#aht")).to_have_text("Average handle time (AHT)")
    axe(page, "glossary")


def test_without_javascript_the_answer_is_still_one_click_away(browser, live_server, app, make_user, tmp_path):
    learner = calls_lab_learner(app, make_user, tmp_path)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, learner)

    page.goto(f"{live_server.url}/courses/calls-lab/calls/calls-in")
    check = page.get_by_role("region", name=re.compile("^Check yourself"))
    check.get_by_text("Show the answer").click()
    expect(check.get_by_text("Inbound: The customer started it, so it came in.")).to_be_visible()
    context.close()
