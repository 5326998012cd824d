"""The query budget: how many SQL statements each step of a learner's path costs, and that the count does not
grow with the number of learners or with a learner's number of attempts."""

import contextlib

import pytest
from sqlalchemy import event

from lms.extensions import db
from tests.conftest import csrf_token_from
from tests.test_badges_issuing import FIRST_MODULE, complete_lessons, enrol_learner, sync_course, take_quiz

# The most statements each step may cost on the BPO course's first module (12 questions): the counts measured
# on both databases, plus one. On SQLite, saving and submitting still send an INSERT per answered question
# (PostgreSQL gets them in one statement): 23 and 20 statements there against 9 and 16.
BUDGET = {
    "lesson page": 5,
    "course page": 7,
    "dashboard": 6,
    "quiz page": 8,
    "mark complete": 13,
    "answer save": 24,
    "submit": 21,
}


@contextlib.contextmanager
def counting(app):
    """Count the SQL statements the app sends while the block runs."""
    counted = []

    def count(_conn, _cursor, statement, *_args):
        counted.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", count)


def step_costs(app, client, course, learner_id: int) -> dict:
    """Statements per step of the learner's path through the first module."""
    module = course.modules[FIRST_MODULE]
    lesson = f"/courses/{course.slug}/{module.slug}/{module.lesson_slugs[0]}"
    costs = {}

    def measure(name, request):
        with counting(app) as counted:
            response = request()
        assert response.status_code in (200, 302), (name, response.status_code)
        costs[name] = len(counted)

        return response

    page = measure("lesson page", lambda: client.get(lesson))
    measure("course page", lambda: client.get(f"/courses/{course.slug}"))
    measure("dashboard", lambda: client.get("/dashboard"))
    quiz_page = measure("quiz page", lambda: client.get(f"/quizzes/{module.quiz_id}"))
    token = csrf_token_from(page.get_data(as_text=True))
    measure("mark complete", lambda: client.post(f"{lesson}/complete", data={"csrf_token": token}))
    started = client.post(
        f"/quizzes/{module.quiz_id}/start", data={"csrf_token": csrf_token_from(quiz_page.get_data(as_text=True))}
    )
    attempt = started.headers["Location"]
    form = {"csrf_token": csrf_token_from(client.get(attempt).get_data(as_text=True))}
    measure("answer save", lambda: client.post(f"{attempt}/save", data=form))
    measure("submit", lambda: client.post(f"{attempt}/submit", data=form))
    return costs


def crowd(app, make_user, course, learners: int, attempts: int, learner_id: int) -> None:
    """Other learners with progress and attempts, and `attempts` earlier attempts of the measured learner."""
    module = course.modules[FIRST_MODULE]
    for _ in range(learners):
        other = make_user()
        enrol_learner(app, other["id"], course)
        complete_lessons(app, other["id"], module.lesson_ids)
        take_quiz(app, other["id"], module.quiz_id, correct=False)
    for _ in range(attempts):
        take_quiz(app, learner_id, module.quiz_id, correct=False)


@pytest.fixture
def app_config(app_config):
    """Many sign-ins from one address here."""
    return {**app_config, "LOGIN_RATE_LIMIT": "1000 per minute"}


def test_each_step_stays_within_its_budget_whatever_the_number_of_learners_and_attempts(
    app, make_user, login, tmp_path
):
    course = sync_course(app)

    def costs_for(crowded: bool) -> dict:
        learner = make_user()
        client = login(learner, app.test_client())
        enrol_learner(app, learner["id"], course)
        if crowded:
            crowd(app, make_user, course, learners=15, attempts=20, learner_id=learner["id"])
        # The course structure is read once per process and sync (courses.outline); every later page is counted.
        client.get(f"/courses/{course.slug}")
        return step_costs(app, client, course, learner["id"])

    alone = costs_for(crowded=False)
    crowded = costs_for(crowded=True)
    assert crowded == alone, "a step's cost grows with the data"
    over = {step: (count, BUDGET[step]) for step, count in crowded.items() if count > BUDGET[step]}
    assert over == {}, f"over budget (statements, budget): {over}"
