"""Actions hard to take back for the people they touch ask first, in the browser: unpublishing a quiz learners
take, making someone an admin, deactivating an account, retiring or removing a question. Declining sends
nothing; agreeing does what the button says."""

from playwright.sync_api import expect
from sqlalchemy import select

from lms.extensions import db
from tests.browser.test_badge_journey import sign_in
from tests.helpers import assign_trainer
from tests.test_quiz_attempts import one_module_lab


def answer_dialogs(page, answers: list[bool]) -> list[str]:
    """Answer the page's next confirmations in turn (True: agree); the questions asked, as they come."""
    asked: list[str] = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept() if answers[len(asked) - 1] else dialog.dismiss()

    page.on("dialog", answer)
    return asked


def test_unpublishing_a_quiz_asks_first(page, live_server, app, make_user, tmp_path):
    from quizzes.models import Quiz

    course = one_module_lab(app, tmp_path)
    trainer = make_user("trainer")
    assign_trainer(app, trainer, course.id)
    sign_in(page, live_server.url, trainer)
    asked = answer_dialogs(page, [False, True])
    page.goto(f"{live_server.url}/author/quizzes/{course.quiz_id}")

    page.get_by_role("button", name="Unpublish").click()
    expect(page.get_by_role("button", name="Unpublish")).to_be_visible()  # declined: nothing sent
    with app.app_context():
        assert db.session.get(Quiz, course.quiz_id).active
    page.get_by_role("button", name="Unpublish").click()
    expect(page.get_by_role("button", name="Publish", exact=True)).to_be_visible()
    with app.app_context():
        assert not db.session.get(Quiz, course.quiz_id).active
    assert asked[0].startswith("Take “Quiz: Module m1” back from learners?") and "attempted 0 times" in asked[0]


def test_making_someone_an_admin_asks_first_and_another_role_does_not(page, live_server, app, make_user):
    from lms.models import User

    admin = make_user("admin")
    learner = make_user(email="rosa@example.com")
    sign_in(page, live_server.url, admin)
    asked = answer_dialogs(page, [False])
    page.goto(f"{live_server.url}/admin/users?q=rosa")
    row = page.get_by_role("row").filter(has_text="rosa@example.com")
    row.get_by_label("Role for rosa@example.com").select_option("admin")
    row.get_by_role("button", name="Save").click()
    page.wait_for_timeout(300)
    with app.app_context():
        assert db.session.get(User, learner["id"]).role == "learner"  # declined
    row.get_by_label("Role for rosa@example.com").select_option("trainer")
    row.get_by_role("button", name="Save").click()  # no question: a trainer is not an admin
    expect(page.get_by_role("row").filter(has_text="rosa@example.com")).to_contain_text("Trainer")
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.id == learner["id"])) == "trainer"
    assert asked == ["Make rosa@example.com an admin? Admins manage every account, course and badge."]


def test_deleting_a_cohort_asks_first_and_says_its_learners_keep_their_records(page, live_server, app, make_user):
    from lms.cohorts import Cohort, add_members, create_cohort
    from lms.models import User

    admin = make_user("admin")
    learner = make_user(email="rosa@example.com")
    with app.app_context():
        actor = db.session.get(User, admin["id"])
        cohort = create_cohort(actor, "Cebu day shift")
        add_members(actor, cohort, [(0, learner["email"])])
        cohort_id = cohort.id
    sign_in(page, live_server.url, admin)
    asked = answer_dialogs(page, [False, True])
    page.goto(f"{live_server.url}/admin/cohorts/{cohort_id}")
    page.get_by_role("button", name="Delete the cohort").click()
    page.wait_for_timeout(300)
    with app.app_context():
        assert db.session.get(Cohort, cohort_id) is not None  # declined
    page.get_by_role("button", name="Delete the cohort").click()
    expect(page.get_by_text("Deleted the cohort “Cebu day shift” (1 learner).").first).to_be_visible()
    question = (
        "Delete the cohort Cebu day shift (1 learner)? Its learners keep their accounts, enrolments and records; "
        "only the group goes."
    )
    assert asked == [question, question]
