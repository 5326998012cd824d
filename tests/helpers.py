"""Actions and readings the test modules share: pressing buttons as a learner does, reading pages, racing."""

import html
import pathlib
import re
import threading
import time
from types import SimpleNamespace

from tests.conftest import csrf_token_from


def page_text(response) -> str:
    """The visible text of a page: tags removed, entities decoded, white space collapsed."""
    body = response.get_data(as_text=True)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def progress_shown(done: int, total: int) -> str:
    """The progress line a learner reads for `done` of `total` steps: the percentage rounded half up, and 100 only
    once every step is done."""
    share = 100 if done == total else min(99, int(100 * done / total + 0.5))
    return f"{share}% complete ({done} of {total} steps)"


def enrol(client, course_slug: str):
    """Press "Enrol" on the course page; returns the response to the press."""
    token = csrf_token_from(client.get(f"/courses/{course_slug}").get_data(as_text=True))
    response = client.post(f"/courses/{course_slug}/enrol", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == f"/courses/{course_slug}"
    return response


def mark_complete(client, course_slug: str, module_slug: str, lesson_slug: str):
    """Open a lesson and press "Mark as complete"; returns the response to the press."""
    url = f"/courses/{course_slug}/{module_slug}/{lesson_slug}"
    page = client.get(url)
    assert page.status_code == 200 and "Mark as complete" in page.get_data(as_text=True)
    return client.post(f"{url}/complete", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})


def at_once(count: int, task, app=None) -> tuple[list, list]:
    """Run task(n) for n in range(count) in threads released together: (results by n, errors raised).

    With `app`, each thread runs in an app context of its own and ends its session, as a request would.
    """
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[str] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            if app is None:
                results[n] = task(n)
                return
            with app.app_context():
                try:
                    results[n] = task(n)
                finally:
                    from lms.extensions import db

                    db.session.remove()
        except Exception as exc:  # noqa: BLE001 - returned to the test, which asserts there are none
            with lock:
                errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


BPO_PACK = pathlib.Path(__file__).resolve().parent.parent / "courses" / "bpo_operations"
# What a sync writes: the course's structure, its question bank and quizzes, and its badge classes.
CONTENT_TABLES = (
    "courses",
    "modules",
    "lessons",
    "questions",
    "question_versions",
    "quizzes",
    "quiz_questions",
    "badge_classes",
    "readiness_roles",
)
_synced_rows: dict[str, dict[str, list[dict]]] = {}  # by database URL: the rows one real sync of the BPO pack wrote


def load_bpo_course(app) -> None:
    """Load the BPO course into an empty database as `flask courses sync` does.

    The first call in a run checks and syncs the pack for real and keeps the rows it wrote; later calls copy
    those rows in, which gives the same database far faster. Tests of syncing itself call the sync directly.
    """
    from sqlalchemy import func, select, text

    from courses.services import check_pack, sync_pack
    from lms.extensions import db

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        tables = [table for table in db.metadata.sorted_tables if table.name in CONTENT_TABLES]
        assert db.session.scalar(select(func.count()).select_from(tables[0])) == 0, "the course is loaded already"
        if url not in _synced_rows:
            pack, problems = check_pack(BPO_PACK)
            assert problems == [] and pack is not None, problems
            sync_pack(pack)
            _synced_rows[url] = {
                table.name: [dict(row._mapping) for row in db.session.execute(select(table))] for table in tables
            }
            db.session.remove()
            return
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(table.insert(), _synced_rows[url][table.name])
                if conn.dialect.name == "postgresql":  # copied ids leave the id sequence behind; move it on
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT max(id) FROM {table.name}))"
                        )
                    )


def assign_trainer(app, trainer: dict, *course_ids: int) -> None:
    """Assign a trainer to these courses (every course there is, when none is named), as an admin does on a
    course's Trainers page."""
    from sqlalchemy import select

    from courses.models import Course
    from courses.trainers import assign_trainer as assign
    from lms.extensions import db
    from lms.models import User

    with app.app_context():
        admin = db.session.scalar(select(User).where(User.role == "admin")) or SimpleNamespace(id=None)
        for course_id in course_ids or db.session.scalars(select(Course.id)).all():
            assign(admin, course_id, trainer["email"])


def question_id(app, title: str) -> int:
    """The id of the bank question with this title."""
    from sqlalchemy import select

    from lms.extensions import db
    from quizzes.models import Question

    with app.app_context():
        return db.session.scalar(select(Question.id).where(Question.title == title))


def wait_in_page(page, predicate: str, timeout: float = 10.0) -> None:
    """Wait until a JavaScript arrow function returns true in the page, asking from the test's side. Playwright's own
    `wait_for_function` re-evaluates its predicate with `eval` inside the page, which the app's Content Security
    Policy forbids, so it fails whenever the predicate is not already true on the first try."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {predicate}"
        page.wait_for_timeout(50)
