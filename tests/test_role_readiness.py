"""Role readiness over real HTTP on the BPO course: a learner's page shows each job's skills, their evidence and
what is missing; the learner table gives each learner's readiness per role (and its exports); a cohort's page
counts who is ready for each role; the pack's roles are checked."""

import csv
import io

from sqlalchemy import select

from lms.extensions import db
from tests import test_badges_issuing as issuing
from tests.helpers import page_text as spaced_text

ROLES = ("Customer Service Executive", "Technical Support Associate", "Data Entry Operator", "Process Associate")


def page_text(response) -> str:
    """The visible text of a page, without the space a tag leaves before punctuation ("Typing test: passed")."""
    return spaced_text(response).replace(" :", ":").replace(" .", ".").replace(" ,", ",")


def quiz_ids(app, course) -> dict[str, int]:
    """The BPO course's quizzes by slug."""
    from quizzes.models import Quiz

    with app.app_context():
        return dict(db.session.execute(select(Quiz.slug, Quiz.id).where(Quiz.course_id == course.id)).all())


def pass_quizzes(app, user_id, course, *slugs):
    """Pass these quizzes of the course with their right answers (a typing test's standard run, say)."""
    ids = quiz_ids(app, course)
    for slug in slugs:
        issuing.take_quiz(app, user_id, ids[slug])


def test_a_learner_sees_each_jobs_skills_their_evidence_and_what_is_missing(app, client, learner):
    course = issuing.sync_course(app)
    issuing.enrol_learner(app, learner["id"], course)
    course_page = client.get("/courses/bpo-operations").text
    assert 'href="/quizzes/readiness/bpo-operations"' in course_page

    first = page_text(client.get("/quizzes/readiness/bpo-operations"))
    assert all(role in first for role in ROLES)
    assert "0 of 4 skills shown." in first and "0 of 3 skills shown." in first
    assert "Typing test: not taken yet (pass mark 100%)" in first

    pass_quizzes(app, learner["id"], course, "entry-level-roles", "data-entry-drill", "typing-test")
    page = page_text(client.get("/quizzes/readiness/bpo-operations"))
    # Data Entry Operator: every skill shown, with the figures of the runs that showed them.
    operator = page.split("Data Entry Operator")[1].split("Process Associate")[0]
    assert "Ready: every skill shown." in operator
    assert "Typing test: passed, best 100%. 30 net words a minute" in operator
    assert "Data-entry drill: passed, best 100%. 20 of 20 fields right (100.0%)" in operator
    # Customer Service Executive: typing shown, three skills still to show, by name.
    executive = page.split("Customer Service Executive")[1].split("Technical Support Associate")[0]
    assert "1 of 4 skills shown." in executive
    assert "Still to show: Knows how voice and non-voice work is done; Communication and a customer-first " in executive
    assert "Practice call: a billing error: not taken yet" in executive


def test_a_course_without_roles_has_no_readiness_page(app, client, learner, tmp_path):
    from tests.test_quiz_attempts import enrol, one_module_lab

    course = one_module_lab(app, tmp_path)
    enrol(app, learner["id"], course.id)
    assert "/quizzes/readiness/" not in client.get(f"/courses/{course.slug}").text
    assert client.get(f"/quizzes/readiness/{course.slug}").status_code == 404
    assert client.get("/quizzes/readiness/no-such-course").status_code == 404


def cohort_of(app, admin, name, learners):
    """A cohort holding these learners, made through the real services."""
    from lms.cohorts import add_members, create_cohort
    from lms.models import User

    with app.app_context():
        actor = db.session.get(User, admin["id"])
        cohort = create_cohort(actor, name)
        add_members(actor, cohort, [(n, learner["email"]) for n, learner in enumerate(learners, start=1)])
        return cohort.id


def test_a_cohorts_readiness_is_counted_per_role_and_each_learners_row_says_what_is_missing(
    app, client, make_user, login
):
    course = issuing.sync_course(app)
    ready, halfway, idle, outsider = (make_user() for _ in range(4))
    for person in (ready, halfway, idle, outsider):
        issuing.enrol_learner(app, person["id"], course)
    pass_quizzes(app, ready["id"], course, "entry-level-roles", "data-entry-drill", "typing-test")
    pass_quizzes(app, halfway["id"], course, "typing-test")
    pass_quizzes(app, outsider["id"], course, "entry-level-roles", "data-entry-drill", "typing-test")
    admin = make_user("admin")
    cohort = cohort_of(app, admin, "Night shift, March", [ready, halfway, idle])
    login(admin)

    dashboard = client.get("/reports/courses/bpo-operations").text
    assert 'href="/quizzes/readiness/bpo-operations/cohort"' in dashboard
    page = client.get(f"/quizzes/readiness/bpo-operations/cohort?cohort={cohort}")
    assert page.status_code == 200
    text = page_text(page)
    # Role, ready, part of the way, enrolled: the outsider passed the same but is not in the cohort.
    assert "Data Entry Operator 1 1 3" in text
    assert "Customer Service Executive 0 2 3" in text
    assert "Process Associate 0 1 3" in text
    # The page's one chart leaves its table of figures open: the table is what the page is for.
    assert '<details class="chart-figures" open>' in page.text

    table = page_text(client.get(f"/reports/courses/bpo-operations/learners?cohort={cohort}&sort=name"))
    assert "Ready for: Data Entry Operator" in table
    exported = client.get(f"/reports/courses/bpo-operations/learners.csv?cohort={cohort}")
    rows = {row["Email"]: row for row in csv.DictReader(io.StringIO(exported.text.removeprefix("\ufeff")))}
    assert set(rows) == {ready["email"], halfway["email"], idle["email"]}
    assert rows[ready["email"]]["Ready for: Data Entry Operator"] == "Ready"
    assert rows[halfway["email"]]["Ready for: Data Entry Operator"] == (
        "Missing: Knows back-office work and its accuracy standards; Keys records accurately at speed"
    )
    assert rows[idle["email"]]["Ready for: Process Associate"].startswith("Missing: Knows how a back-office process")


def test_only_the_courses_trainers_and_admins_see_a_cohorts_readiness(app, client, make_user, login):
    from tests.helpers import assign_trainer

    issuing.sync_course(app)
    url = "/quizzes/readiness/bpo-operations/cohort"
    login(make_user())
    assert client.get(url).status_code == 403
    stranger = app.test_client()
    login(make_user("trainer"), stranger)
    assert stranger.get(url).status_code == 403
    trainer = make_user("trainer")
    assign_trainer(app, trainer)
    their = app.test_client()
    login(trainer, their)
    assert their.get(url).status_code == 200
    assert "No cohorts yet." in their.get(url).text


def test_the_core_skills_badge_waits_for_the_typing_standard(app, make_user):
    """Reading the lessons and passing the module quiz is not enough: the typing test's standard is part of it."""
    course = issuing.sync_course(app)
    module = course.modules["core-skills"]
    badge_holder = make_user()["id"]
    issuing.enrol_learner(app, badge_holder, course)
    issuing.complete_lessons(app, badge_holder, module.lesson_ids)
    issuing.take_quiz(app, badge_holder, module.quiz_id)
    assert [a["badge_id"] for a in issuing.awards_of(app, badge_holder)] == []
    issuing.take_quiz(app, badge_holder, quiz_ids(app, course)["typing-test"])
    assert [a["badge_id"] for a in issuing.awards_of(app, badge_holder)] == [module.badge_id]


def test_a_trainer_reads_how_the_practice_questions_performed(app, client, make_user, login):
    """Item statistics include the typing test, the drill and the conversations like any question."""
    from tests.helpers import assign_trainer

    course = issuing.sync_course(app)
    ids = quiz_ids(app, course)
    for _ in range(2):
        person = make_user()
        issuing.enrol_learner(app, person["id"], course)
        pass_quizzes(app, person["id"], course, "typing-test", "data-entry-drill", "billing-call")
    trainer = make_user("trainer")
    assign_trainer(app, trainer)
    login(trainer)
    for slug, title in (  # the question of each, answered by both learners
        ("typing-test", "typing-refund-note"),
        ("data-entry-drill", "drill-claim-forms"),
        ("billing-call", "call-billing-error"),
    ):
        page = client.get(f"/author/quizzes/{ids[slug]}/statistics")
        assert page.status_code == 200
        text = page_text(page)
        assert f"{title} — version 1 (current)" in text
        assert "Only 2 scored attempts asked this version" in text
