"""A trainer opens the learner table from the course page, filters it, sorts it and opens a learner's record;
the table passes axe."""

from playwright.sync_api import expect

from tests.browser.test_badge_journey import sign_in
from tests.helpers import assign_trainer
from tests.test_badges_issuing import earn_first_badge, sync_course


def test_a_trainer_filters_and_sorts_the_learner_table(page, live_server, app, make_user, axe):
    course = sync_course(app)
    earn_first_badge(app, make_user, course, name="Rosa Reyes")
    earn_first_badge(app, make_user, course, name="Tomas Tan")
    trainer = make_user("trainer")
    assign_trainer(app, trainer, course.id)
    sign_in(page, live_server.url, trainer)
    page.goto(f"{live_server.url}/courses/{course.slug}")
    page.get_by_role("link", name="Learners and their progress").click()
    expect(page.get_by_role("heading", name="Learners")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)
    axe(page, "learner table")
    page.get_by_label("Name or email").fill("tomas")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_label("Name or email").fill("")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="Learner").click()  # already by name: now descending
    expect(page.locator("tbody tr").first).to_contain_text("Tomas Tan")
    page.get_by_role("link", name="Rosa Reyes").click()
    expect(page.get_by_role("heading", name="Record of Rosa Reyes")).to_be_visible()
