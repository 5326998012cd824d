"""Benchmark the learner's path against a real gunicorn server, as ratios to a hello-world app in the same run.

Usage: .venv/bin/python -m bench.speed [--database sqlite|postgresql|both] [--cycles 7] [--slice 2]

For each database it seeds the BPO course with thousands of learners (bench/seed.py), starts the LMS and a
hello-world Flask app under the same gunicorn configuration (sync workers, one per core, on 127.0.0.1,
optimized as in production), and drives both with wrk: 16 connections, no think time, the cases interleaved
in short slices, cycle after cycle.
It prints each case's requests per second, p50 and p99 latency, and its ratio to hello (H) as the median and
range over the cycles, then each worker's memory and the cold start. Every slice is bounded in time, every
server it started is stopped.
"""

import argparse
import contextlib
import json
import os
import pathlib
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.request

from bench.seed import ROOT, USER_AGENT, bench_environment, request_file, seed

HERE = pathlib.Path(__file__).resolve().parent
# The learner's path, in the order each cycle runs it; "once" cases send every request at most once.
CASES = [
    ("lesson page", "cycle"),
    ("course page", "cycle"),
    ("dashboard", "cycle"),
    ("quiz page", "cycle"),
    ("answer save", "cycle"),
    ("mark complete", "once"),
    ("quiz submit", "once"),
]
# What every page costs before its own work, measured in the same cycles, each served by its own app: the
# stack's floor (bench/stack.py: Flask, Flask-SQLAlchemy and Flask-Login loading the signed-in person, none of
# the LMS), and the LMS's (bench/floor.py): a signed-in route answering "ok", and an empty page in the site's
# layout. Each case is also given as a share of the LMS's signed-in floor.
FLOORS = [
    ("stack floor", "bench.stack:create_app()", "/stack/ok"),
    ("signed-in floor", "bench.floor:create_app()", "/bench/ok"),
    ("empty page", "bench.floor:create_app()", "/bench/empty"),
]
SHARE_OF = "signed-in floor"
STACK_FLOOR = "stack floor"
# Workers run as in production (README, "Running in production"): optimized as `python -OO` is, which leaves
# docstrings out of their memory, with their bytecode compiled beforehand as a release does.
WORKER_ENVIRONMENT = {"PYTHONOPTIMIZE": "2"}
# The LMS's own code, compiled beside the installed packages.
APP_CODE = ["lms", "courses", "quizzes", "badges", "bench", "config.py"]
# The bounds the learner's path must meet, as ratios to hello: (SQLite, PostgreSQL).
BOUNDS = {
    "lesson page": (0.5, 0.5),
    "course page": (0.4, 0.4),
    "dashboard": (0.4, 0.4),
    "quiz page": (0.4, 0.4),
    "answer save": (0.25, 0.25),
    "mark complete": (0.2, 0.1),
    "quiz submit": (0.2, 0.1),
}


def compile_workers_bytecode() -> None:
    """Compile the bytecode the workers load, as a release does once (else, where bytecode is not written on
    import, every worker compiles every module as it starts)."""
    packages = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    command = [sys.executable, "-m", "compileall", "-q", "-j", "0", *packages, *APP_CODE]
    done = subprocess.run(
        command, cwd=ROOT, env={**os.environ, **WORKER_ENVIRONMENT}, stdout=subprocess.PIPE, text=True
    )
    if done.returncode != 0:  # a file that does not compile is only imported from source: say so, and go on
        print(f"compileall could not compile everything:\n{done.stdout}", flush=True)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn server on 127.0.0.1, stopped when the block ends."""

    def __init__(self, app: str, env: dict, workers: int):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--no-control-socket",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            app,
        ]
        self.env = {**env, **WORKER_ENVIRONMENT}
        self.process: subprocess.Popen | None = None

    def start(self, probe: str, cookie: str = "", timeout: float = 30) -> float:
        """Start the server; returns seconds from launch to the first successful response to `probe`."""
        started = time.perf_counter()
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env)
        request = urllib.request.Request(self.base + probe, headers={"Cookie": cookie, "User-Agent": USER_AGENT})
        while time.perf_counter() - started < timeout:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.01)
        raise RuntimeError(f"{self.command[-1]} did not answer {probe} within {timeout} s")

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker process, in MB."""
        assert self.process is not None
        pid = self.process.pid
        children = pathlib.Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        sizes = []
        for child in children:
            for line in pathlib.Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *_exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wrk(
    base: str, requests: pathlib.Path, seconds: float, connections: int, mode: str = "cycle", skip: int = 0
) -> dict:
    """One bounded wrk slice replaying a request file against loopback; returns its JSON summary."""
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{round(seconds)}s",
        "--timeout",
        "10s",
        "-s",
        str(HERE / "replay.lua"),
    ]
    command += [base + "/", "--", str(requests), mode, str(skip)]
    finished = subprocess.run(command, check=True, capture_output=True, text=True, timeout=seconds + 60)
    summary = json.loads(finished.stdout.strip().splitlines()[-1])
    summary["failure"] = finished.stderr.strip()
    summary["rps"] = summary["requests"] / summary["seconds"]
    return summary


def measure(database: str, cycles: int, slice_seconds: float, connections: int, learners: int, writers: int) -> dict:
    """Seed, serve and drive one database; returns the slices measured per case and the footprint."""
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="lms-bench-"))
    workers = os.cpu_count() or 2
    env = bench_environment(workdir, database)
    print(f"[{database}] seeding {learners} learners and {writers} more who mark lessons and submit…", flush=True)
    seed(workdir, env, learners, writers)
    files = {name: request_file(workdir, name) for name, _mode in CASES}
    hello_requests = workdir / "hello.tsv"
    hello_requests.write_text("GET\t/\t\t\n", encoding="utf-8")
    _method, lesson_path, lesson_cookie, _body = request_file(workdir, "lesson page").read_text("utf-8").split("\t", 3)
    floor_files = {name: floor_requests(workdir, name, path) for name, _app, path in FLOORS}
    used = {name: 0 for name, mode in CASES if mode == "once"}
    results: dict = {"hello": [], **{name: [] for name, *_ in FLOORS}, **{name: [] for name, _ in CASES}}
    with (
        Server("lms:create_app()", env, workers) as app,
        Server("bench.hello:app", env, workers) as hello,
        contextlib.ExitStack() as floor_servers,
    ):
        cold_start = app.start(lesson_path, lesson_cookie)
        hello.start("/")
        floor_base = start_floors(floor_servers, env, workers, lesson_cookie)
        print(f"[{database}] cold start to the first lesson page: {cold_start:.2f} s; measuring…", flush=True)

        def run_case(name: str, mode: str, seconds: float) -> dict:
            summary = wrk(app.base, files[name], seconds, connections, mode, used.get(name, 0))
            if summary["errors"]:
                print(f"[{database}] {name}: {summary['errors']} errors; {summary['failure'][:3000]}", flush=True)
            if mode == "once":
                used[name] += summary["requests"] + connections + 1  # requests in flight when the slice ended
                if summary["repeated"]:
                    raise RuntimeError(f"{name}: ran out of fresh requests; seed more writers")
            return summary

        for name, mode in CASES:  # warm-up: every worker has served every page once
            run_case(name, mode, 1)
        wrk(hello.base, hello_requests, 1, connections)
        for name, *_ in FLOORS:
            wrk(floor_base[name], floor_files[name], 1, connections)
        for cycle in range(cycles):
            results["hello"].append(wrk(hello.base, hello_requests, slice_seconds, connections))
            for name, *_ in FLOORS:
                results[name].append(wrk(floor_base[name], floor_files[name], slice_seconds, connections))
            for name, mode in CASES:
                results[name].append(run_case(name, mode, slice_seconds))
            print(f"[{database}] cycle {cycle + 1}/{cycles} done", flush=True)
        rss = app.worker_rss_mb()
    shutil.rmtree(workdir, ignore_errors=True)
    return {"database": database, "results": results, "rss_mb": rss, "cold_start_s": cold_start}


def start_floors(servers: contextlib.ExitStack, env: dict, workers: int, cookie: str) -> dict[str, str]:
    """Start each floor app once, its server stopped with `servers`; returns each floor's base address."""
    started: dict[str, Server] = {}
    for _name, app, path in FLOORS:
        if app not in started:
            started[app] = servers.enter_context(Server(app, env, workers))
            started[app].start(path, cookie)
    return {name: started[app].base for name, app, _path in FLOORS}


def floor_requests(workdir: pathlib.Path, name: str, path: str) -> pathlib.Path:
    """The lesson page's signed-in requests, sent to a floor route instead."""
    lines = request_file(workdir, "lesson page").read_text("utf-8").splitlines()
    floor = workdir / (name.replace(" ", "-") + ".tsv")
    floor.write_text("".join(f"GET\t{path}\t{line.split(chr(9))[2]}\t\n" for line in lines), encoding="utf-8")
    return floor


def report(measured: dict) -> list[str]:
    """The table for one database: each case's rate, latency and ratio to hello, median and range over cycles."""
    results, database = measured["results"], measured["database"]
    hello = [s["rps"] for s in results["hello"]]
    lines = [
        f"## {database}: {len(hello)} cycles, hello {statistics.median(hello):,.0f} req/s "
        f"({min(hello):,.0f}–{max(hello):,.0f})",
        "",
        "| case | req/s | p50 ms | p99 ms | ratio to H (median) | range | bound | errors | share of the floor "
        "| share of the stack floor |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    floor = [s["rps"] for s in results[SHARE_OF]]
    stack = [s["rps"] for s in results[STACK_FLOOR]]
    for name, *_ in FLOORS:
        slices = results[name]
        ratios = [s["rps"] / h for s, h in zip(slices, hello, strict=True)]
        lines.append(
            f"| *{name}* | {statistics.median(s['rps'] for s in slices):,.0f} "
            f"| {statistics.median(s['p50_ms'] for s in slices):.1f} "
            f"| {statistics.median(s['p99_ms'] for s in slices):.1f} "
            f"| {statistics.median(ratios):.3f} | {min(ratios):.3f}–{max(ratios):.3f} | – "
            f"| {sum(s['errors'] for s in slices)} | {share_of(slices, floor)} | {share_of(slices, stack)} |"
        )
    failed = []
    for name, _mode in CASES:
        slices = results[name]
        ratios = [s["rps"] / h for s, h in zip(slices, hello, strict=True)]
        bound = BOUNDS[name][0 if database == "sqlite" else 1]
        ratio = statistics.median(ratios)
        errors = sum(s["errors"] for s in slices)
        meets = ratio >= bound and errors == 0
        if not meets:
            failed.append(name)
        lines.append(
            f"| {name} | {statistics.median(s['rps'] for s in slices):,.0f} "
            f"| {statistics.median(s['p50_ms'] for s in slices):.1f} "
            f"| {statistics.median(s['p99_ms'] for s in slices):.1f} "
            f"| {ratio:.3f} | {min(ratios):.3f}–{max(ratios):.3f} | ≥ {bound} {'✓' if meets else '✗'} | {errors} "
            f"| {share_of(slices, floor)} | {share_of(slices, stack)} |"
        )
    rss = measured["rss_mb"]
    lines += [
        "",
        f"Worker memory after the run: {', '.join(f'{r:.0f} MB' for r in rss)} (bound 80 MB); "
        f"cold start to the first lesson page: {measured['cold_start_s']:.2f} s (bound 2 s).",
    ]
    if failed:
        lines.append(f"Below its bound: {', '.join(failed)}.")
    lines.append(
        "Share of the floor: each case's rate over the signed-in floor's (bench/floor.py) in the same cycle, "
        "median; what a page's own work leaves of what every signed-in request can reach. Share of the stack "
        "floor: the same over the stack's floor (bench/stack.py), what Flask, Flask-SQLAlchemy and Flask-Login "
        "reach for a signed-in request with none of the LMS."
    )
    return lines


def share_of(slices: list[dict], floor: list[float]) -> str:
    """The median over cycles of a case's rate divided by the floor's rate in the same cycle."""
    return f"{statistics.median(s['rps'] / f for s, f in zip(slices, floor, strict=True)):.2f}"


def main() -> None:
    """Measure the chosen databases and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--cycles", type=int, default=7)
    parser.add_argument("--slice", type=int, default=2, help="seconds per case per cycle")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--cases", help="only these cases, comma-separated (e.g. 'lesson page,quiz submit')")
    parser.add_argument("--learners", type=int, default=3000, help="learners with progress already in the database")
    parser.add_argument("--writers", type=int, default=1500, help="learners whose lessons and attempts are written")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: install it with 'apt-get install -y wrk'")
    if args.cases:
        wanted = [name.strip() for name in args.cases.split(",")]
        CASES[:] = [case for case in CASES if case[0] in wanted]
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    compile_workers_bytecode()
    for database in databases:
        measured = measure(database, args.cycles, args.slice, args.connections, args.learners, args.writers)
        print("\n".join(["", *report(measured), ""]), flush=True)


if __name__ == "__main__":
    main()
