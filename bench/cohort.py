"""The cohort scenario: a morning's cohort of learners on one server, with think time, on SQLite.

Usage: make bench-cohort, or .venv/bin/python -m bench.cohort [--learners 600] [--seconds 120]

Seeds the benchmark database (bench/seed.py), starts the LMS under gunicorn (sync workers, one per core,
127.0.0.1, --no-control-socket) and runs locust headless against it: each simulated learner is a seeded
account that views two lessons per answer it saves, submits after three such rounds, and thinks 1 to 3 seconds
before every request (bench/cohort_users.py). It prints, per step, the requests, failures and the p50, p95 and
p99 latency, and whether the quiz submit met its bound (p99 at most 200 ms, no failure). The run is bounded in
time and stops the server it started.
"""

import argparse
import csv
import os
import pathlib
import secrets
import shutil
import subprocess
import sys
import tempfile

from bench.seed import COHORT_FILE, ROOT, request_file, seed
from bench.speed import Server, compile_workers_bytecode

LOCUST = ROOT / ".venv-cohort" / "bin" / "locust"  # its own environment: see requirements-cohort.txt
SUBMIT_P99_BOUND_MS = 200
STEPS = ("lesson page", "answer save", "quiz submit")


def run(learners: int, seconds: int) -> int:
    """Seed, serve and load; prints the table and returns 0 when the submit bound is met."""
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="lms-cohort-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
        "SECRET_KEY": secrets.token_hex(32),
        "SECRET_KEY_FILE": str(workdir / "secret-key"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "PYTHONPATH": str(ROOT),
        "LMS_COHORT_FILE": str(workdir / COHORT_FILE),
    }
    print(f"seeding 3,000 learners with progress and {learners} who take part…", flush=True)
    seed(workdir, env, 3000, learners)
    compile_workers_bytecode()
    _method, probe, cookie, _body = request_file(workdir, "lesson page").read_text("utf-8").split("\t", 3)
    try:
        with Server("lms:create_app()", env, os.cpu_count() or 2) as app:
            app.start(probe, cookie)
            print(f"{learners} learners for {seconds} s (1–3 s think time)…", flush=True)
            subprocess.run(
                [
                    str(LOCUST),
                    "-f",
                    str(ROOT / "bench" / "cohort_users.py"),
                    "--headless",
                    "--host",
                    app.base,
                    "--users",
                    str(learners),
                    "--spawn-rate",
                    "50",
                    "--run-time",
                    f"{seconds}s",
                    "--stop-timeout",
                    "5",
                    "--csv",
                    str(workdir / "cohort"),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
                check=False,  # locust exits 1 when any request failed; the table below says which
                timeout=seconds + 120,
            )
            rss = app.worker_rss_mb()
        return report(workdir / "cohort_stats.csv", workdir / "cohort_failures.csv", learners, seconds, rss)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def report(stats_file: pathlib.Path, failures_file: pathlib.Path, learners: int, seconds: int, rss: list) -> int:
    """Print the per-step table from locust's CSV output; 0 when the submit bound is met."""
    rows = {row["Name"]: row for row in csv.DictReader(stats_file.open(encoding="utf-8"))}
    print(f"\ncohort: {learners} learners, {seconds} s, SQLite")
    print("| step | requests | failures | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|")
    for name in STEPS:
        row = rows.get(name)
        if row is None:
            print(f"| {name} | 0 | – | – | – | – | – |")
            continue
        print(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | {float(row['Requests/s']):.1f} "
            f"| {row['50%']} | {row['95%']} | {row['99%']} |"
        )
    print("worker memory after the run: " + ", ".join(f"{mb:.0f} MB" for mb in rss))
    for failure in list(csv.DictReader(failures_file.open(encoding="utf-8")))[:5]:
        print(f"failure: {failure['Name']}: {failure['Error'][:300]} ({failure['Occurrences']}×)")
    submit = rows.get("quiz submit")
    total_failures = sum(int(rows[name]["Failure Count"]) for name in STEPS if name in rows)
    met = submit is not None and float(submit["99%"]) <= SUBMIT_P99_BOUND_MS and total_failures == 0
    print(f"quiz submit p99 ≤ {SUBMIT_P99_BOUND_MS} ms and no failure: {'met' if met else 'NOT met'}")
    return 0 if met else 1


def main() -> None:
    """Run the cohort scenario."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=600)
    parser.add_argument("--seconds", type=int, default=120)
    args = parser.parse_args()
    if not LOCUST.exists():
        sys.exit("locust is missing: `make bench-cohort` installs it into .venv-cohort")
    sys.exit(run(args.learners, args.seconds))


if __name__ == "__main__":
    main()
