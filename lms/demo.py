"""Synthetic learners for trying the reports at scale: `flask --app lms demo generate --learners N`.

The core makes the people: accounts with realistic names, a persona each (not started, stuck, slow, fast or
finished), a sign-up date over the last few months and a cohort by site, shift and intake month. Each plugin then
writes its own part for every batch of learners (`lms_demo_learners`): the courses plugin enrolments and lessons
read, the quizzes plugin attempts, the badges plugin awards. Rows go in by batch with multi-row inserts, so
100,000 learners take minutes, not hours.
"""

import dataclasses
import random
import secrets
import unicodedata
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, text

from lms.auth.passwords import hash_password
from lms.cohorts import Cohort, CohortMember, count_members
from lms.db import insert_many
from lms.extensions import db
from lms.models import User, utcnow
from lms.plugins import plugin_manager, real_app
from lms.user_search import UserSearchTerm, term_rows

BATCH = 2_000  # learners written and committed together
DOMAIN = "learners.example"  # a reserved domain: no generated address can reach a real mailbox
HISTORY_DAYS = 120  # sign-ups spread over this many days before today

FIRST_NAMES = (
    "Maria", "Jose", "Angelica", "Mark", "Kristine", "John Paul", "Jasmine", "Carlo", "Rhea", "Paolo",
    "Camille", "Miguel", "Patricia", "Joshua", "Nicole", "Adrian", "Bea", "Rafael", "Andrea", "Kevin",
    "Priya", "Rahul", "Ananya", "Arjun", "Sneha", "Vikram", "Lakshmi", "Rohan", "Aisha", "Sean",
    "Niamh", "Ciarán", "Chloé", "José Luis", "Zoë", "Nguyễn", "Thandiwe", "Kwame", "Ana", "Luis",
)  # fmt: skip
LAST_NAMES = (
    "Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Torres", "Flores", "Villanueva", "Ramos",
    "Aquino", "Castillo", "Dela Cruz", "Navarro", "Peña", "Sharma", "Patel", "Iyer", "Nair", "Reddy",
    "Khan", "O'Brien", "Murphy", "Okafor", "Mensah", "Tran", "Le", "Silva", "Gómez", "Müller",
)  # fmt: skip
SITES = ("Manila", "Cebu", "Davao", "Pune")
SHIFTS = ("day", "night")


@dataclasses.dataclass(frozen=True)
class Persona:
    """How a kind of learner moves through a course."""

    name: str
    share: float  # of all generated learners
    reach: tuple[float, float]  # the share of a course's steps done, drawn from this range
    idle_days: tuple[int, int]  # days since their last activity, drawn from this range
    skill: tuple[float, float]  # chance of answering a question right, drawn from this range


PERSONAS = (
    Persona("not started", 0.10, (0.0, 0.0), (0, 0), (0.5, 0.7)),
    Persona("stuck", 0.20, (0.1, 0.6), (15, 60), (0.3, 0.6)),
    Persona("slow", 0.30, (0.1, 0.8), (0, 6), (0.5, 0.75)),
    Persona("fast", 0.15, (0.6, 0.95), (0, 2), (0.65, 0.9)),
    Persona("finished", 0.25, (1.0, 1.0), (0, 40), (0.65, 0.9)),
)


@dataclasses.dataclass(frozen=True)
class DemoLearner:
    """A generated learner and the plan the plugins follow for them."""

    user_id: int
    email: str
    persona: str
    joined_at: datetime
    reach: float  # the share of each course's steps done, 0..1
    last_active_at: datetime  # their last activity: the plugins place everything they did before it
    skill: float  # chance of answering a question right


def draw_learner(rng: random.Random, number: int, now: datetime) -> dict:
    """A new learner's account row and plan (everything but the user id)."""
    persona = rng.choices(PERSONAS, weights=[p.share for p in PERSONAS])[0]
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    idle = timedelta(days=rng.randint(*persona.idle_days), hours=rng.uniform(0, 20))
    # They joined before their last activity, with a few days at least to make progress in.
    joined = now - idle - timedelta(days=rng.uniform(2, HISTORY_DAYS))
    # Addresses in plain ASCII, as most mail systems still expect: "Gómez" becomes "gomez".
    folded = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    local = folded.lower().replace(" ", "-").replace("'", "")
    return {
        "email": f"{local}.{number}@{DOMAIN}",
        "display_name": f"{first} {last}",
        "persona": persona.name,
        "joined_at": joined,
        "reach": rng.uniform(*persona.reach),
        "last_active_at": joined if persona.name == "not started" else now - idle,
        "skill": rng.uniform(*persona.skill),
    }


def cohort_name(joined: datetime, rng: random.Random) -> str:
    """A cohort as a training operation names one: site, shift and intake month."""
    return f"{rng.choice(SITES)} {rng.choice(SHIFTS)} shift, {joined:%B %Y} intake"


def cohort_ids(names: set[str]) -> dict[str, int]:
    """The ids of these cohorts, creating the ones that do not exist yet."""
    found = dict(db.session.execute(select(Cohort.name, Cohort.id).where(Cohort.name.in_(names))).tuples().all())
    missing = sorted(names - found.keys())
    if missing:
        db.session.execute(insert(Cohort), [{"name": name} for name in missing])
        found.update(db.session.execute(select(Cohort.name, Cohort.id).where(Cohort.name.in_(missing))).tuples().all())
    return found


def add_batch(rng: random.Random, first_number: int, count: int, password_hash: str, now: datetime) -> list:
    """Write one batch of learners with their search terms and cohorts; returns their plans."""
    drawn = [draw_learner(rng, first_number + n, now) for n in range(count)]
    users = [
        {
            "email": d["email"],
            "display_name": d["display_name"],
            "password_hash": password_hash,
            "role": "learner",
            "active": True,
            "created_at": d["joined_at"],
            "session_generation": 0,
        }
        for d in drawn
    ]
    insert_many(User, users)
    by_email = dict(
        db.session.execute(select(User.email, User.id).where(User.email.in_([d["email"] for d in drawn])))
        .tuples()
        .all()
    )
    ids = [by_email[d["email"]] for d in drawn]
    learners = [
        DemoLearner(user_id=user_id, **{k: v for k, v in d.items() if k != "display_name"})
        for user_id, d in zip(ids, drawn, strict=True)
    ]
    terms = [
        row
        for learner, d in zip(learners, drawn, strict=True)
        for row in term_rows(learner.user_id, d["email"], d["display_name"])
    ]
    insert_many(UserSearchTerm, terms)
    names = [cohort_name(learner.joined_at, rng) for learner in learners]
    cohorts = cohort_ids(set(names))
    insert_many(
        CohortMember,
        [
            {"cohort_id": cohorts[name], "user_id": learner.user_id, "added_at": learner.joined_at}
            for learner, name in zip(learners, names, strict=True)
        ],
    )
    for name, added in Counter(names).items():
        count_members(cohorts[name], added)
    return learners


def generate(count: int, seed: int | None = None) -> Iterator[int]:
    """Create `count` learners with their progress in every active course, committing batch by batch; yields
    the size of each batch once it is committed."""
    app = real_app()
    rng = random.Random(secrets.randbits(64) if seed is None else seed)
    now = utcnow()
    # Nobody knows this password: generated learners are for reports, not for signing in.
    password_hash = hash_password(secrets.token_urlsafe(24))
    first_number = (db.session.scalar(select(func.max(User.id))) or 0) + 1  # keeps every email new
    for start in range(0, count, BATCH):
        learners = add_batch(rng, first_number + start, min(BATCH, count - start), password_hash, now)
        plugin_manager(app).hook.lms_demo_learners(app=app, learners=learners, rng=rng, now=now)
        db.session.commit()
        yield len(learners)
    # As after any bulk load: fresh statistics for the query planner, as the tables just grew many times over,
    # and on PostgreSQL a VACUUM too, which marks the new pages all-visible so that the reports' covering indexes
    # answer from the index alone (index-only scans) instead of visiting every row, before autovacuum gets there.
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
