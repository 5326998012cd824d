"""The query budget: what each request of a learner, a trainer and an admin costs the database, and that the
cost does not grow with the number of learners, with a learner's number of attempts or with the course's size.

Two measures. Statements: how many SQL statements a request sends (both databases), held to the budget below.
Work, on SQLite: how many virtual-machine steps SQLite runs for the request (its progress handler called on
every step). A page that scans a table of every learner sends no more statements with 1,000 learners than with
10, but it runs a hundred times the steps; the work measure catches that.
"""

import contextlib
import dataclasses
import pathlib
import random
import re
import shutil

import pytest
import yaml
from sqlalchemy import event, func, insert, select, update

from lms.extensions import db
from tests import test_badges_issuing as issuing
from tests.conftest import csrf_token_from
from tests.helpers import assign_trainer
from tests.test_badges_issuing import (
    FIRST_MODULE,
    CourseInfo,
    course_info,
    enrol_learner,
    sync_course,
    take_quiz,
)
from tests.test_role_readiness import cohort_of

# The most statements each request may send: the higher of the counts measured on the two databases, plus one.
# (SQLite's BEGIN goes to the driver directly and is not counted; PostgreSQL reads outside a transaction.)
BUDGET = {
    "lesson page": 3,
    "course page": 5,
    "dashboard": 6,
    "course catalog": 6,
    "API: my enrolments": 6,
    "quiz page": 4,
    "exercise quiz page": 5,  # and its one question's content, for the standard or the rubric it states
    "attempt page": 4,
    "mark complete": 10,
    "answer save": 5,
    "review page": 6,
    "submit": 15,  # two of them keep the quiz's result sums, so the course dashboard never reads every result
    "user list": 3,
    "audit log": 3,  # the admin, a page of entries with who made them, the names of what they are about (one kind here)
    "audit log of one learner": 3,
    "audit log of one action": 3,
    "audit log of one person": 3,
    "audit log about one person": 4,  # and the person's name, for a page with no entry about them
    "audit log from a day": 4,  # and the last entry before the day's end, which the page starts from
    "user list, a later page": 3,
    "user list of one role": 3,
    "user list of one status": 3,
    "user search": 3,
    "badge admin": 5,
    "badge admin, a learner's badges": 5,
    "badge admin, one badge's awards": 5,
    "badge admin, a badge nobody holds": 5,
    "revocation list": 3,
    "status list": 3,
    "status list with a proof": 3,
    "trainer's quiz list": 3,
    "trainer's quiz page": 7,
    "question statistics": 7,
    "question bank": 5,
    "marking queue": 5,  # and the latest marks, with their questions' versions
    "marking queue of a trainer": 5,
    "trainer's quiz list, as its trainer": 4,
    "trainer's quiz page, as its trainer": 9,
    "question statistics, as its trainer": 8,
    "question bank, as its trainer": 7,
    "learner table, as its trainer": 10,
    "course dashboard, as its trainer": 8,
    "learner record, as a trainer": 12,  # and which of the learner's courses the trainer teaches
    "learner table": 10,
    "API: my attempts": 4,  # the token (with its person), the page of attempts
    "API: my progress": 7,
    "API: users": 4,
    "API: a course's learners": 10,  # the learner table's own statements, and the token
    "learner table, a later page": 10,
    "learner record": 9,  # the time allowances of its timed courses are one of them
    "course dashboard": 7,
    "cohort readiness": 6,
    "role readiness": 7,
    "issue missing badges": 16,  # three of them read the award and its learner for the "badge earned" mail
}
# Work may differ a little between a small and a large database (a deeper index, a longer key); a scan of
# every learner's rows multiplies it instead.
WORK_SLACK = 1.25
WORK_ALLOWANCE = 400  # steps


@dataclasses.dataclass
class Cost:
    statements: int
    work: int | None  # SQLite's virtual-machine steps; None on PostgreSQL


@contextlib.contextmanager
def measuring(app):
    """Count the statements the app sends, and on SQLite the steps it runs, while the block runs."""
    with app.app_context():
        engine = db.engine
    sqlite = engine.dialect.name == "sqlite"
    measured = {"statements": 0, "steps": 0}

    def count(*_args):
        measured["statements"] += 1

    def step():
        measured["steps"] += 1
        return 0  # go on

    def watch(dbapi_connection, *_args):
        dbapi_connection.set_progress_handler(step, 1)

    def unwatch(dbapi_connection, *_args):
        dbapi_connection.set_progress_handler(None, 1)

    event.listen(engine, "before_cursor_execute", count)
    if sqlite:
        event.listen(engine, "checkout", watch)
        event.listen(engine, "checkin", unwatch)
    try:
        yield measured
    finally:
        event.remove(engine, "before_cursor_execute", count)
        if sqlite:
            event.remove(engine, "checkout", watch)
            event.remove(engine, "checkin", unwatch)
        measured["sqlite"] = sqlite


def cost_of(app, name: str, request, costs: dict, expected=(200, 302)):
    """Send one request, record its cost under `name`, and return the response."""
    with measuring(app) as measured:
        response = request()
    assert response.status_code in expected, (name, response.status_code)
    costs[name] = Cost(measured["statements"], measured["steps"] if measured["sqlite"] else None)
    return response


# --- the data ------------------------------------------------------------------------------------------------


def add_learners(app, course: CourseInfo, first: int, count: int, revoked: int = 0) -> None:
    """`count` learners part-way through the course, in bulk (as the benchmark seeds them): lessons read,
    submitted attempts with answers, and the first module's badge, `revoked` of those awards revoked; and two
    audit log entries each."""
    from bench import seed
    from lms.models import AuditEntry
    from quizzes.models import Attempt, AttemptAnswer

    with app.app_context():
        outline = seed.outline(app)
        template = seed.add_users(app, first, 1, "not a password hash")
        learners = seed.add_users(app, first + 1, count, "not a password hash")
        seed.enrol_all(template + learners, outline.course_id)
        db.session.commit()
        seed.template_slots(app, outline, template[0])
        seed.add_progress(learners, outline, random.Random(first))
        seed.add_awards(learners, course.modules[FIRST_MODULE].badge_id, revoked)
        # The audit log grows with the learners too: an account created and a cohort joined for each, by one person
        # (a page of one other person's entries must not read theirs).
        by = template[0]
        entries = [
            {"actor_id": by, "action": "user.create", "target": f"user:{uid}", "detail": {"role": "learner"}}
            for uid in learners
        ]
        entries += [
            {"actor_id": by, "action": "cohort.add", "target": "cohort:1", "detail": {"added": 1}} for _uid in learners
        ]
        db.session.execute(insert(AuditEntry), entries)
        # Every learner's first answer marked by that person too (the marking page lists marks, latest first: a
        # trainer's list must read their own, not everyone's).
        marked = select(Attempt.id).where(Attempt.user_id.in_(learners))
        db.session.execute(
            update(AttemptAnswer)
            .where(AttemptAnswer.attempt_id.in_(marked), AttemptAnswer.slot == 0)
            .values(marked_at=func.now(), marked_by_id=by)
        )
        db.session.commit()


def doubled_pack(tmp_path: pathlib.Path) -> pathlib.Path:
    """The BPO pack with every module, lesson, quiz and badge twice: a course twice its size."""
    from tests.helpers import BPO_PACK

    pack = tmp_path / "doubled"
    shutil.copytree(BPO_PACK, pack)
    spec = yaml.safe_load((pack / "course.yaml").read_text(encoding="utf-8"))
    spec["slug"], spec["title"] = "bpo-operations-doubled", spec["title"] + " (twice the size)"
    copies = []
    for module in spec["modules"]:
        copy = {**module, "slug": module["slug"] + "-again", "title": module["title"] + " again"}
        copy["lessons"] = [lesson + "-again" for lesson in module["lessons"]]
        quiz_file = pack / module["quiz"]["file"]
        copy["quiz"] = {**module["quiz"], "file": module["quiz"]["file"].replace(".gift", "-again.gift")}
        # Question titles are unique within a course: the copies get titles of their own.
        gift = re.sub(r"^::(.*?)::", r"::\1 again::", quiz_file.read_text(encoding="utf-8"), flags=re.MULTILINE)
        # ...and assess the copied lessons' objectives.
        gift = re.sub(r"\[tag:objective/([a-z0-9-]+)/", r"[tag:objective/\1-again/", gift)
        (pack / copy["quiz"]["file"]).write_text(gift, encoding="utf-8")
        copy["exercises"] = [copied_exercise(pack, exercise) for exercise in module.get("exercises", [])]
        if not copy["exercises"]:
            del copy["exercises"]
        for lesson in module["lessons"]:
            shutil.copy(pack / "lessons" / f"{lesson}.md", pack / "lessons" / f"{lesson}-again.md")
        copies.append(copy)
    spec["modules"] += copies
    modules = {module["slug"] for module in spec["modules"]}
    badges = []
    for badge in spec["badges"]:
        if badge["for"] in modules:
            badges.append({**badge, "slug": badge["slug"] + "-again", "for": badge["for"] + "-again"})
        else:
            badge["for"] = spec["slug"]
    spec["badges"] += badges
    (pack / "course.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return pack


def copied_exercise(pack: pathlib.Path, exercise: dict) -> dict:
    """A copy of a module's exercise for the doubled pack: its own slug, file, question titles and objectives."""
    questions = (pack / exercise["file"]).read_text(encoding="utf-8")
    questions = re.sub(r"^(- type: .*\n  title: )(.*)$", r"\1\2-again", questions, flags=re.MULTILINE)
    questions = re.sub(r"objective/([a-z0-9-]+)/", r"objective/\1-again/", questions)
    copy = {**exercise, "slug": exercise["slug"] + "-again", "file": exercise["file"].replace(".yaml", "-again.yaml")}
    (pack / copy["file"]).write_text(questions, encoding="utf-8")
    return copy


def sync_doubled_course(app, tmp_path: pathlib.Path) -> CourseInfo:
    """Check and sync the doubled pack beside the BPO course."""
    from courses.services import check_pack, sync_pack

    with app.app_context():
        pack, problems = check_pack(doubled_pack(tmp_path))
        assert problems == [] and pack is not None, problems
        sync_pack(pack)
    return course_info(app, "bpo-operations-doubled")


# --- the requests --------------------------------------------------------------------------------------------


def learner_costs(app, make_user, login, course: CourseInfo, earlier_attempts: int) -> dict:
    """What each step of a new learner's path through the course's first module costs."""
    learner = make_user()
    client = login(learner, app.test_client())
    enrol_learner(app, learner["id"], course)
    module = course.modules[next(iter(course.modules))]
    for _ in range(earlier_attempts):
        take_quiz(app, learner["id"], module.quiz_id, correct=False)
    issuing.wait_out_cooldown(app, learner["id"], module.quiz_id)
    # The course structure is read once per process and sync (courses.outline); every later page is counted.
    client.get(f"/courses/{course.slug}")
    lesson = f"/courses/{course.slug}/{module.slug}/{module.lesson_slugs[0]}"
    costs: dict[str, Cost] = {}
    page = cost_of(app, "lesson page", lambda: client.get(lesson), costs)
    cost_of(app, "course page", lambda: client.get(f"/courses/{course.slug}"), costs)
    cost_of(app, "dashboard", lambda: client.get("/dashboard"), costs)
    quiz_page = cost_of(app, "quiz page", lambda: client.get(f"/quizzes/{module.quiz_id}"), costs)
    typing = quiz_by_slug(app, course, "typing-test")  # a quiz of one exercise, whose page gives its standard
    cost_of(app, "exercise quiz page", lambda: client.get(f"/quizzes/{typing}"), costs)
    token = csrf_token_from(page.get_data(as_text=True))
    cost_of(app, "mark complete", lambda: client.post(f"{lesson}/complete", data={"csrf_token": token}), costs)
    started = client.post(
        f"/quizzes/{module.quiz_id}/start", data={"csrf_token": csrf_token_from(quiz_page.get_data(as_text=True))}
    )
    attempt = started.headers["Location"]
    client.get(attempt)  # the attempt's question versions are read once per process (quizzes.attempts)
    attempt_page = cost_of(app, "attempt page", lambda: client.get(attempt), costs)
    form = {"csrf_token": csrf_token_from(attempt_page.get_data(as_text=True))}
    cost_of(app, "answer save", lambda: client.post(f"{attempt}/save", data=form), costs)
    cost_of(app, "submit", lambda: client.post(f"{attempt}/submit", data=form), costs)
    cost_of(app, "review page", lambda: client.get(f"{attempt}/review"), costs)
    # The readiness page reads the figures of the best typing run, however many runs were submitted.
    typing_test = quiz_by_slug(app, course, "typing-test")
    for _ in range(earlier_attempts):
        take_quiz(app, learner["id"], typing_test)
    readiness = cost_of(app, "role readiness", lambda: client.get(f"/quizzes/readiness/{course.slug}"), costs)
    assert "30 net words a minute" in readiness.get_data(as_text=True)
    api = api_headers(app, learner, ("read",))
    client.get("/api/v1/me", headers=api)  # the token's first use is written once an hour: not what is measured
    cost_of(app, "API: my attempts", lambda: client.get("/api/v1/me/attempts?limit=10", headers=api), costs)
    progress = f"/api/v1/me/courses/{course.slug}/progress"
    cost_of(app, "API: my progress", lambda: client.get(progress, headers=api), costs)
    return costs


def quiz_by_slug(app, course: CourseInfo, slug: str) -> int:
    """The id of the course's quiz with this slug."""
    from quizzes.models import Quiz

    with app.app_context():
        return db.session.scalar(select(Quiz.id).where(Quiz.course_id == course.id, Quiz.slug == slug))


def learners_in(app, count: int) -> list[dict]:
    """The first learners of the database (the ones `add_learners` made), as the cohort helpers take them."""
    from lms.models import User

    with app.app_context():
        rows = db.session.execute(select(User.email).where(User.role == "learner").order_by(User.id).limit(count))
        return [{"email": email} for (email,) in rows]


def api_headers(app, user: dict, scopes=("read", "admin")) -> dict:
    """The Authorization header of a new API token of this user's."""
    from lms.api.tokens import create_token
    from lms.models import User

    with app.app_context():
        _token, secret = create_token(db.session.get(User, user["id"]), "budget", list(scopes))
    return {"Authorization": f"Bearer {secret}"}


def admin_costs(app, make_user, login, course: CourseInfo) -> dict:
    """What the admin's and trainer's pages cost, with one badge delivery that failed waiting to be redone."""
    from badges.models import Award
    from lms.models import User

    module = course.modules[FIRST_MODULE]
    # A learner whose badge listener failed: the repair must find this one completion, not scan all of them.
    missing = make_user(name="Zebedee Quillfeather")
    enrol_learner(app, missing["id"], course)
    issuing.failed_badge_delivery(app, missing["id"], course)
    with app.app_context():
        last_ids = db.session.scalars(select(User.id).order_by(User.id.desc()).limit(3)).all()
        by_name = select(User.id).order_by(User.display_name.desc(), User.id.desc())
        last_by_name = db.session.scalars(by_name.limit(3)).all()
    admin = make_user("admin")
    client = login(admin, app.test_client())
    costs: dict[str, Cost] = {}
    first_users = cost_of(app, "user list", lambda: client.get("/admin/users"), costs)
    cost_of(app, "audit log", lambda: client.get("/admin/audit"), costs)
    about = f"/admin/audit?target=user:{last_ids[0]}"
    cost_of(app, "audit log of one learner", lambda: client.get(about), costs)
    cost_of(app, "audit log of one action", lambda: client.get("/admin/audit?action=user.create"), costs)
    cost_of(app, "audit log of one person", lambda: client.get(f"/admin/audit?actor={admin['id']}"), costs)
    about_person = f"/admin/audit?about={last_ids[0]}"
    cost_of(app, "audit log about one person", lambda: client.get(about_person), costs)
    cost_of(app, "audit log from a day", lambda: client.get("/admin/audit?day=2026-12-01"), costs)
    assert 'href="/admin/users?after=' in first_users.get_data(as_text=True), "the user list has a second page"
    # The list's last page, after the third last by name: two rows with any number of users.
    later = f"/admin/users?after={last_by_name[-1]}"
    assert client.get(later).get_data(as_text=True).count("Send reset link<") == 2
    cost_of(app, "user list, a later page", lambda: client.get(later), costs)
    cost_of(app, "user list of one role", lambda: client.get("/admin/users?role=admin"), costs)
    cost_of(app, "user list of one status", lambda: client.get("/admin/users?status=deactivated"), costs)
    found = cost_of(app, "user search", lambda: client.get("/admin/users?q=quillf"), costs)
    assert missing["email"] in found.get_data(as_text=True)
    badges_page = cost_of(app, "badge admin", lambda: client.get("/badges/admin/"), costs)
    cost_of(app, "badge admin, a learner's badges", lambda: client.get("/badges/admin/?q=quillf"), costs)
    # A badge nobody holds yet: its page must not read every other badge's awards to find none.
    with app.app_context():
        from badges.models import Award, BadgeClass

        unheld = db.session.scalar(
            select(BadgeClass.id).where(BadgeClass.id.not_in(select(Award.badge_class_id))).limit(1)
        )
        held = db.session.scalar(select(Award.badge_class_id).limit(1))
    cost_of(app, "badge admin, a badge nobody holds", lambda: client.get(f"/badges/admin/?badge={unheld}"), costs)
    # A badge every learner holds: a page of its newest awards, not a sort of all of them.
    cost_of(app, "badge admin, one badge's awards", lambda: client.get(f"/badges/admin/?badge={held}"), costs)
    cost_of(app, "revocation list", lambda: client.get("/badges/revocations"), costs)
    cost_of(app, "status list", lambda: client.get("/badges/status/revocation"), costs)
    cost_of(app, "status list with a proof", lambda: client.get("/badges/status/revocation.json"), costs)
    cost_of(app, "trainer's quiz list", lambda: client.get("/author/quizzes"), costs)
    quiz = f"/author/quizzes/{module.quiz_id}"
    cost_of(app, "trainer's quiz page", lambda: client.get(quiz), costs)
    cost_of(app, "question statistics", lambda: client.get(f"{quiz}/statistics"), costs)
    cost_of(app, "question bank", lambda: client.get("/author/bank?q=bpo"), costs)
    cost_of(app, "marking queue", lambda: client.get("/author/marking"), costs)
    trainer = make_user("trainer")
    assign_trainer(app, trainer, course.id)
    teaching = login(trainer, app.test_client())
    # A trainer's pages narrow to their courses: a filter a planner without statistics may start from, reading
    # every row of the course (see lms.db.not_to_start_from); measured as the trainer, not as the admin.
    cost_of(app, "marking queue of a trainer", lambda: teaching.get("/author/marking"), costs)
    cost_of(app, "trainer's quiz list, as its trainer", lambda: teaching.get("/author/quizzes"), costs)
    cost_of(app, "trainer's quiz page, as its trainer", lambda: teaching.get(quiz), costs)
    cost_of(app, "question statistics, as its trainer", lambda: teaching.get(f"{quiz}/statistics"), costs)
    cost_of(app, "question bank, as its trainer", lambda: teaching.get("/author/bank?q=bpo"), costs)
    teaching_table = f"/reports/courses/{course.slug}/learners?sort=progress&dir=desc"
    cost_of(app, "learner table, as its trainer", lambda: teaching.get(teaching_table), costs)
    teaching.get(f"/reports/courses/{course.slug}")  # warm, as a worker would be
    cost_of(app, "course dashboard, as its trainer", lambda: teaching.get(f"/reports/courses/{course.slug}"), costs)
    cost_of(app, "learner record, as a trainer", lambda: teaching.get(f"/learners/{missing['id']}/record"), costs)
    table = f"/reports/courses/{course.slug}/learners"
    client.get(table)  # the course outline is built once per process and sync: warm it, as a worker would be
    first_page = cost_of(app, "learner table", lambda: client.get(f"{table}?sort=progress&dir=desc"), costs)
    following = re.search(r'href="([^"]*after=[^"]*)">Next page', first_page.get_data(as_text=True))
    assert following, "the table has a second page"
    later = following.group(1).replace("&amp;", "&")
    cost_of(app, "learner table, a later page", lambda: client.get(later), costs)
    api = api_headers(app, admin)
    client.get("/api/v1/me", headers=api)  # the token's first use is written once an hour: not what is measured
    cost_of(app, "API: users", lambda: client.get("/api/v1/users?q=quillf", headers=api), costs)
    learners_api = f"/api/v1/courses/{course.slug}/learners?sort=progress&dir=desc"
    cost_of(app, "API: a course's learners", lambda: client.get(learners_api, headers=api), costs)
    cost_of(app, "learner record", lambda: client.get(f"/learners/{missing['id']}/record"), costs)
    client.get(f"/reports/courses/{course.slug}")  # the course's roles are read once per process and sync too
    cost_of(app, "course dashboard", lambda: client.get(f"/reports/courses/{course.slug}"), costs)
    cohort = cohort_of(app, admin, f"Budget cohort {admin['id']}", [missing, *learners_in(app, 5)])
    readiness = f"/quizzes/readiness/{course.slug}/cohort?cohort={cohort}"
    shown = cost_of(app, "cohort readiness", lambda: client.get(readiness), costs)
    assert "Data Entry Operator" in shown.get_data(as_text=True)
    token = csrf_token_from(badges_page.get_data(as_text=True))
    reissue = {"csrf_token": token}
    cost_of(app, "issue missing badges", lambda: client.post("/badges/admin/reissue", data=reissue), costs)
    with app.app_context():
        issued = db.session.scalar(select(func.count()).select_from(Award).where(Award.user_id == missing["id"]))
        assert issued == 1, "the failed delivery was redone"
    return costs


# --- the checks ----------------------------------------------------------------------------------------------


def statements(costs: dict) -> dict:
    """The statement count of each request."""
    return {name: cost.statements for name, cost in costs.items()}


def assert_within_budget(costs: dict) -> None:
    """No request sends more statements than its budget."""
    over = {name: (cost.statements, BUDGET[name]) for name, cost in costs.items() if cost.statements > BUDGET[name]}
    assert over == {}, f"over budget (statements, budget): {over}"


def assert_work_flat(small: dict, large: dict) -> None:
    """On SQLite: no request runs many more steps on the large database than on the small one."""
    grown = {
        name: (small[name].work, cost.work)
        for name, cost in large.items()
        if cost.work is not None and cost.work > small[name].work * WORK_SLACK + WORK_ALLOWANCE
    }
    assert grown == {}, f"work grows with the number of learners (steps with 10, with 1,000): {grown}"


@pytest.fixture
def app_config(app_config):
    """Many sign-ins from one address here."""
    return {**app_config, "LOGIN_RATE_LIMIT": "1000 per minute"}


def test_a_learners_steps_cost_the_same_with_10_or_1000_learners_and_1_or_20_attempts(app, make_user, login):
    course = sync_course(app)
    add_learners(app, course, first=0, count=10, revoked=5)
    few = learner_costs(app, make_user, login, course, earlier_attempts=1)
    add_learners(app, course, first=100, count=990)
    many = learner_costs(app, make_user, login, course, earlier_attempts=1)
    practised = learner_costs(app, make_user, login, course, earlier_attempts=20)
    assert statements(many) == statements(few), "a step sends more statements when there are more learners"
    assert statements(practised) == statements(few), "a step sends more statements after more attempts"
    assert_work_flat(few, many)
    assert_within_budget(practised)


def test_a_learners_steps_cost_the_same_on_a_course_twice_the_size(app, make_user, login, tmp_path):
    course = sync_course(app)
    doubled = sync_doubled_course(app, tmp_path)
    assert len(doubled.modules) == 2 * len(course.modules)
    on_course = learner_costs(app, make_user, login, course, earlier_attempts=1)
    on_doubled = learner_costs(app, make_user, login, doubled, earlier_attempts=1)
    assert statements(on_doubled) == statements(on_course), "a step sends more statements on a larger course"
    assert_within_budget(on_doubled)


def test_the_pages_of_a_learners_courses_cost_the_same_for_one_course_or_two(app, make_user, login, tmp_path):
    """The dashboard, the catalog and the API's list of enrolments show the learner's progress in every course
    they are enrolled in, read for all of them at once."""
    course = sync_course(app)
    doubled = sync_doubled_course(app, tmp_path)
    learner = make_user()
    client = login(learner, app.test_client())
    api = api_headers(app, learner, ("read",))
    client.get("/api/v1/me", headers=api)  # the token's first use is written once an hour: not what is measured
    for each in (course, doubled):
        client.get(f"/courses/{each.slug}")  # each course's structure is read once per process and sync

    def costs() -> tuple[dict, str]:
        measured: dict[str, Cost] = {}
        dashboard = cost_of(app, "dashboard", lambda: client.get("/dashboard"), measured)
        cost_of(app, "course catalog", lambda: client.get("/courses/"), measured)
        cost_of(app, "API: my enrolments", lambda: client.get("/api/v1/me/enrolments", headers=api), measured)
        return measured, dashboard.get_data(as_text=True)

    enrol_learner(app, learner["id"], course)
    in_one, page = costs()
    assert "(twice the size)" not in page
    enrol_learner(app, learner["id"], doubled)
    in_two, page = costs()
    assert page.count('class="card course-card"') == 2 and "(twice the size)" in page
    assert statements(in_two) == statements(in_one), "a page sends more statements for each course of the learner"
    assert_within_budget(in_two)


def test_admin_and_trainer_pages_cost_the_same_with_60_or_1000_learners(app, make_user, login, monkeypatch):
    """60 learners rather than 10, so the user list and the awards fill a page (50 rows) in both cases; the
    revoked awards stay the same few, as the revocation list's size is theirs, not the learners'. The learner
    table shows 25 a page here, so that its first and second pages are full in both cases too."""
    from courses import learner_table

    monkeypatch.setattr(learner_table, "PAGE_SIZE", 25)
    course = sync_course(app)
    add_learners(app, course, first=0, count=60, revoked=5)
    few = admin_costs(app, make_user, login, course)
    add_learners(app, course, first=100, count=990)
    many = admin_costs(app, make_user, login, course)
    assert statements(many) == statements(few), "an admin page sends more statements when there are more learners"
    assert_work_flat(few, many)
    assert_within_budget(many)


def test_a_static_file_costs_no_statement_even_for_a_signed_in_learner(app, client, learner):
    costs: dict[str, Cost] = {}
    response = cost_of(app, "stylesheet", lambda: client.get("/static/css/app.css"), costs)
    assert costs["stylesheet"].statements == 0
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert client.get("/dashboard").headers["Cache-Control"] == "no-store"  # a personal page still is not kept
