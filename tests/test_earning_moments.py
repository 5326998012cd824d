"""The earning moment: the page after a module, a course or a badge is completed says so, shows the badge and
offers the way on; the dashboard shows the newest badges and each course's next step."""

from werkzeug.datastructures import MultiDict

from tests import test_badges_issuing as issuing
from tests.conftest import csrf_token_from
from tests.helpers import page_text
from tests.test_quiz_attempts import FormReader, start


def pass_quiz(app, client, quiz_id: int):
    """Start the quiz in the browser's session, answer every question right and submit; the page it leads to."""
    from lms.extensions import db
    from quizzes.attempts import slot_views
    from quizzes.models import Attempt

    attempt_id = start(client, quiz_id)
    with app.app_context():
        views = slot_views(db.session.get_one(Attempt, attempt_id))
        answers = {
            view.slot: view.qtype.correct_response(view.version.config) for view in views if view.qtype is not None
        }
    return submit_responses(app, client, attempt_id, answers)


def submit_responses(app, client, attempt_id: int, responses: dict):
    """Save these responses through the service (as the page's autosave would), reload the attempt page and press
    "Submit" with the form as it now stands; the page it leads to."""
    from quizzes.attempts import save_answers

    with app.app_context():
        save_answers(attempt_id, attempt_user(app, attempt_id), responses)
    form = filled_form(client.get(f"/quizzes/attempts/{attempt_id}").text)
    return client.post(f"/quizzes/attempts/{attempt_id}/submit", data=MultiDict(form), follow_redirects=True)


def filled_form(page: str) -> list[tuple[str, str]]:
    """What a browser sends for the page's form as it stands: checked choices, filled fields, selected options."""
    reader = FormReader(page)
    sent = []
    for attrs in reader.inputs:
        kind, name = attrs.get("type", "text"), attrs.get("name")
        if not name or kind in ("submit", "button") or (kind in ("radio", "checkbox") and "checked" not in attrs):
            continue
        sent.append((name, attrs.get("value") or ""))
    for name, options in reader.selects.items():
        sent += [(name, value) for value, _text, selected in options if selected]
    return sent


def attempt_user(app, attempt_id: int) -> int:
    """The learner whose attempt it is."""
    from lms.extensions import db
    from quizzes.models import Attempt

    with app.app_context():
        return db.session.get_one(Attempt, attempt_id).user_id


def test_passing_the_last_step_of_a_module_says_so_with_the_badge_and_the_way_on(app, client, learner):
    course = issuing.sync_course(app)
    module = course.modules[issuing.FIRST_MODULE]
    issuing.enrol_learner(app, learner["id"], course)
    issuing.complete_lessons(app, learner["id"], module.lesson_ids)

    review = pass_quiz(app, client, module.quiz_id)
    shown = page_text(review)
    assert "Passed" in shown
    assert f"Module complete: {module.title}" in shown and "Every step of this module is done." in shown
    assert f"Badge earned: {issuing.FIRST_BADGE_NAME}" in shown
    assert f'href="/courses/{course.slug}/continue"' in review.text and 'href="/badges/mine"' in review.text
    assert f'src="/badges/classes/{module.badge_id}/image.svg"' in review.text
    assert 'id="announcer"' in review.text  # filled by announce.js once the page has loaded

    # Told once: the next page has no message, and passing again earns nothing new.
    assert "Badge earned" not in page_text(client.get("/dashboard"))
    issuing.wait_out_cooldown(app, learner["id"], module.quiz_id)
    again = page_text(pass_quiz(app, client, module.quiz_id))
    assert "Passed" in again and "Badge earned" not in again and "Module complete" not in again


def test_passing_the_final_assessment_completes_the_course_and_says_so(app, client, learner):
    course = issuing.sync_course(app)
    issuing.enrol_learner(app, learner["id"], course)
    for slug in course.modules:
        issuing.complete_module(app, learner["id"], course, slug)
    review = page_text(pass_quiz(app, client, course.final_quiz_id))
    assert f"Course complete: {course.title}" in review
    assert "Badge earned: BPO Operations Career Course" in review
    assert "See your course" in review and "Download your certificate (PDF)" in review


def test_nobody_else_is_told_of_a_badge_issued_for_a_learner(app, client, make_user, login):
    """An admin who issues the badge of a completion whose badge listener failed sees no "Badge earned" of theirs."""
    course = issuing.sync_course(app)
    learner = make_user()
    issuing.enrol_learner(app, learner["id"], course)
    issuing.failed_badge_delivery(app, learner["id"], course)
    login(make_user("admin"))
    page = client.get("/badges/admin/").text
    issued = client.post("/badges/admin/reissue", data={"csrf_token": csrf_token_from(page)}, follow_redirects=True)
    assert issued.status_code == 200 and "Issued the badges of 1 completion" in page_text(issued)
    assert len(issuing.awards_of(app, learner["id"])) == 1
    assert "Badge earned" not in page_text(issued) and "Module complete" not in page_text(issued)


def test_the_dashboard_shows_the_newest_badges_and_each_courses_next_step(app, client, learner):
    course = issuing.sync_course(app)
    issuing.enrol_learner(app, learner["id"], course)
    dashboard = page_text(client.get("/dashboard"))
    assert "Recent badges" not in dashboard  # none yet
    modules = list(course.modules.values())
    assert f"Next: {first_lesson_title(app, modules[0].lesson_ids[0])}" in dashboard

    for module in modules[:4]:
        issuing.complete_module(app, learner["id"], course, module.slug)
    response = client.get("/dashboard")
    dashboard = page_text(response)
    assert "Recent badges" in dashboard and "All my badges" in dashboard
    section = response.text.split('id="recent-badges-heading"')[1].split("</section>")[0]
    assert section.count('class="card badge-card"') == 3  # the newest three of four
    assert f"Next: {first_lesson_title(app, modules[4].lesson_ids[0])}" in dashboard


def first_lesson_title(app, lesson_id: int) -> str:
    """A lesson's title."""
    from courses.models import Lesson
    from lms.extensions import db

    with app.app_context():
        return db.session.get_one(Lesson, lesson_id).title


def test_a_badge_earned_is_also_told_by_mail(app, client, learner, mailbox):
    course = issuing.sync_course(app)
    module = course.modules[issuing.FIRST_MODULE]
    issuing.enrol_learner(app, learner["id"], course)
    issuing.complete_lessons(app, learner["id"], module.lesson_ids)
    assert mailbox == []
    pass_quiz(app, client, module.quiz_id)
    (message,) = mailbox
    (award,) = issuing.awards_of(app, learner["id"])
    assert message["To"] == learner["email"]
    assert message["Subject"] == f"You earned the badge “{issuing.FIRST_BADGE_NAME}”"
    text = message.get_content()
    assert f"http://localhost/badges/verify/{award['public_id']}" in text and "http://localhost/badges/mine" in text
    assert "certificate" not in text  # a module's badge has none
