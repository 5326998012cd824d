"""Time the admin's and trainer's list pages on a large SQLite database, through the Flask test client.

Usage: .venv/bin/python -m bench.admin_pages [--learners 100000]

Seeds the BPO course and that many learners (each enrolled, with two submitted attempts at the first quiz and
the first module's badge, 50 of the awards revoked), then times each page, the median of seven requests
after one warm-up: the user list, its last page, a user search, the badge admin page, the public revocation
list, the trainer's quiz list and "Issue missing badges" with one failed delivery waiting.
"""

import argparse
import os
import pathlib
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime

from sqlalchemy import insert, select, update

from bench.seed import ROOT, add_awards, add_users, enrol_all, outline, run_cli

REPEATS = 7
ADMIN_EMAIL = "admin@bench.example"
ADMIN_PASSWORD = secrets.token_urlsafe(16)


def csrf_token(response) -> str:
    """The CSRF token of a page's first form."""
    page = response.get_data(as_text=True)
    return page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]


def seed(app, learners: int) -> dict:
    """The learners, their attempts and awards, and one failed badge delivery; returns what the pages need."""
    from badges.models import BadgeClass
    from courses.events import ModuleCompleted
    from courses.models import Module
    from lms.extensions import db
    from lms.models import FailedDelivery
    from quizzes.models import Attempt, Quiz

    the_outline = outline(app)
    ids: list[int] = []
    for first in range(0, learners, 10_000):
        batch = add_users(app, first, min(10_000, learners - first), "not a password hash")
        enrol_all(batch, the_outline.course_id)
        ids += batch
    quiz_id, module_id, _limit = the_outline.quizzes[0]
    now = datetime.now(UTC)
    for start in range(0, len(ids), 10_000):
        db.session.execute(
            insert(Attempt),
            [
                {"quiz_id": quiz_id, "user_id": u, "number": n, "status": "submitted", "started_at": now, "slots": []}
                for u in ids[start : start + 10_000]
                for n in (1, 2)
            ],
        )
    db.session.execute(update(Quiz).where(Quiz.id == quiz_id).values(attempt_count=2 * len(ids)))
    badge_id = db.session.execute(select(BadgeClass.id).where(BadgeClass.module_id == module_id)).scalar_one()
    for start in range(0, len(ids), 10_000):
        add_awards(ids[start : start + 10_000], badge_id, revoked=50 if start == 0 else 0)
    module = db.session.get_one(Module, module_id)
    missing = add_users(app, learners + 2, 1, "not a password hash")[0]
    enrol_all([missing], the_outline.course_id)
    completed = ModuleCompleted(
        user_id=missing,
        course_id=the_outline.course_id,
        course_slug="bpo-operations",
        module_id=module_id,
        module_slug=module.slug,
        module_title=module.title,
        best_score=100,
    )
    db.session.add(FailedDelivery(listener="badges", name=completed.name, payload=completed.as_dict()))
    db.session.commit()
    return {"last_page_after": ids[-40], "search": f"learner{learners // 2}@bench.example"}


def timed(client, method: str, url: str, data: dict | None = None) -> float:
    """Milliseconds for one request (which must succeed)."""
    started = time.perf_counter()
    response = client.open(url, method=method, data=data)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != (200 if method == "GET" else 302):  # a sign-in page would be a 302 too
        sys.exit(f"{method} {url}: {response.status_code}")
    return elapsed


def run(learners: int) -> None:
    """Seed, then time each page and print the table; the database is removed afterwards."""
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="lms-admin-pages-"))
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
            "SECRET_KEY": secrets.token_hex(32),
            "SECRET_KEY_FILE": str(workdir / "secret-key"),
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    try:
        measure(workdir, learners)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(workdir: pathlib.Path, learners: int) -> None:
    """Build the database in `workdir`, seed it and print each page's timing."""
    run_cli(dict(os.environ, PYTHONPATH=str(ROOT)), "db", "upgrade")
    run_cli(dict(os.environ, PYTHONPATH=str(ROOT)), "courses", "sync")
    from lms import create_app
    from lms.auth.services import create_user

    app = create_app()
    print(f"seeding {learners:,} learners…", flush=True)
    with app.app_context():
        found = seed(app, learners)
        create_user(ADMIN_EMAIL, "Bench Admin", ADMIN_PASSWORD, role="admin")
    client = app.test_client()
    client.post(
        "/login",
        data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": csrf_token(client.get("/login"))},
    )
    pages = [
        ("user list", "GET", "/admin/users"),
        ("user list, last page", "GET", f"/admin/users?after={found['last_page_after']}"),
        ("user search", "GET", f"/admin/users?q={found['search']}"),
        ("badge admin", "GET", "/badges/admin/"),
        ("revocation list", "GET", "/badges/revocations"),
        ("trainer's quiz list", "GET", "/author/quizzes"),
    ]
    print(f"\n| page ({learners:,} learners, SQLite, test client) | median ms | range |")
    print("|---|---|---|")
    for name, method, url in pages:
        timed(client, method, url)
        times = [timed(client, method, url) for _ in range(REPEATS)]
        print(f"| {name} | {statistics.median(times):.1f} | {min(times):.1f}–{max(times):.1f} |", flush=True)
    token = csrf_token(client.get("/badges/admin/"))
    once = timed(client, "POST", "/badges/admin/reissue", {"csrf_token": token})
    print(f"| issue missing badges (one failed delivery) | {once:.1f} | one click |")


def main() -> None:
    """Run the admin pages timing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    run(parser.parse_args().learners)


if __name__ == "__main__":
    main()
