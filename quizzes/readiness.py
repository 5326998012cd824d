"""Role readiness: for each job a course prepares people for (its pack's `roles:`), the skills it needs, the
evidence a learner has for each (a pass of the quizzes, exercises and conversations named for it) and what is
still missing; for admins, the same for a cohort.

A skill is met when the learner has passed every quiz named as its evidence (best score at or above the pass
mark), read from the results kept as attempts are scored (`QuizResult`), so a page reads one row per quiz, not
every attempt. The mapping lives in the pack, so another course defines its own roles.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import and_, case, delete, func, select

from courses.pack import Pack, Problem
from lms.db import json_number
from lms.extensions import db
from quizzes.models import Attempt, Quiz, QuizResult, ReadinessRole
from quizzes.pack import pack_quizzes

# The roles of each course as of its last sync, per process: pages read them on every view.
_ROLES: dict[tuple[int, datetime], list[RoleDefinition]] = {}


@dataclasses.dataclass(frozen=True)
class RoleDefinition:
    """A role as the course defines it."""

    id: int
    slug: str
    title: str
    skills: list[dict]  # {"skill": name, "evidence": [quiz slug, ...]}

    def evidence_slugs(self) -> list[str]:
        """Every quiz slug this role's skills name, once each, in order."""
        return list(dict.fromkeys(slug for skill in self.skills for slug in skill["evidence"]))


@dataclasses.dataclass(frozen=True)
class Evidence:
    """One quiz as evidence for a skill: the learner's best score on it and whether that is a pass."""

    quiz_id: int
    title: str
    pass_mark: int
    best: float | None
    detail: str = ""  # the figures of the learner's best attempt (speed, accuracy, rubric), where it has them

    @property
    def met(self) -> bool:
        """Whether the learner has passed this quiz."""
        return self.best is not None and self.best >= self.pass_mark


@dataclasses.dataclass(frozen=True)
class SkillStatus:
    """A skill of a role and the learner's evidence for it."""

    name: str
    evidence: list[Evidence]

    @property
    def met(self) -> bool:
        """Met when every piece of its evidence is (a skill whose quizzes were all retired is not met)."""
        return bool(self.evidence) and all(item.met for item in self.evidence)


@dataclasses.dataclass(frozen=True)
class RoleStatus:
    """A role and how ready the learner is for it."""

    role: RoleDefinition
    skills: list[SkillStatus]

    @property
    def met(self) -> int:
        """How many of the role's skills the learner has shown."""
        return sum(skill.met for skill in self.skills)

    @property
    def ready(self) -> bool:
        """Ready when every skill is shown."""
        return self.met == len(self.skills)

    @property
    def missing(self) -> list[str]:
        """The skills still to show."""
        return [skill.name for skill in self.skills if not skill.met]


# --- the pack ------------------------------------------------------------------------------------------------


def role_problems(pack: Pack) -> list[Problem]:
    """Evidence naming no quiz of the pack. A module's quiz is named by the module's slug; counting every module's
    slug means a module quiz whose settings have a problem of their own is not reported a second time here."""
    quizzes = {spec.slug for spec in pack_quizzes(pack)} | {module.slug for module in pack.modules}
    problems = []
    for role in pack.sections.get("roles") or []:
        for skill in role.skills:
            for slug in skill["evidence"]:
                if slug not in quizzes:
                    message = (
                        f"role {role.slug!r}: skill {skill['skill']!r} names {slug!r}, which is no quiz of the course"
                    )
                    problems.append(Problem("course.yaml", role.line, message))
    return problems


def sync_roles(pack: Pack, course) -> None:
    """Make the course's roles exactly the pack's, in the open transaction."""
    db.session.execute(delete(ReadinessRole).where(ReadinessRole.course_id == course.id))
    for position, role in enumerate(pack.sections.get("roles") or []):
        db.session.add(
            ReadinessRole(course_id=course.id, slug=role.slug, title=role.title, position=position, skills=role.skills)
        )


# --- reading ---------------------------------------------------------------------------------------------------


def course_roles(course_id: int, synced_at: datetime) -> list[RoleDefinition]:
    """The course's roles in order, read once per process and sync."""
    key = (course_id, synced_at)
    if key not in _ROLES:
        _ROLES[key] = read_roles(course_id)
    return _ROLES[key]


def read_roles(course_id: int) -> list[RoleDefinition]:
    """The course's roles in order, from the database."""
    rows = db.session.scalars(
        select(ReadinessRole).where(ReadinessRole.course_id == course_id).order_by(ReadinessRole.position)
    )
    return [RoleDefinition(row.id, row.slug, row.title, list(row.skills)) for row in rows]


def quizzes_by_slug(course_id: int) -> dict[str, tuple[int, str, int]]:
    """The course's active quizzes: slug to (id, title, pass mark)."""
    rows = db.session.execute(
        select(Quiz.slug, Quiz.id, Quiz.title, Quiz.pass_mark).where(Quiz.course_id == course_id, Quiz.active)
    )
    return {slug: (quiz_id, title, pass_mark) for slug, quiz_id, title, pass_mark in rows}


def learner_readiness(user_id: int, course) -> list[RoleStatus]:
    """How ready the learner is for each role of the course (a `courses.outline.CourseOutline`)."""
    roles = course_roles(course.id, course.synced_at)
    if not roles:
        return []
    quizzes = quizzes_by_slug(course.id)
    wanted = [quizzes[slug][0] for role in roles for slug in role.evidence_slugs() if slug in quizzes]
    results = db.session.execute(
        select(QuizResult.quiz_id, QuizResult.best_score).where(
            QuizResult.user_id == user_id, QuizResult.quiz_id.in_(wanted)
        )
    )
    best: dict[int, float] = {quiz_id: score for quiz_id, score in results}
    details = evidence_details(user_id, best)
    statuses = []
    for role in roles:
        skills = []
        for skill in role.skills:
            evidence = []
            for slug in skill["evidence"]:
                if slug in quizzes:  # a quiz a trainer retired since the sync is no evidence
                    quiz_id, title, pass_mark = quizzes[slug]
                    evidence.append(Evidence(quiz_id, title, pass_mark, best.get(quiz_id), details.get(quiz_id, "")))
            skills.append(SkillStatus(skill["skill"], evidence))
        statuses.append(RoleStatus(role, skills))
    return statuses


def evidence_details(user_id: int, best: dict[int, float]) -> dict[int, str]:
    """For each quiz the learner has a result on, the figures of their best attempt's practice questions (a typing
    speed, a drill's accuracy, a conversation's rubric), where it has any."""
    from quizzes.attempts import slot_views

    if not best:
        return {}
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.user_id == user_id, Attempt.quiz_id.in_(list(best)), Attempt.status == "submitted")
        .where(
            Attempt.score
            == select(QuizResult.best_score)
            .where(QuizResult.user_id == user_id, QuizResult.quiz_id == Attempt.quiz_id)
            .scalar_subquery()
        )
        .order_by(Attempt.quiz_id, Attempt.id.desc())
    ).all()
    details: dict[int, str] = {}
    for attempt in attempts:
        if attempt.quiz_id in details or not any_stepped(attempt):
            continue
        figures = [
            view.qtype.evidence(view.version.config, view.answer.response)
            for view in slot_views(attempt)
            if view.qtype is not None and view.qtype.stepped and view.answer is not None
        ]
        details[attempt.quiz_id] = "; ".join(figure for figure in figures if figure)
    return details


def any_stepped(attempt: Attempt) -> bool:
    """Whether the attempt asked a practice question (typing, drill, conversation), from its fixed versions."""
    from quizzes.attempts import fixed_versions
    from quizzes.bank import question_types

    types = question_types()
    versions = fixed_versions([slot["version_id"] for slot in attempt.slots])
    return any(getattr(types.get(v.question_type), "stepped", False) for v in versions.values())


# --- for admins ----------------------------------------------------------------------------------------------


def skill_expressions(role: RoleDefinition, quizzes: dict) -> list:
    """An SQL expression per skill of the role: 1 when a learner's enrolment cells show every evidence quiz passed."""
    from courses.models import Enrolment
    from quizzes.attempts import best_score_cell

    expressions = []
    for skill in role.skills:
        passes = [
            json_number(Enrolment.cells, best_score_cell(quizzes[slug][0])) >= quizzes[slug][2]
            for slug in skill["evidence"]
            if slug in quizzes
        ]
        expressions.append(case((and_(*passes), 1), else_=0) if passes else 0)
    return expressions


def cohort_readiness(course_id: int, synced_at: datetime, members) -> list[tuple[RoleDefinition, int, int, int]]:
    """For each role: (role, learners ready, learners part of the way, learners enrolled) among the course's
    learners in `members` (a SELECT of user ids), in one statement over their enrolments."""
    from courses.models import Enrolment

    roles = course_roles(course_id, synced_at)
    if not roles:
        return []
    quizzes = quizzes_by_slug(course_id)
    columns = []
    for role in roles:
        met = sum(skill_expressions(role, quizzes), start=0)
        columns += [
            func.coalesce(func.sum(case((met == len(role.skills), 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(met > 0, met < len(role.skills)), 1), else_=0)), 0),
        ]
    row = db.session.execute(
        select(func.count(), *columns).where(Enrolment.course_id == course_id, Enrolment.user_id.in_(members))
    ).one()
    enrolled = row[0]
    return [(role, row[1 + 2 * n], row[2 + 2 * n], enrolled) for n, role in enumerate(roles)]


def readiness_columns(course_id: int) -> list:
    """A column per role of the course for the learner table: "Ready", or the skills still missing, from the best
    scores kept on each enrolment."""
    from courses.learner_table import Column
    from quizzes.attempts import best_score_cell

    roles = [
        RoleDefinition(row.id, row.slug, row.title, list(row.skills))
        for row in db.session.scalars(
            select(ReadinessRole).where(ReadinessRole.course_id == course_id).order_by(ReadinessRole.position)
        )
    ]
    if not roles:
        return []
    quizzes = quizzes_by_slug(course_id)
    keys = list(
        dict.fromkeys(
            best_score_cell(quizzes[slug][0]) for r in roles for slug in r.evidence_slugs() if slug in quizzes
        )
    )
    pass_marks = {best_score_cell(quiz_id): pass_mark for quiz_id, _title, pass_mark in quizzes.values()}
    by_slug = {slug: best_score_cell(quiz_id) for slug, (quiz_id, _t, _p) in quizzes.items()}

    def passed(scores: dict, slug: str) -> bool:
        cell = by_slug[slug]
        return scores.get(cell) is not None and scores[cell] >= pass_marks[cell]

    def show(values: list) -> list[str]:
        scores = dict(zip(keys, values, strict=True))
        texts = []
        for role in roles:
            missing = []
            for skill in role.skills:
                named = [slug for slug in skill["evidence"] if slug in by_slug]
                if not (named and all(passed(scores, slug) for slug in named)):
                    missing.append(skill["skill"])
            texts.append("Ready" if not missing else "Missing: " + "; ".join(missing))
        return texts

    return [Column([f"Ready for: {role.title}" for role in roles], keys, show)]
