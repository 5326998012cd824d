"""An admin opens a learner's record from the user list, then one of their attempts as recorded; both pass axe."""

from playwright.sync_api import expect

from tests.browser.test_badge_journey import sign_in
from tests.test_badges_issuing import earn_first_badge, sync_course


def test_an_admin_opens_a_learners_record_and_an_attempt(page, live_server, app, make_user, axe):
    course = sync_course(app)
    learner = earn_first_badge(app, make_user, course, name="Rosa Reyes")
    sign_in(page, live_server.url, make_user("admin"))
    page.goto(f"{live_server.url}/admin/users")
    page.get_by_role("link", name="Rosa Reyes").click()
    expect(page.get_by_role("heading", name="Record of Rosa Reyes")).to_be_visible()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    axe(page, "learner record")
    page.get_by_role("link", name="Answers of attempt 1 at Quiz: What BPO is and why companies use it").click()
    expect(page.get_by_text("The attempt as recorded, with the right answers; read-only.")).to_be_visible()
    axe(page, "attempt as recorded")
    page.get_by_role("link", name="Back to Rosa Reyes's record").click()
    expect(page).to_have_url(f"{live_server.url}/learners/{learner['id']}/record")
