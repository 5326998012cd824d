"""Benchmark the learner path against a real gunicorn server and report per-step ratios.

Usage: .venv/bin/python -m bench.learner_path [--learners 20] [--rounds 3] [--workers 2]

It builds a fresh SQLite database with the BPO course, starts gunicorn on 127.0.0.1 with a free port,
signs learners up through the real pages, and times each step of the path (dashboard, course page,
lesson, mark complete, quiz page, start, save, submit). Timings are reported as ratios to the cheapest
request measured in the same run (a static file), so results compare across machines.
"""

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def token_of(page: str) -> str:
    """The CSRF token of the first form on a page."""
    return first_match(TOKEN.pattern, page)


def first_match(pattern: str, page: str) -> str:
    """The first group of the pattern's first match in the page; a page without it stops the run."""
    match = re.search(pattern, page)
    if match is None:
        raise RuntimeError(f"the page has nothing matching {pattern!r}")
    return match.group(1)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """A cookie-keeping HTTP client that records how long each named step takes."""

    def __init__(self, base: str, timings: dict):
        self.base, self.timings = base, timings
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, step: str, path: str, data: dict | None = None) -> tuple[str, str]:
        """GET (or POST `data`) and return (final URL, body), timing the round trip under `step`."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.perf_counter()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            text = response.read().decode()
            url = response.geturl()
        self.timings.setdefault(step, []).append(time.perf_counter() - started)
        return url, text


def learner_path(base: str, n: int, timings: dict) -> None:
    """One learner: sign up, open the course, read a lesson, take a quiz."""
    browser = Browser(base, timings)
    browser.request("static file", "/static/css/app.css")
    _, page = browser.request("sign-up page", "/signup")
    password = "a benchmark passphrase"
    browser.request(
        "sign up",
        "/signup",
        {
            "csrf_token": token_of(page),
            "display_name": f"L{n}",
            "email": f"learner{n}-{os.getpid()}@example.com",
            "password": password,
            "confirm": password,
        },
    )
    _, page = browser.request("catalog", "/courses/")
    browser.request("enrol", "/courses/bpo-operations/enrol", {"csrf_token": token_of(page)})
    browser.request("dashboard", "/dashboard")
    browser.request("course page", "/courses/bpo-operations")
    _, page = browser.request("lesson", "/courses/bpo-operations/what-is-bpo/bpo-explained")
    browser.request(
        "mark complete",
        "/courses/bpo-operations/what-is-bpo/bpo-explained/complete",
        {"csrf_token": token_of(page)},
    )
    _, page = browser.request("module page", "/courses/bpo-operations/what-is-bpo")
    quiz_path = first_match(r'href="(/quizzes/\d+)"', page)
    _, page = browser.request("quiz page", quiz_path)
    url, page = browser.request("start attempt", quiz_path + "/start", {"csrf_token": token_of(page)})
    attempt_path = urllib.parse.urlsplit(url).path
    token = token_of(page)
    browser.request("save answers", attempt_path + "/save", {"csrf_token": token})
    browser.request("submit", attempt_path + "/submit", {"csrf_token": token})


def run(learners: int, rounds: int, workers: int) -> dict:
    """Start gunicorn on a fresh database and run the learner path; return timings by step."""
    workdir = tempfile.mkdtemp(prefix="lms-bench-")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
        "SECRET_KEY": "bench-" + "x" * 40,
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    flask = [sys.executable, "-m", "flask", "--app", "lms"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(flask + ["courses", "sync"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--no-control-socket",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "lms:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        timings: dict = {}
        with ThreadPoolExecutor(max_workers=4) as pool:
            for round_number in range(rounds):
                list(
                    pool.map(
                        lambda n: learner_path(base, n, timings),
                        range(round_number * learners, (round_number + 1) * learners),
                    )
                )
        return timings
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    """Run the benchmark and print median times as ratios to the static file in the same run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    timings = run(args.learners, args.rounds, args.workers)
    baseline = statistics.median(timings["static file"])
    print(f"{'step':<16} {'requests':>8} {'median ratio':>13} {'p90 ratio':>10}")
    for step, values in timings.items():
        values = sorted(values)
        p90 = values[int(0.9 * (len(values) - 1))]
        print(f"{step:<16} {len(values):>8} {statistics.median(values) / baseline:>13.1f} {p90 / baseline:>10.1f}")
    print(
        f"(ratios to the median static-file request of the same run; {args.learners * args.rounds} learners, "
        f"{args.workers} gunicorn workers)"
    )


if __name__ == "__main__":
    main()
