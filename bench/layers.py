"""Where a request's time goes: the learner's pages served in-process, beside hello and the LMS's floor.

Usage: .venv/bin/python -m bench.layers [--database sqlite|postgresql] [--requests 3000] [--profile CASE]

The speed benchmark (bench/speed.py) measures what a learner gets from a real server; this one explains it. It
seeds a small benchmark database (bench/seed.py), then calls each app's WSGI callable directly, with no server,
socket or load generator in between, and prints the microseconds and SQL statements per request of hello, the
floor routes (bench/floor.py) and each page, replaying the speed benchmark's own requests. The differences
between rows are what each layer costs: the signed-in floor minus hello is what Flask, its extensions, the
session and loading the signed-in person add to every request; the empty page adds the site's layout; a page
minus the empty page is that page's own work. `--profile CASE` then lists the functions where that case spends
its time (cProfile, which slows small functions more than large ones: read it for where, not how much).
"""

import argparse
import cProfile
import io
import os
import pathlib
import pstats
import statistics
import tempfile
import time

from bench.seed import USER_AGENT, bench_environment, request_file, seed

PAGES = ["lesson page", "course page", "dashboard", "quiz page"]
ROUNDS = 5  # each case is timed in this many rounds; the table gives their median


def request_environs(lines: list[str]) -> list[dict]:
    """The WSGI environ of each request line (method, path, cookie), built once."""
    from werkzeug.test import EnvironBuilder

    environs = []
    for line in lines:
        method, path, cookie = line.split("\t")[:3]
        headers = [("User-Agent", USER_AGENT)] + ([("Cookie", cookie)] if cookie else [])
        builder = EnvironBuilder(
            path=path,
            method=method,
            headers=headers,
            base_url="http://127.0.0.1:8000",
            # The address the cookies were signed in from: from another, Flask-Login's session protection would
            # mark each request's session no longer fresh, and every answer would sign a new cookie.
            environ_overrides={"REMOTE_ADDR": "127.0.0.1"},
        )
        environs.append(builder.get_environ())
        builder.close()
    return environs


def serve(app, environs: list[dict], count: int) -> None:
    """Call the app `count` times, in turn with each request; stop at the first answer other than 200."""
    statuses: list[str] = []

    def start_response(status, _headers, _exc_info=None):
        statuses.append(status)

    for n in range(count):
        environ = dict(environs[n % len(environs)], **{"wsgi.input": io.BytesIO()})
        body = app(environ, start_response)
        b"".join(body)
        getattr(body, "close", lambda: None)()
        if not statuses[-1].startswith("200"):
            raise RuntimeError(f"{environ['PATH_INFO']} answered {statuses[-1]}")


def microseconds_per_request(app, environs: list[dict], requests: int) -> float:
    """The median over rounds of the time per request, after every request was served once."""
    serve(app, environs, len(environs))
    per_round = max(requests // ROUNDS, 1)
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        serve(app, environs, per_round)
        times.append((time.perf_counter() - started) / per_round * 1e6)
    return statistics.median(times)


def statements_per_request(app, environs: list[dict]) -> float:
    """The SQL statements the app sends per request, on average over one pass of the requests."""
    from sqlalchemy import event

    from lms.extensions import db

    with app.app_context():
        engine = db.engine
    sent = []
    listener = lambda *_args: sent.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        serve(app, environs, len(environs))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(sent) / len(environs)


def cases(workdir: pathlib.Path) -> dict[str, tuple[str, list[dict]]]:
    """Each case's app ("hello" or "lms") and requests: hello, the two floor routes (with the lesson page's
    cookies) and the learner's pages."""
    lesson_lines = request_file(workdir, "lesson page").read_text("utf-8").splitlines()
    cookies = [line.split("\t")[2] for line in lesson_lines]
    found = {
        "hello": ("hello", request_environs(["GET\t/\t"])),
        "signed-in floor": ("lms", request_environs([f"GET\t/bench/ok\t{cookie}" for cookie in cookies])),
        "empty page": ("lms", request_environs([f"GET\t/bench/empty\t{cookie}" for cookie in cookies])),
    }
    for page in PAGES:
        found[page] = ("lms", request_environs(request_file(workdir, page).read_text("utf-8").splitlines()))
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
    seed(workdir, env, 300, 100)
    os.environ.update(env)  # before the app is imported: the configuration reads the database address once
    from bench.floor import create_app
    from bench.hello import app as hello_app

    apps = {"hello": hello_app, "lms": create_app()}
    found = cases(workdir)
    if args.profile:
        app_name, environs = found[args.profile]
        serve(apps[app_name], environs, len(environs))
        profile = cProfile.Profile()
        profile.runcall(serve, apps[app_name], environs, args.requests)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        return
    measured = {}
    for name, (app_name, environs) in found.items():
        app = apps[app_name]
        micros = microseconds_per_request(app, environs, args.requests)  # first: a process's first request does more
        measured[name] = (micros, statements_per_request(app, environs) if app_name == "lms" else 0)
    print("\n".join(["", *table(measured), ""]))


if __name__ == "__main__":
    main()
