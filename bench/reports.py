"""Time the progress reports on a large training operation: generated learners, then each report page.

Usage: .venv/bin/python -m bench.reports [--learners 100000] [--database sqlite|postgresql|both] [--reuse]

For each database it builds a fresh one (the BPO course, then `flask --app lms demo generate --learners N`,
timed), signs an admin in through the test client and times, as the median of eleven requests after one warm-up
(the pages taken in turn, round after round): the learner table's first page and its page 1,000 (reached by
following "Next page", as a person would) in two orders, filtered by cohort, by status and by a search; the
course dashboard; a learner's record; and the full CSV and XLSX exports, read to their end. For the CSV it also
reports the largest amount of memory Python held while streaming it (tracemalloc, in a run of its own), which
must not grow with the number of learners.
"""

import argparse
import os
import pathlib
import platform
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc

from bench.admin_pages import csrf_token
from bench.seed import BENCH_DATABASE, ROOT, fresh_postgres_database, run_cli

REPEATS = 11
COURSE = "bpo-operations"
ADMIN_EMAIL = f"reports-admin-{secrets.token_hex(4)}@bench.example"  # new each run, as `--reuse` keeps the last
ADMIN_PASSWORD = secrets.token_urlsafe(16)
# The bounds of the report pages (milliseconds; the exports in seconds), as (SQLite, PostgreSQL).
BOUNDS = {"table": (50, 50), "dashboard": (400, 400), "csv": (6.0, 3.0)}
# Kept after a run, so `--reuse` can time changed code without generating the learners again.
KEPT_SQLITE = pathlib.Path(tempfile.gettempdir()) / "lms-bench-reports" / "reports.sqlite3"
POSTGRES_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{BENCH_DATABASE}"  # `fresh_postgres_database` builds it


def postgres_has_learners() -> bool:
    """Whether the benchmark's PostgreSQL database is there with generated learners in it."""
    import psycopg

    try:
        with psycopg.connect(POSTGRES_URL.replace("+psycopg", "")) as connection:
            found = connection.execute("SELECT count(*) FROM enrolments").fetchone()
            return bool(found and found[0])
    except psycopg.Error:
        return False


def timed_get(client, url: str) -> float:
    """Milliseconds to build a page and read all of it (which must succeed)."""
    started = time.perf_counter()
    response = client.get(url)
    body = response.get_data()  # a streamed response is produced while it is read
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        sys.exit(f"GET {url}: {response.status_code} {body[:200]!r}")
    return elapsed


def medians_ms(client, urls: list[str]) -> list[tuple[float, float, float]]:
    """(median, fastest, slowest) of each page's requests after a warm-up, the pages taken in turn, round after
    round: a machine that slows down for a moment slows every page alike, so page 1,000 compares fairly with
    page 1."""
    for url in urls:
        timed_get(client, url)
    times: list[list[float]] = [[] for _ in urls]
    for _ in range(REPEATS):
        for found, url in zip(times, urls, strict=True):
            found.append(timed_get(client, url))
    return [(statistics.median(found), min(found), max(found)) for found in times]


def page_url(client, first: str, page: int) -> str:
    """The URL of the table's page `page`, reached from `first` by following its "Next page" links."""
    url = first
    for _ in range(page - 1):
        text = client.get(url).get_data(as_text=True)
        found = text.split('">Next page', 1)[0].rsplit('href="', 1)
        if len(found) != 2 or "after=" not in found[1]:
            sys.exit(f"the table has no page {page}")
        url = found[1].replace("&amp;", "&")
    return url


def export_memory(client, url: str) -> tuple[float, int]:
    """(the most memory Python held while streaming the export, in MB; the export's size in bytes)."""
    tracemalloc.start()
    response = client.get(url, buffered=False)
    size = sum(len(chunk) for chunk in response.response)
    response.close()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6, size


def build(database: str, workdir: pathlib.Path, learners: int, reuse: bool) -> tuple[str, float]:
    """A fresh database with the course and the generated learners; returns its URL and the generation's seconds
    (0 when `reuse` finds the last run's database, only upgraded)."""
    kept = KEPT_SQLITE.exists() if database == "sqlite" else postgres_has_learners()
    reuse = reuse and kept
    if database == "postgresql":
        url = POSTGRES_URL if reuse else fresh_postgres_database()
    else:
        KEPT_SQLITE.parent.mkdir(exist_ok=True)
        if not reuse:
            KEPT_SQLITE.unlink(missing_ok=True)
        url = f"sqlite:///{KEPT_SQLITE}"
    os.environ.update(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_hex(32),
            "SECRET_KEY_FILE": str(workdir / "secret-key"),
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run_cli(env, "db", "upgrade")
    if reuse:
        return url, 0.0
    run_cli(env, "courses", "sync")
    started = time.perf_counter()
    run_cli(env, "demo", "generate", "--learners", str(learners), "--seed", "7")
    return url, time.perf_counter() - started


def signed_in_admin(url: str):
    """The app on this database and a test client signed in as a new admin."""
    from lms import create_app
    from lms.auth.services import create_user

    # The configuration read the environment when first imported: name this run's database here.
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": os.environ["SECRET_KEY"]})
    with app.app_context():
        create_user(ADMIN_EMAIL, "Reports Admin", ADMIN_PASSWORD, role="admin")
    client = app.test_client()
    token = csrf_token(client.get("/login"))
    client.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token})
    return app, client


def examples(app) -> dict:
    """A large cohort, a learner with many attempts and a name to search for, from the generated data."""
    from sqlalchemy import func, select

    from lms.cohorts import CohortMember
    from lms.extensions import db
    from lms.models import User
    from quizzes.models import Attempt

    with app.app_context():
        cohort = db.session.execute(
            select(CohortMember.cohort_id).group_by(CohortMember.cohort_id).order_by(func.count().desc()).limit(1)
        ).scalar_one()
        busiest = db.session.execute(
            select(Attempt.user_id).group_by(Attempt.user_id).order_by(func.count().desc()).limit(1)
        ).scalar_one()
        name = db.session.get_one(User, busiest).display_name
    return {"cohort": cohort, "learner": busiest, "search": name.split()[-1].lower()}


def measure(database: str, learners: int, reuse: bool) -> list[tuple[str, str, float, float, float, str]]:
    """Build the database, time every report; rows of (what, size note, median, fastest, slowest, unit)."""
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="lms-reports-"))
    try:
        print(f"{database}: generating {learners:,} learners…", flush=True)
        url, seconds = build(database, workdir, learners, reuse)
        app, client = signed_in_admin(url)
        found = examples(app)
        table = f"/reports/courses/{COURSE}/learners"
        by_progress = f"{table}?sort=progress&dir=desc"
        far = min(1000, -(-learners // 50))  # page 1,000, or the last page of a smaller run (50 a page)
        pages = [
            ("learner table, page 1 (by name)", table),
            (f"learner table, page {far:,} (by name)", page_url(client, table, far)),
            ("learner table, page 1 (by progress)", by_progress),
            (f"learner table, page {far:,} (by progress)", page_url(client, by_progress, far)),
            ("learner table, one cohort", f"{table}?cohort={found['cohort']}"),
            ("learner table, stuck learners", f"{table}?status=stuck"),
            ("learner table, a search by surname", f"{table}?q={found['search']}"),
            ("course dashboard", f"/reports/courses/{COURSE}"),
            ("a learner's record (most attempts)", f"/learners/{found['learner']}/record"),
        ]
        rows = [("generate the learners", "", seconds, seconds, seconds, "s")]
        for (name, _url), timing in zip(pages, medians_ms(client, [url for _name, url in pages]), strict=True):
            rows.append((name, "", *timing, "ms"))
            print(f"  {name}: {rows[-1][2]:.1f} ms", flush=True)
        for kind in ("csv", "xlsx"):
            url = f"{table}.{kind}"
            timed_get(client, url)
            times = [timed_get(client, url) / 1000 for _ in range(3)]
            peak, size = export_memory(client, url)
            note = f"{size / 1e6:.1f} MB; Python's peak while streaming {peak:.1f} MB"
            rows.append((f"full {kind.upper()} export", note, statistics.median(times), min(times), max(times), "s"))
            print(f"  {kind}: {rows[-1][2]:.2f} s ({note})", flush=True)
        return rows
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def machine() -> str:
    """The CPU, core count and Python this ran on."""
    model = "unknown CPU"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> None:
    """Run the report benchmark on each database and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--reuse", action="store_true", help="time the last run's databases again, if kept")
    args = parser.parse_args()
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = {database: measure(database, args.learners, args.reuse) for database in databases}
    print(f"\n{args.learners:,} learners; {machine()}; test client, median of {REPEATS} (exports: of 3)\n")
    print("| report | " + " | ".join(databases) + " | note |")
    print("|---|" + "---|" * len(databases) + "---|")
    for i, (name, _note, *_rest) in enumerate(results[databases[0]]):
        cells = []
        for database in databases:
            _name, _n, median, low, high, unit = results[database][i]
            cells.append(f"{median:.2f} {unit}" if unit == "s" else f"{median:.1f} ms ({low:.1f}–{high:.1f})")
        notes = "; ".join(f"{d}: {results[d][i][1]}" for d in databases if results[d][i][1])
        print(f"| {name} | " + " | ".join(cells) + f" | {notes} |")


if __name__ == "__main__":
    main()
