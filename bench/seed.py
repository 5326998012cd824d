"""Seed a benchmark database: the BPO course, thousands of learners with progress and attempts, and the
requests each load case replays (signed-in cookies, CSRF tokens, open attempts) written as lines for wrk."""

import dataclasses
import json
import os
import pathlib
import random
import secrets
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from flask import Flask, g, session
from flask_login import login_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, insert, select, update

ROOT = pathlib.Path(__file__).resolve().parent.parent
COURSE = "bpo-operations"
COHORT_FILE = "cohort.json"
USER_AGENT = "lms-bench"  # sent with every request, so the session's identifier matches the one it was minted for


@dataclasses.dataclass
class Outline:
    """What the seed needs to know of the course: lessons in order and each module quiz's template slots."""

    course_id: int
    lessons: list  # (lesson id, module id, url path)
    quizzes: list  # (quiz id, module id, time limit in minutes or None)
    slots: dict  # quiz id -> the slots of a real attempt started on it


POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DATABASE = "lms_bench"


def fresh_postgres_database() -> str:
    """Drop and create the benchmark's own PostgreSQL database; returns its SQLAlchemy URL."""
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{BENCH_DATABASE}"


def bench_environment(workdir: pathlib.Path, database: str) -> dict:
    """The environment the benchmark's processes run in: a fresh database ("sqlite" in `workdir`, or
    "postgresql"), a secret of their own, and mail and rate limits kept in memory."""
    url = fresh_postgres_database() if database == "postgresql" else f"sqlite:///{workdir}/bench.sqlite3"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "SECRET_KEY_FILE": str(workdir / "secret-key"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_BACKEND": "locmem",  # the badges' mail is kept in memory: a benchmark measures the app, not SMTP
        "PYTHONPATH": str(ROOT),
    }


def run_cli(env: dict, *args: str) -> None:
    """Run `flask --app lms ...` against the benchmark database; stop the run if it fails."""
    subprocess.run([sys.executable, "-m", "flask", "--app", "lms", *args], cwd=ROOT, env=env, check=True)


def bench_app() -> Flask:
    """The LMS app as the server will run it (same environment: database, secret)."""
    from lms import create_app

    return create_app()


def outline(app: Flask) -> Outline:
    """The course's lessons, quizzes and one real attempt layout per quiz."""
    from courses.models import Course, Lesson, Module
    from lms.extensions import db
    from quizzes.models import Quiz

    course = db.session.execute(select(Course).where(Course.slug == COURSE)).scalar_one()
    rows = db.session.execute(
        select(Lesson.id, Module.id, Module.slug, Lesson.slug)
        .join(Module, Module.id == Lesson.module_id)
        .where(Lesson.course_id == course.id, Lesson.active.is_(True), Module.active.is_(True))
        .order_by(Module.position, Lesson.position)
    ).all()
    lessons = [(lesson_id, module_id, f"/courses/{COURSE}/{m}/{s}") for lesson_id, module_id, m, s in rows]
    quizzes = db.session.execute(
        select(Quiz.id, Quiz.module_id, Quiz.time_limit_minutes)
        .where(Quiz.course_id == course.id, Quiz.active.is_(True))
        .order_by(Quiz.id)
    ).all()
    return Outline(course.id, lessons, [tuple(q) for q in quizzes], {})


def add_users(app: Flask, first: int, count: int, password_hash: str) -> list[int]:
    """Insert `count` learner accounts enrolled in the course; returns their ids."""
    from lms.extensions import db
    from lms.models import User
    from lms.user_search import UserSearchTerm, term_rows

    now = datetime.now(UTC)
    db.session.execute(
        insert(User),
        [
            {
                "email": f"learner{n}@bench.example",
                "display_name": f"Learner {n}",
                "password_hash": password_hash,
                "role": "learner",
                "active": True,
                "created_at": now,
                "session_generation": 0,
            }
            for n in range(first, first + count)
        ],
    )
    ids = list(
        db.session.scalars(
            select(User.id)
            .where(User.email.in_([f"learner{n}@bench.example" for n in range(first, first + count)]))
            .order_by(User.id)
        )
    )
    terms = [
        row
        for n, user_id in zip(range(first, first + count), ids, strict=True)
        for row in term_rows(user_id, f"learner{n}@bench.example", f"Learner {n}")
    ]
    db.session.execute(insert(UserSearchTerm), terms)
    return ids


def enrol_all(user_ids: list[int], course_id: int) -> None:
    """Enrol these learners in the course."""
    from courses.models import Enrolment
    from lms.extensions import db

    now = datetime.now(UTC)
    db.session.execute(
        insert(Enrolment), [{"user_id": u, "course_id": course_id, "enrolled_at": now} for u in user_ids]
    )


def template_slots(app: Flask, the_outline: Outline, user_id: int) -> None:
    """Start one real attempt per quiz through the service, so seeded attempts carry real question layouts. The
    final assessment opens once every module is complete, so the template learner first reads every lesson and
    passes the module quizzes."""
    from lms.extensions import db
    from quizzes.attempts import start_attempt
    from quizzes.models import Quiz

    module_quizzes = [quiz_id for quiz_id, module_id, _limit in the_outline.quizzes if module_id is not None]
    course_quizzes = [quiz_id for quiz_id, module_id, _limit in the_outline.quizzes if module_id is None]
    for quiz_id in module_quizzes:
        the_outline.slots[quiz_id] = start_attempt(db.session.get_one(Quiz, quiz_id), user_id).slots
    complete_every_module(the_outline, user_id)
    for quiz_id in course_quizzes:
        the_outline.slots[quiz_id] = start_attempt(db.session.get_one(Quiz, quiz_id), user_id).slots


def complete_every_module(the_outline: Outline, user_id: int) -> None:
    """The learner reads every lesson and passes the attempts they have open."""
    from sqlalchemy import update

    from courses.models import LessonCompletion
    from lms.extensions import db
    from quizzes.models import Attempt

    now = datetime.now(UTC)
    db.session.add_all(
        LessonCompletion(user_id=user_id, lesson_id=lesson_id, completed_at=now)
        for lesson_id, _module, _path in the_outline.lessons
    )
    db.session.execute(
        update(Attempt)
        .where(Attempt.user_id == user_id, Attempt.status == "open")
        .values(status="submitted", submitted_at=now, score=100.0, passed=True)
    )
    db.session.commit()


def add_progress(user_ids: list[int], the_outline: Outline, rng: random.Random) -> None:
    """Give each learner some lessons read and submitted attempts, as a cohort part-way through looks."""
    from courses.models import LessonCompletion
    from lms.extensions import db
    from quizzes.models import Attempt, AttemptAnswer, Quiz

    now = datetime.now(UTC)
    completions, attempts = [], []
    for user_id in user_ids:
        read = rng.randint(0, len(the_outline.lessons))
        completions += [
            {"user_id": user_id, "lesson_id": lesson_id, "completed_at": now - timedelta(minutes=read - i)}
            for i, (lesson_id, _m, _p) in enumerate(the_outline.lessons[:read])
        ]
        modules_read = {module for _l, module, _p in the_outline.lessons[:read]}
        for quiz_id, module_id, _limit in the_outline.quizzes:
            if module_id in modules_read:
                for number in range(1, rng.randint(1, 3) + 1):
                    score = float(rng.choice([40, 60, 75, 90, 100]))
                    attempts.append(
                        {
                            "quiz_id": quiz_id,
                            "user_id": user_id,
                            "number": number,
                            "status": "submitted",
                            "started_at": now - timedelta(hours=2),
                            "submitted_at": now - timedelta(hours=1),
                            "score": score,
                            "passed": score >= 70,
                            "slots": the_outline.slots[quiz_id],
                        }
                    )
    if completions:
        db.session.execute(insert(LessonCompletion), completions)
    if attempts:
        db.session.execute(insert(Attempt), attempts)
        inserted = db.session.execute(
            select(Attempt.id, Attempt.slots).where(Attempt.user_id.in_(user_ids), Attempt.status == "submitted")
        ).all()
        answers = [
            {
                "attempt_id": attempt_id,
                "slot": slot,
                "response": {"choice": 0},
                "saved_at": now,
                "checked": False,
                "score": float(rng.random() < 0.7),
                "feedback": [],
            }
            for attempt_id, slots in inserted
            for slot in range(len(slots))
        ]
        db.session.execute(insert(AttemptAnswer), answers)
    # The count the trainer's quiz list shows, kept as a started attempt would keep it.
    db.session.execute(
        update(Quiz).values(
            attempt_count=select(func.count(Attempt.id)).where(Attempt.quiz_id == Quiz.id).scalar_subquery()
        )
    )


def add_awards(user_ids: list[int], badge_class_id: int, revoked: int) -> None:
    """Award one badge to each of these learners, and revoke the first `revoked` of those awards."""
    from badges.models import Award
    from lms.extensions import db

    now = datetime.now(UTC)
    db.session.execute(
        insert(Award),
        [
            {
                "public_id": secrets.token_urlsafe(16),
                "badge_class_id": badge_class_id,
                "user_id": user_id,
                "salt": "seeded",
                "recipient_hash": "sha256$seeded",
                "issued_at": now,
                "evidence": {"completed": "Seeded", "best_score": None, "date": now.date().isoformat()},
                "revoked_at": now if n < revoked else None,
                "revocation_reason": "Seeded revocation" if n < revoked else None,
                "revocation_reason_public": n < revoked,
            }
            for n, user_id in enumerate(user_ids)
        ],
    )


def own_layouts(the_outline: Outline, rng: random.Random):
    """A function of a quiz id giving its template's questions with option orders of their own, drawn as starting
    an attempt draws them: each seeded attempt then has an answer form of its own, as a real one has."""
    from lms.extensions import db
    from quizzes.attempts import fixed_versions
    from quizzes.bank import question_types
    from quizzes.models import Quiz

    versions = fixed_versions(sorted({slot["version_id"] for slots in the_outline.slots.values() for slot in slots}))
    shuffles = {quiz_id: shuffle for quiz_id, shuffle in db.session.execute(select(Quiz.id, Quiz.shuffle_options))}
    types = question_types()

    def layouts(quiz_id: int) -> list[dict]:
        slots = []
        for slot in the_outline.slots[quiz_id]:
            version = versions[slot["version_id"]]
            qtype = types.get(version.question_type)
            layout = qtype.layout(version.config, rng, shuffles[quiz_id]) if qtype else slot["layout"]
            slots.append({**slot, "layout": layout})
        return slots

    return layouts


def open_attempts(user_ids: list[int], the_outline: Outline, rng: random.Random) -> dict:
    """One open attempt per learner and quiz, each with option orders of its own; returns {(user id, quiz id):
    attempt id}."""
    from lms.extensions import db
    from quizzes.models import Attempt

    now = datetime.now(UTC)
    layouts = own_layouts(the_outline, rng)
    used = {
        (user_id, quiz_id): number
        for user_id, quiz_id, number in db.session.execute(
            select(Attempt.user_id, Attempt.quiz_id, func.max(Attempt.number))
            .where(Attempt.user_id.in_(user_ids))
            .group_by(Attempt.user_id, Attempt.quiz_id)
        )
    }
    rows = [
        {
            "quiz_id": quiz_id,
            "user_id": user_id,
            "number": used.get((user_id, quiz_id), 0) + 1,
            "status": "open",
            "started_at": now,
            # Long enough for the run, as a timed quiz's clock would allow.
            "deadline": now + timedelta(minutes=limit) if limit else None,
            "slots": layouts(quiz_id),
        }
        for user_id in user_ids
        for quiz_id, _module, limit in the_outline.quizzes
    ]
    db.session.execute(insert(Attempt), rows)
    found = db.session.execute(
        select(Attempt.user_id, Attempt.quiz_id, Attempt.id).where(
            Attempt.user_id.in_(user_ids), Attempt.status == "open"
        )
    ).all()
    return {(u, q): a for u, q, a in found}


def signed_in(app: Flask, user_ids: list[int]) -> dict:
    """A session cookie and CSRF token per learner, minted as a sign-in would, without hashing a password each."""
    from lms.extensions import db
    from lms.models import User

    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    found = {}
    for user_id in user_ids:
        with app.test_request_context(headers={"User-Agent": USER_AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            login_user(db.session.get_one(User, user_id))
            session.permanent = True
            # `g` belongs to the app context that outlives each request context here: drop the last token.
            g.pop(app.config["WTF_CSRF_FIELD_NAME"], None)
            token = generate_csrf()
            found[user_id] = (f"{app.config['SESSION_COOKIE_NAME']}={serializer.dumps(dict(session))}", token)
    return found


def answer_body(app: Flask, attempt_id: int, token: str) -> str:
    """A filled-in answer form for an attempt: the first option of every question that has options."""
    from urllib.parse import urlencode

    from lms.extensions import db
    from quizzes.attempts import slot_views
    from quizzes.models import Attempt
    from quizzes.views import answer_form

    with app.test_request_context():
        form = answer_form(slot_views(db.session.get_one(Attempt, attempt_id)))
        data = {"csrf_token": token}
        for name, field in form._fields.items():
            choices = list(field.iter_choices()) if hasattr(field, "iter_choices") else []
            if name.startswith("q") and choices:
                data[name] = choices[0][0]
        return urlencode(data)


def write_lines(path: pathlib.Path, lines: list[tuple]) -> None:
    """One request per line: method, path, cookie and body, tab-separated."""
    path.write_text("".join("\t".join(line) + "\n" for line in lines), encoding="utf-8")


def request_file(workdir: pathlib.Path, case: str) -> pathlib.Path:
    """Where the requests of a load case are written."""
    return workdir / (case.replace(" ", "-") + ".tsv")


def seed(workdir: pathlib.Path, env: dict, learners: int, writers: int) -> None:
    """Build the benchmark database named in `env` and write each case's request file into `workdir`.

    Runs in a process of its own: the configuration reads the database address once, when first imported.
    """
    run_cli(env, "db", "upgrade")
    run_cli(env, "courses", "sync")
    command = [sys.executable, "-m", "bench.seed", str(workdir), str(learners), str(writers)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def seed_here(workdir: pathlib.Path, learners: int, writers: int, rng_seed: int = 7) -> None:
    """The part of `seed` that runs inside the seeding process."""
    from lms.auth.passwords import hash_password
    from lms.extensions import db

    app = bench_app()
    rng = random.Random(rng_seed)
    with app.app_context():
        the_outline = outline(app)
        password_hash = hash_password("a benchmark passphrase")
        template = add_users(app, 0, 1, password_hash)
        crowd = add_users(app, 1, learners, password_hash)
        readers = add_users(app, learners + 1, 64, password_hash)
        doers = add_users(app, learners + 65, writers, password_hash)
        enrol_all(template + crowd + readers + doers, the_outline.course_id)
        db.session.commit()
        template_slots(app, the_outline, template[0])
        add_progress(crowd + readers, the_outline, rng)
        db.session.commit()
        first_quiz = the_outline.quizzes[0][0]
        reading = open_attempts(readers, the_outline, rng)
        submitting = open_attempts(doers, the_outline, rng)
        db.session.commit()
        cookies = signed_in(app, readers + doers)
        bodies = {
            quiz_id: answer_body(app, reading[readers[0], quiz_id], "{token}")
            for quiz_id, _m, _l in the_outline.quizzes
        }

    def body(quiz_id: int, token: str) -> str:
        return bodies[quiz_id].replace("%7Btoken%7D", token)

    lessons = the_outline.lessons
    cases = {
        "lesson page": [("GET", lessons[(i * 7) % len(lessons)][2], cookies[u][0], "") for i, u in enumerate(readers)],
        "course page": [("GET", f"/courses/{COURSE}", cookies[u][0], "") for u in readers],
        "dashboard": [("GET", "/dashboard", cookies[u][0], "") for u in readers],
        "quiz page": [("GET", f"/quizzes/{first_quiz}", cookies[u][0], "") for u in readers],
        "answer save": [
            ("POST", f"/quizzes/attempts/{reading[u, first_quiz]}/save", cookies[u][0], body(first_quiz, cookies[u][1]))
            for u in readers
        ],
        # Each of these is a new fact: a lesson not read yet, an attempt still open.
        "mark complete": [
            ("POST", f"{path}/complete", cookies[u][0], f"csrf_token={cookies[u][1]}")
            for _l, _m, path in lessons
            for u in doers
        ],
        "quiz submit": [
            ("POST", f"/quizzes/attempts/{submitting[u, quiz_id]}/submit", cookies[u][0], body(quiz_id, cookies[u][1]))
            for quiz_id, _m, _l in the_outline.quizzes
            for u in doers
        ],
    }
    for name, lines in cases.items():
        write_lines(request_file(workdir, name), lines)
    # For the cohort scenario (bench/cohort.py): each writer's cookie, lessons and open attempts, quiz by quiz.
    cohort = [
        {
            "cookie": cookies[u][0],
            "lessons": [path for _l, _m, path in lessons],
            "attempts": [
                {"url": f"/quizzes/attempts/{submitting[u, quiz_id]}", "body": body(quiz_id, cookies[u][1])}
                for quiz_id, _m, _l in the_outline.quizzes
            ],
        }
        for u in doers
    ]
    (workdir / COHORT_FILE).write_text(json.dumps(cohort), encoding="utf-8")


if __name__ == "__main__":
    seed_here(pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
