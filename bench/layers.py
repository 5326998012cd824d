"""Where a request's time goes: the learner's path served in-process, beside hello and the LMS's floor.

Usage: .venv/bin/python -m bench.layers [--database sqlite|postgresql] [--requests 3000] [--profile CASE]

The speed benchmark (bench/speed.py) measures what a learner gets from a real server; this one explains it. It
seeds a small benchmark database (bench/seed.py), then calls each app's WSGI callable directly, with no server,
socket or load generator in between, and prints the microseconds and SQL statements per request of hello, the
stack's floor (bench/stack.py), the LMS's floor routes (bench/floor.py), each page and each write, replaying the
speed benchmark's own requests. The differences between rows are what each layer costs: the stack floor minus
hello is what Flask, Flask-SQLAlchemy and Flask-Login cost to load a signed-in person, with none of the LMS; the
signed-in floor minus hello is what every request to the LMS costs (its extensions, hooks, session and the
signed-in person); the empty page adds the site's layout; a page minus the empty page is that page's own work.
`--profile CASE` then lists the functions where that case spends its time (cProfile, which slows small functions
more than large ones: read it for where, not how much).

On PostgreSQL a request here also waits for each round trip to the server, which a loaded server overlaps with
other requests' work: read those figures as time, not as what limits throughput.
"""

import argparse
import cProfile
import dataclasses
import io
import os
import pathlib
import pstats
import statistics
import tempfile
import time

from bench.seed import USER_AGENT, bench_environment, request_file, seed

PAGES = ["lesson page", "course page", "dashboard", "quiz page"]
WRITES = ["answer save", "mark complete", "quiz submit"]
ONCE = {"mark complete", "quiz submit"}  # each request is a new fact (a lesson read, an attempt submitted)
ROUNDS = 5  # each case is timed in this many rounds; the table gives their median
WRITERS = 100  # learners whose lessons and attempts the write cases use up, one request each


@dataclasses.dataclass
class Case:
    """The requests of one case, each as its WSGI environ and body, and the app that serves them."""

    app: str  # "hello" or "lms"
    requests: list[tuple[dict, bytes]]
    once: bool = False  # send each request at most once
    used: int = 0  # how many of the requests of a `once` case were sent


def request_environs(lines: list[str]) -> list[tuple[dict, bytes]]:
    """The WSGI environ and body of each request line (method, path, cookie, body), built once."""
    from werkzeug.test import EnvironBuilder

    built = []
    for line in lines:
        method, path, cookie, body = (line.split("\t") + ["", ""])[:4]
        headers = [("User-Agent", USER_AGENT)] + ([("Cookie", cookie)] if cookie else [])
        builder = EnvironBuilder(
            path=path,
            method=method,
            headers=headers,
            base_url="http://127.0.0.1:8000",
            content_type="application/x-www-form-urlencoded" if method == "POST" else None,
            # The address the cookies were signed in from: from another, Flask-Login's session protection would
            # mark each request's session no longer fresh, and every answer would sign a new cookie.
            environ_overrides={"REMOTE_ADDR": "127.0.0.1"},
        )
        environ = builder.get_environ()
        environ["CONTENT_LENGTH"] = str(len(body.encode()))
        built.append((environ, body.encode()))
        builder.close()
    return built


def serve(app, case: Case, count: int) -> None:
    """Send `count` of the case's requests, in turn (a `once` case: those not sent yet); stop at the first answer
    that is not a success or a redirect."""
    statuses: list[str] = []

    def start_response(status, _headers, _exc_info=None):
        statuses.append(status)

    if case.once and case.used + count > len(case.requests):
        raise RuntimeError(f"only {len(case.requests) - case.used} fresh requests are left")
    first = case.used if case.once else 0
    for n in range(first, first + count):
        environ, body = case.requests[n % len(case.requests)]
        environ = dict(environ, **{"wsgi.input": io.BytesIO(body)})
        answer = app(environ, start_response)
        b"".join(answer)
        getattr(answer, "close", lambda: None)()
        if statuses[-1][0] not in "23":
            raise RuntimeError(f"{environ['PATH_INFO']} answered {statuses[-1]}")
    if case.once:
        case.used += count


def microseconds_per_request(app, case: Case, requests: int) -> float:
    """The median over rounds of the time per request, after some requests were served to warm up."""
    serve(app, case, min(len(case.requests), 64))
    if case.once:
        requests = min(requests, (len(case.requests) - case.used) * 3 // 4)  # the rest are left for counting
    per_round = max(requests // ROUNDS, 1)
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        serve(app, case, per_round)
        times.append((time.perf_counter() - started) / per_round * 1e6)
    return statistics.median(times)


def statements_per_request(app, case: Case) -> float:
    """The SQL statements the app sends per request, on average over up to 64 of the requests."""
    from sqlalchemy import event

    from bench.stack import db as stack_db
    from lms.extensions import db as lms_db

    db = stack_db if case.app == "stack" else lms_db
    with app.app_context():
        engine = db.engine
    sent = []
    listener = lambda *_args: sent.append(1)  # noqa: E731
    count = min(64, len(case.requests) - case.used) if case.once else len(case.requests)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        serve(app, case, count)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(sent) / count


def cases(workdir: pathlib.Path) -> dict[str, Case]:
    """Each case: hello, the stack's floor and the LMS's two floor routes (with the lesson page's cookies), the
    learner's pages and writes."""
    lesson_lines = request_file(workdir, "lesson page").read_text("utf-8").splitlines()
    cookies = [line.split("\t")[2] for line in lesson_lines]
    found = {
        "hello": Case("hello", request_environs(["GET\t/\t"])),
        "stack floor": Case("stack", request_environs([f"GET\t/stack/ok\t{cookie}" for cookie in cookies])),
        "signed-in floor": Case("lms", request_environs([f"GET\t/bench/ok\t{cookie}" for cookie in cookies])),
        "empty page": Case("lms", request_environs([f"GET\t/bench/empty\t{cookie}" for cookie in cookies])),
    }
    for name in PAGES + WRITES:
        lines = request_file(workdir, name).read_text("utf-8").splitlines()
        found[name] = Case("lms", request_environs(lines), once=name in ONCE)
    return found


def table(measured: dict[str, tuple[float, float]]) -> list[str]:
    """The figures as a Markdown table, each row also as a difference from hello and from the empty page."""
    hello = measured["hello"][0]
    empty = measured["empty page"][0]
    rows = [
        "| case | µs per request | SQL statements | minus hello | minus the empty page |",
        "|---|---|---|---|---|",
    ]
    for name, (micros, statements) in measured.items():
        beyond_empty = f"{micros - empty:.0f}" if name in PAGES else ""
        rows.append(f"| {name} | {micros:.0f} | {statements:.1f} | {micros - hello:.0f} | {beyond_empty} |")
    return rows


def main() -> None:
    """Seed, then time or profile each case in this process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=3000, help="requests timed per case")
    parser.add_argument("--profile", metavar="CASE", help="profile this case instead of timing every case")
    args = parser.parse_args()

    workdir = pathlib.Path(tempfile.mkdtemp(prefix="lms-layers-"))
    env = bench_environment(workdir, args.database)
    print(f"[{args.database}] seeding…", flush=True)
    seed(workdir, env, 300, WRITERS)
    os.environ.update(env)  # before the app is imported: the configuration reads the database address once
    from bench.floor import create_app
    from bench.hello import app as hello_app
    from bench.stack import create_app as create_stack_app

    apps = {"hello": hello_app, "stack": create_stack_app(), "lms": create_app()}
    found = cases(workdir)
    if args.profile:
        case = found[args.profile]
        serve(apps[case.app], case, min(len(case.requests), 64))
        count = min(args.requests, len(case.requests) - case.used) if case.once else args.requests
        profile = cProfile.Profile()
        profile.runcall(serve, apps[case.app], case, count)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        return
    measured = {}
    for name, case in found.items():
        app = apps[case.app]
        micros = microseconds_per_request(app, case, args.requests)  # first: a process's first request does more
        measured[name] = (micros, statements_per_request(app, case) if case.app != "hello" else 0)
    print("\n".join(["", *table(measured), ""]))


if __name__ == "__main__":
    main()
