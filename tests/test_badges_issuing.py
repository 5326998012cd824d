"""Issuing badges on completion: once per learner and badge, with evidence, never on a learner's own request.

The helpers at the top (sync the BPO pack, enrol, complete lessons, pass quizzes) are shared with the other
badge test modules.
"""

import dataclasses
import logging
import pathlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

import courses
from lms.extensions import db
from tests.conftest import csrf_token_from
from tests.helpers import at_once, load_bpo_course

PACK_DIR = pathlib.Path(courses.__file__).resolve().parent / "bpo_operations"
FIRST_MODULE = "what-is-bpo"
FIRST_BADGE_NAME = "BPO Foundations"


# --- shared helpers ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class ModuleInfo:
    id: int
    slug: str
    title: str
    lesson_ids: list
    lesson_slugs: list
    quiz_id: int
    badge_id: int
    exercise_ids: list  # the module's other quizzes that count (the core-skills typing test)


@dataclasses.dataclass
class CourseInfo:
    id: int
    slug: str
    title: str
    modules: dict  # slug -> ModuleInfo, in course order
    badge_id: int  # the course badge
    final_quiz_id: int  # the final assessment, which the course badge needs passed


def sync_course(app) -> CourseInfo:
    """Check and sync the BPO pack (as `flask courses sync` does) and return the ids the tests need."""
    load_bpo_course(app)
    return course_info(app, "bpo-operations")


def course_info(app, slug: str) -> CourseInfo:
    """The ids of a synced course's modules, lessons, quizzes and badges."""
    from badges.models import BadgeClass
    from courses.models import Course
    from quizzes.models import Quiz

    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == slug))
        badges = db.session.scalars(select(BadgeClass).where(BadgeClass.course_id == course.id)).all()
        quizzes = db.session.scalars(select(Quiz).where(Quiz.course_id == course.id)).all()
        modules = {}
        for module in course.modules:
            quiz = next(q for q in quizzes if q.module_id == module.id and q.slug == module.slug)
            exercises = sorted(
                q.id
                for q in quizzes
                if q.module_id == module.id and q.slug != module.slug and q.counts_towards_completion
            )
            badge = next(b for b in badges if b.module_id == module.id)
            modules[module.slug] = ModuleInfo(
                id=module.id,
                slug=module.slug,
                title=module.title,
                lesson_ids=[lesson.id for lesson in module.lessons],
                lesson_slugs=[lesson.slug for lesson in module.lessons],
                quiz_id=quiz.id,
                badge_id=badge.id,
                exercise_ids=exercises,
            )
        course_badge = next(b for b in badges if b.module_id is None)
        final = next(q for q in quizzes if q.module_id is None)
        return CourseInfo(
            id=course.id,
            slug=course.slug,
            title=course.title,
            modules=modules,
            badge_id=course_badge.id,
            final_quiz_id=final.id,
        )


def enrol_learner(app, user_id: int, course: CourseInfo) -> None:
    from courses.models import Course
    from courses.services import enrol

    with app.app_context():
        assert enrol(user_id, db.session.get(Course, course.id))


def complete_lessons(app, user_id: int, lesson_ids) -> None:
    from courses.models import Lesson
    from courses.services import complete_lesson

    with app.app_context():
        for lesson_id in lesson_ids:
            complete_lesson(user_id, db.session.get(Lesson, lesson_id))


def take_quiz(app, user_id: int, quiz_id: int, correct: bool = True) -> float:
    """Start an attempt and submit the correct answer to every question (or nothing); return the score."""
    from quizzes.attempts import slot_views, start_attempt, submit_attempt
    from quizzes.models import Quiz

    wait_out_cooldown(app, user_id, quiz_id)
    with app.app_context():
        attempt = start_attempt(db.session.get(Quiz, quiz_id), user_id)
        responses = {}
        if correct:
            responses = {
                view.slot: view.qtype.correct_response(view.version.config)
                for view in slot_views(attempt)
                if view.qtype is not None and view.graded
            }
        result, on_time = submit_attempt(attempt.id, user_id, responses)
        assert on_time and result.status == "submitted"
        assert result.passed is correct, (result.score, correct)
        return result.score


def wait_out_cooldown(app, user_id: int, quiz_id: int) -> None:
    """Let the quiz's cool-down pass for the learner, as if they had waited: their submitted attempts are moved
    back in time by it."""
    from datetime import timedelta

    from lms.db import begin_write, commit
    from quizzes.models import Attempt, Quiz

    with app.app_context():
        begin_write()
        wait = timedelta(minutes=db.session.get_one(Quiz, quiz_id).cooldown_minutes)
        submitted = select(Attempt).where(
            Attempt.quiz_id == quiz_id, Attempt.user_id == user_id, Attempt.submitted_at.is_not(None)
        )
        for attempt in db.session.scalars(submitted):
            attempt.submitted_at -= wait
        commit()


def complete_course(app, user_id: int, course: CourseInfo) -> None:
    """Complete every module, then pass the final assessment."""
    for slug in course.modules:
        complete_module(app, user_id, course, slug)
    take_quiz(app, user_id, course.final_quiz_id)


def complete_module(app, user_id: int, course: CourseInfo, slug: str = FIRST_MODULE) -> float:
    """Read every lesson of the module and pass its exercises and its quiz; return the quiz score."""
    module = course.modules[slug]
    complete_lessons(app, user_id, module.lesson_ids)
    for exercise_id in module.exercise_ids:
        take_quiz(app, user_id, exercise_id)
    return take_quiz(app, user_id, module.quiz_id)


def awards_of(app, user_id: int) -> list:
    """The learner's awards as plain dicts (badge id, public id, evidence, dates, revocation)."""
    from badges.models import Award

    with app.app_context():
        rows = db.session.scalars(select(Award).where(Award.user_id == user_id).order_by(Award.id)).all()
        return [
            {
                "id": a.id,
                "badge_id": a.badge_class_id,
                "public_id": a.public_id,
                "evidence": dict(a.evidence),
                "issued_at": a.issued_at,
                "revoked": a.revoked,
                "reason": a.revocation_reason,
                "salt": a.salt,
                "recipient_hash": a.recipient_hash,
            }
            for a in rows
        ]


def count_awards(app, badge_id: int | None = None, user_id: int | None = None) -> int:
    from badges.models import Award

    with app.app_context():
        query = select(func.count()).select_from(Award)
        if badge_id is not None:
            query = query.where(Award.badge_class_id == badge_id)
        if user_id is not None:
            query = query.where(Award.user_id == user_id)
        return db.session.scalar(query)


def failed_badge_delivery(app, user_id: int, course: CourseInfo, slug: str = FIRST_MODULE) -> None:
    """Record that the badge listener failed on the learner's completion of the module (its badge never issued),
    as "Issue missing badges" then finds it."""
    from courses.events import ModuleCompleted
    from lms.models import FailedDelivery

    module = course.modules[slug]
    completed = ModuleCompleted(
        user_id=user_id,
        course_id=course.id,
        course_slug=course.slug,
        module_id=module.id,
        module_slug=module.slug,
        module_title=module.title,
        best_score=100,
    )
    with app.app_context():
        db.session.add(FailedDelivery(listener="badges", name=completed.name, payload=completed.as_dict()))
        db.session.commit()


def earn_first_badge(app, make_user, course: CourseInfo, **user) -> dict:
    """A new learner who completed the first module; returns the user dict plus `award` (their one award)."""
    learner = make_user(**user)
    enrol_learner(app, learner["id"], course)
    learner["score"] = complete_module(app, learner["id"], course)
    (award,) = awards_of(app, learner["id"])
    return {**learner, "award": award}


def listener_errors(caplog) -> list:
    """Log records of listeners that failed (lms.events logs and isolates them) or of any other error."""
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


# --- issuing on completion ---------------------------------------------------------------------------------


def test_completing_a_module_issues_its_badge_once_with_evidence(app, make_user, caplog):
    caplog.set_level(logging.ERROR)
    course = sync_course(app)
    module = course.modules[FIRST_MODULE]
    learner = make_user()
    enrol_learner(app, learner["id"], course)

    complete_lessons(app, learner["id"], module.lesson_ids)
    assert awards_of(app, learner["id"]) == []  # lessons read, quiz not passed: not complete yet
    assert take_quiz(app, learner["id"], module.quiz_id, correct=False) == 0
    assert awards_of(app, learner["id"]) == []  # a failed quiz earns nothing

    before = datetime.now(UTC)
    score = take_quiz(app, learner["id"], module.quiz_id)
    assert score == 100

    (award,) = awards_of(app, learner["id"])
    assert award["badge_id"] == module.badge_id and not award["revoked"]
    issued = award["issued_at"] if award["issued_at"].tzinfo else award["issued_at"].replace(tzinfo=UTC)
    assert before.replace(microsecond=0) <= issued <= datetime.now(UTC)
    evidence = award["evidence"]
    assert module.title in evidence["completed"] and evidence["completed"].startswith("Module")
    assert evidence["best_score"] == 100  # the best attempt, not the failed first one
    assert evidence["date"] == issued.date().isoformat()

    # Completing it again (another passed attempt, lessons marked again) issues nothing more.
    take_quiz(app, learner["id"], module.quiz_id)
    complete_lessons(app, learner["id"], module.lesson_ids)
    assert awards_of(app, learner["id"]) == [award]
    # Only this module's badge: no other module's, no course badge.
    assert count_awards(app) == 1
    assert listener_errors(caplog) == []


def test_completing_every_module_issues_the_course_badge(app, make_user, caplog):
    caplog.set_level(logging.ERROR)
    course = sync_course(app)
    learner = make_user()
    enrol_learner(app, learner["id"], course)
    slugs = list(course.modules)
    assert len(slugs) > 1

    for slug in slugs[:-1]:
        complete_module(app, learner["id"], course, slug)
    earned = {a["badge_id"] for a in awards_of(app, learner["id"])}
    assert earned == {course.modules[slug].badge_id for slug in slugs[:-1]}
    assert course.badge_id not in earned  # one module still open

    complete_module(app, learner["id"], course, slugs[-1])
    earned = {a["badge_id"] for a in awards_of(app, learner["id"])}
    assert course.badge_id not in earned  # every module done, the final assessment not yet passed
    take_quiz(app, learner["id"], course.final_quiz_id, correct=False)
    assert course.badge_id not in {a["badge_id"] for a in awards_of(app, learner["id"])}
    take_quiz(app, learner["id"], course.final_quiz_id)
    awards = awards_of(app, learner["id"])
    assert sorted(a["badge_id"] for a in awards) == sorted(
        [m.badge_id for m in course.modules.values()] + [course.badge_id]
    )
    (course_award,) = [a for a in awards if a["badge_id"] == course.badge_id]
    assert course_award["evidence"]["completed"].startswith("Course")
    assert course.title in course_award["evidence"]["completed"]
    assert course_award["evidence"]["best_score"] == 100
    assert listener_errors(caplog) == []


def test_concurrent_issuing_gives_one_award_and_no_error(app, make_user):
    from badges.models import BadgeClass
    from badges.services import issue

    course = sync_course(app)
    learner = make_user()
    badge_id = course.modules[FIRST_MODULE].badge_id

    def work():
        return issue(learner["id"], db.session.get(BadgeClass, badge_id), "Module “What BPO is”")

    results, errors = at_once(8, lambda _n: work(), app=app)
    assert errors == []
    assert sorted(results) == [False] * 7 + [True]
    assert count_awards(app, badge_id=badge_id, user_id=learner["id"]) == 1
    assert count_awards(app) == 1


def test_redispatched_and_concurrent_completion_events_issue_once(app, make_user, caplog):
    from courses.events import ModuleCompleted
    from lms.events import dispatch

    caplog.set_level(logging.ERROR)
    course = sync_course(app)
    module = course.modules[FIRST_MODULE]
    first = earn_first_badge(app, make_user, course)
    completed = ModuleCompleted(
        user_id=first["id"],
        course_id=course.id,
        course_slug=course.slug,
        module_id=module.id,
        module_slug=module.slug,
        module_title="What BPO is",
        best_score=100.0,
    )

    # The same completion delivered twice more (a retry, a second app server) issues nothing.
    with app.app_context():
        dispatch(completed)
        dispatch(completed)
    assert awards_of(app, first["id"]) == [first["award"]]

    # A learner whose completion event arrives eight times at once still gets one award.
    second = make_user()
    results, errors = at_once(8, lambda _n: dispatch(dataclasses.replace(completed, user_id=second["id"])), app=app)
    assert errors == [] and len(results) == 8
    assert listener_errors(caplog) == []  # no listener failed (dispatch would log and swallow it)
    assert count_awards(app, badge_id=module.badge_id, user_id=second["id"]) == 1
    assert count_awards(app) == 2


# --- a learner can never issue (or change) a badge by their own request -------------------------------------


def test_learner_posts_to_admin_badge_routes_are_refused_and_change_nothing(app, client, make_user, login, monkeypatch):
    from badges import services
    from badges.models import Award, BadgeClass
    from lms.models import AuditEntry

    course = sync_course(app)
    module = course.modules[FIRST_MODULE]
    holder = earn_first_badge(app, make_user, course)

    # The attacker completed the module, but the listener failed, so their badge is missing: exactly the
    # case the admin's "Issue missing badges" repairs.
    attacker = make_user()
    enrol_learner(app, attacker["id"], course)

    def broken_issue(*args, **kwargs):
        raise RuntimeError("badge service down")

    monkeypatch.setattr(services, "issue", broken_issue)
    complete_module(app, attacker["id"], course)
    monkeypatch.undo()
    assert awards_of(app, attacker["id"]) == []

    with app.app_context():
        original = db.session.get(BadgeClass, module.badge_id)
        original_text = (original.description, original.criteria, original.customized)

    login(attacker)
    assert client.get("/badges/admin/").status_code == 403
    token = csrf_token_from(client.get("/badges/mine").get_data(as_text=True))  # a valid token of their own
    attempts = {
        "/badges/admin/reissue": {},
        f"/badges/admin/awards/{holder['award']['public_id']}/revoke": {"reason": "I say so"},
        f"/badges/admin/{module.badge_id}": {"description": "Hacked", "criteria": "None at all"},
        f"/badges/admin/{course.badge_id}": {"description": "Hacked", "criteria": "None at all"},
    }
    for url, data in attempts.items():
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 403, url

    assert awards_of(app, attacker["id"]) == []
    assert awards_of(app, holder["id"]) == [holder["award"]]
    with app.app_context():
        badge = db.session.get(BadgeClass, module.badge_id)
        assert (badge.description, badge.criteria, badge.customized) == original_text
        assert db.session.get(BadgeClass, course.badge_id).description != "Hacked"
        assert db.session.scalar(select(func.count()).select_from(Award)) == 1
        assert db.session.scalars(select(AuditEntry.action)).all() == []

    # The same request from an admin does issue the missing badge, so the refusal above is what stopped it.
    client.post("/logout", data={"csrf_token": token})
    admin = make_user("admin")
    login(admin)
    page = client.get("/badges/admin/").get_data(as_text=True)
    response = client.post("/badges/admin/reissue", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    (issued,) = awards_of(app, attacker["id"])
    assert issued["badge_id"] == module.badge_id
    assert module.title in issued["evidence"]["completed"]
    assert issued["evidence"]["best_score"] == 100
    with app.app_context():
        assert db.session.scalars(select(AuditEntry.action)).all() == ["badge.reissue"]


def test_anonymous_posts_to_admin_badge_routes_issue_nothing(app, client, make_user):
    course = sync_course(app)
    holder = earn_first_badge(app, make_user, course)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    for url in (
        "/badges/admin/reissue",
        f"/badges/admin/awards/{holder['award']['public_id']}/revoke",
        f"/badges/admin/{course.badge_id}",
    ):
        response = client.post(url, data={"csrf_token": token, "reason": "x", "description": "x", "criteria": "x"})
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert awards_of(app, holder["id"]) == [holder["award"]]
    assert count_awards(app) == 1


def test_a_completion_whose_process_died_before_its_listeners_gets_its_badge_on_the_next_start(
    app, app_config, make_user, client
):
    """The completion commits, the process is killed before the badge listener runs: the next start issues it."""
    from lms import create_app
    from lms.models import OutboxEvent
    from tests.plugins.crash_after_commit import ProcessDied

    course = sync_course(app)
    learner = make_user()
    enrol_learner(app, learner["id"], course)
    doomed = create_app({**app_config, "LMS_PLUGINS": [*app_config["LMS_PLUGINS"], "tests.plugins.crash_after_commit"]})
    with pytest.raises(ProcessDied):
        complete_module(doomed, learner["id"], course)
    assert awards_of(app, learner["id"]) == []
    with app.app_context():
        # Both events of the quiz submit that completed the module wait in the outbox, committed with it.
        assert db.session.scalars(select(OutboxEvent.name).order_by(OutboxEvent.id)).all() == [
            "quiz.submitted",
            "module.completed",
        ]

    assert client.get("/").status_code == 200  # the restarted server's first request delivers what was left
    (award,) = awards_of(app, learner["id"])
    assert award["badge_id"] == course.modules[FIRST_MODULE].badge_id and award["evidence"]["best_score"] == 100
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxEvent)) == 0
