"""Attempts: start with fixed questions, save as you go, submit exactly once, enforce the deadline."""

import dataclasses
import json
import math
import random
import secrets
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import cast

from flask import current_app
from sqlalchemy import and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.orm import defer, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from courses.models import Enrolment
from courses.outline import outline_by_id
from courses.progress import course_progress, lock_enrolment, note_activity, record_completions
from lms.db import begin_write, bound, commit, prepared, upsert
from lms.events import emit
from lms.extensions import db
from lms.models import aware
from lms.services import ServiceError
from lms.timezones import local_time
from quizzes.allowances import allowance_percent, attempt_deadline
from quizzes.bank import question_pool, question_types
from quizzes.draws import draw_questions
from quizzes.events import QuizStarted, QuizSubmitted
from quizzes.key_guard import askable, withheld_among
from quizzes.models import Attempt, AttemptAnswer, Question, QuestionVersion, Quiz, QuizResult
from quizzes.statistics import record_attempt
from quizzes.types.base import QuestionType
from quizzes.types.timing import StepRefused

# Network delay between the browser's last keystroke and the server: a submit this late is still on time.
DEADLINE_GRACE = timedelta(seconds=5)


def now() -> datetime:
    """The current UTC time (one place, so tests and code agree)."""
    return datetime.now(UTC)


# How many question versions each process keeps in memory; past it the cache starts again empty. A version takes
# about 4 KB there (the BPO course's 229 average 3.8 KB), so at most about 8 MB of a worker: the versions of a
# few courses' banks at a time.
VERSION_CACHE_SIZE = 2_000


@dataclasses.dataclass(frozen=True)
class FixedVersion:
    """A question version as an attempt uses it. Attempts only use locked versions, which never change (an edit
    makes a new version), so each process keeps them in memory instead of reading them on every save."""

    id: int
    question_id: int
    question_type: str
    stem: str
    stem_format: str
    general_feedback: str
    config: dict  # read, never changed, by the question types (they are pure)


@dataclasses.dataclass
class SlotView:
    """One question of an attempt as the learner sees it, and (after grading) its result."""

    slot: int
    version: FixedVersion
    qtype: QuestionType | None
    layout: dict
    answer: AttemptAnswer | None

    @property
    def graded(self) -> bool:
        """Whether this question counts towards the score (a type that is not installed does not)."""
        return self.qtype is not None and self.qtype.graded

    @property
    def checkable(self) -> bool:
        """Whether a practice attempt offers "Check answer" on this question: one graded at once, and not a stepped
        one (a timed run or a conversation shows its result as it goes)."""
        return self.graded and self.qtype is not None and not self.qtype.marked_by_trainer and not self.qtype.stepped

    @property
    def verdict(self) -> str:
        """How the saved answer fared, in its type's words ("Right", "Partly right", "Standard met"), "Not
        answered", or that a trainer has yet to mark it."""
        if self.answer is not None and self.answer.needs_marking:
            return "Waiting for a trainer's mark"
        if self.answer is None or is_blank(self.answer.response):
            return "Not answered"
        verdict = (self.qtype or QuestionType()).verdict(self.answer.score or 0.0)
        if self.qtype is not None and not self.qtype.finished(self.version.config, self.answer.response):
            return f"{verdict} (not finished)"  # a conversation left halfway: why it fell short
        return verdict


# Built once: the quiz page runs it on every view. It lists the attempts without their questions (`slots`,
# JSON parsed per attempt); starting a new attempt reads the last one's when it needs them.
LEARNER_ATTEMPTS = (
    select(Attempt)
    .where(Attempt.quiz_id == bindparam("quiz_id"), Attempt.user_id == bindparam("user_id"))
    .order_by(Attempt.number)
    .options(lazyload(Attempt.quiz), defer(Attempt.slots))
)


def learner_attempts(quiz_id: int, user_id: int) -> list[Attempt]:
    """The learner's attempts at this quiz, oldest first (without loading the quiz again for each)."""
    return list(db.session.scalars(LEARNER_ATTEMPTS, {"quiz_id": quiz_id, "user_id": user_id}))


def cooldown_ends(quiz: Quiz, attempts: list[Attempt], moment: datetime | None = None) -> datetime | None:
    """When the learner may start their next attempt, if the quiz's cool-down after their last submitted attempt
    has not yet run out."""
    if not quiz.cooldown_minutes:
        return None
    submitted = [a.submitted_at for a in attempts if a.status == "submitted" and a.submitted_at is not None]
    if not submitted:
        return None
    ends = cast(datetime, aware(max(submitted))) + timedelta(minutes=quiz.cooldown_minutes)
    return ends if ends > (moment or now()) else None


def waits_for_modules(quiz: Quiz, user_id: int) -> bool:
    """Whether this is a final assessment (a course-level quiz that counts towards completion) that stays closed
    because the learner has not yet completed every module."""
    if quiz.module_id is not None or not quiz.counts_towards_completion:
        return False
    return not course_progress(user_id, outline_by_id(quiz.course_id)).modules_complete


def start_refusal(quiz: Quiz, attempts: list[Attempt], user_id: int) -> str | None:
    """Why the learner, with these attempts so far, may not open an attempt now; None when they may (resuming the
    open one is always allowed)."""
    if any(attempt.status == "open" for attempt in attempts):
        return None
    if waits_for_modules(quiz, user_id):
        return "The final assessment opens once you have completed every module."
    if quiz.max_attempts and len(attempts) >= quiz.max_attempts:
        return f"You have used all {quiz.max_attempts} attempts of this quiz."
    ends = cooldown_ends(quiz, attempts)
    if ends is not None:
        minutes = max(1, math.ceil((ends - now()).total_seconds() / 60))
        return (
            f"You can try again in {minutes} minute{'' if minutes == 1 else 's'} "
            f"(at {local_time(ends, '%H:%M')}): take the time to revisit the lessons first."
        )
    return None


def open_attempt(quiz_id: int, user_id: int) -> Attempt | None:
    """The learner's attempt in progress on this quiz, if any."""
    return db.session.scalar(
        select(Attempt).where(Attempt.quiz_id == quiz_id, Attempt.user_id == user_id, Attempt.status == "open")
    )


def pick_questions(quiz: Quiz, rng: random.Random, recent: Collection[int] = ()) -> list:
    """The questions of a new attempt: the quiz's own, or a random draw (from the tagged bank, or from the quiz's
    own questions when it names no tags) that leaves out the `recent` questions (the last attempt's) as far as
    the pool allows, so a retake is a fresh selection, and spreads over the pool's sections (quizzes.draws). A
    quiz that does not count leaves out what a counting quiz asks (quizzes.key_guard)."""
    questions = askable(quiz, question_pool(quiz))
    if quiz.draw_count:
        return draw_questions(questions, quiz.draw_count, rng, recent, quiz.draw_tags or [])
    if quiz.shuffle_questions:
        rng.shuffle(questions)
    return questions


def start_attempt(quiz: Quiz, user_id: int) -> Attempt:
    """Resume the open attempt, or start a new one within the quiz's rules (attempt limit, cool-down, and for a
    final assessment every module complete)."""
    begin_write()
    if lock_enrolment(user_id, quiz.course_id) is None:
        db.session.rollback()
        raise ServiceError("Enrol in the course before taking its quizzes.", 409)
    current = open_attempt(quiz.id, user_id)
    if current is not None and not close_if_expired(current):
        db.session.rollback()
        return current
    attempts = learner_attempts(quiz.id, user_id)
    refusal = start_refusal(quiz, attempts, user_id)
    if refusal is not None:
        commit()  # keeps an expired attempt closed by close_if_expired
        raise ServiceError(refusal, 409)
    rng = random.Random(secrets.randbits(64))
    types = question_types()
    slots = []
    recent = {slot["question_id"] for slot in attempts[-1].slots} if attempts else set()
    for question in pick_questions(quiz, rng, recent):
        version = question.current
        version.locked = True  # from now on edits make a new version; this attempt keeps this one
        qtype = types.get(question.type)
        layout = qtype.layout(version.config, rng, quiz.shuffle_options) if qtype else {}
        slots.append({"question_id": question.id, "version_id": version.id, "layout": layout})
    if not slots:
        db.session.rollback()
        raise ServiceError("This quiz has no questions yet.", 409)
    started = now()
    allowance = allowance_percent(user_id, quiz.course_id) if quiz.time_limit_minutes else None
    deadline = attempt_deadline(started, quiz.time_limit_minutes, allowance)
    attempt = Attempt(
        quiz_id=quiz.id, user_id=user_id, number=len(attempts) + 1, started_at=started, deadline=deadline, slots=slots
    )
    db.session.add(attempt)
    db.session.flush()
    db.session.execute(
        update(Quiz)
        .where(Quiz.id == quiz.id)
        .values(attempt_count=Quiz.attempt_count + 1)
        .execution_options(synchronize_session=False)
    )
    emit(QuizStarted(user_id=user_id, quiz_id=quiz.id, attempt_id=attempt.id))
    commit()
    return attempt


def module_quizzes():
    """The active quizzes of a module (parameter `module_id`): id and title, in order."""
    return (
        select(Quiz.id, Quiz.title)
        .where(Quiz.module_id == bindparam("module_id"), Quiz.active.is_(True))
        .order_by(Quiz.id)
    )


def fixed_versions(version_ids: list[int]) -> dict[int, FixedVersion]:
    """The versions with these ids, from this process's memory when it has them, else in one query."""
    cache: dict[int, FixedVersion] = current_app.extensions["quizzes"].setdefault("versions", {})
    found = {vid: cache[vid] for vid in version_ids if vid in cache}
    missing = [vid for vid in version_ids if vid not in found]
    if not missing:
        return found
    rows = db.session.execute(
        select(
            QuestionVersion.id,
            QuestionVersion.question_id,
            Question.type,
            QuestionVersion.stem,
            QuestionVersion.stem_format,
            QuestionVersion.general_feedback,
            QuestionVersion.config,
            QuestionVersion.locked,
        )
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(QuestionVersion.id.in_(missing))
    )
    if len(cache) > VERSION_CACHE_SIZE:
        cache.clear()
    for row in rows:
        version = FixedVersion(
            id=row.id,
            question_id=row.question_id,
            question_type=row.type,
            stem=row.stem,
            stem_format=row.stem_format,
            general_feedback=row.general_feedback,
            config=row.config,
        )
        found[row.id] = version
        if row.locked:  # an unlocked version may still be edited: it is read again next time
            cache[row.id] = version
    return found


# Built once: every attempt page, save and submit reads it. populate_existing: answers are upserted without the
# ORM, so answers loaded earlier in the same transaction are read again, as stored now.
ATTEMPT_ANSWERS = (
    select(AttemptAnswer)
    .where(AttemptAnswer.attempt_id == bindparam("attempt_id"))
    .execution_options(populate_existing=True)
)


def slot_views(attempt: Attempt) -> list:
    """The attempt's questions with their fixed versions, layouts and saved answers."""
    versions = fixed_versions([slot["version_id"] for slot in attempt.slots])
    answers = {a.slot: a for a in db.session.scalars(ATTEMPT_ANSWERS, {"attempt_id": attempt.id})}
    types = question_types()
    views = []
    for n, slot in enumerate(attempt.slots):
        version = versions[slot["version_id"]]
        views.append(
            SlotView(
                slot=n,
                version=version,
                qtype=types.get(version.question_type),
                layout=slot.get("layout") or {},
                answer=answers.get(n),
            )
        )
    return views


def is_late(attempt: Attempt, moment: datetime | None = None) -> bool:
    """Whether the deadline (plus a few seconds of grace) has passed."""
    deadline = aware(attempt.deadline)
    return deadline is not None and (moment or now()) > deadline + DEADLINE_GRACE


def is_blank(response) -> bool:
    """Whether a response holds no answer at all (no option picked, nothing typed, no pair matched)."""
    if isinstance(response, dict):
        return all(is_blank(value) for value in response.values())
    if isinstance(response, (list, tuple)):
        return all(is_blank(value) for value in response)
    if isinstance(response, str):
        return not response.strip()
    return response is None


def save_responses(attempt: Attempt, responses: dict, flagged: frozenset[int] = frozenset()) -> datetime:
    """Store responses by slot, and which of them the learner flagged, in the open transaction, in one statement
    (checked practice answers stay as they were); returns the moment they were saved."""
    saved_at = now()
    if not responses:
        return saved_at
    rows = [
        {
            "attempt_id": attempt.id,
            "slot": slot,
            "response": response,
            "saved_at": saved_at,
            "checked": False,
            "flagged": slot in flagged,
            "feedback": [],
            "needs_marking": False,
        }
        for slot, response in responses.items()
    ]
    db.session.connection().execute(answer_upsert(), rows)
    return saved_at


def as_saved(attempt: Attempt, views: list[SlotView], responses: dict, saved_at: datetime) -> list[SlotView]:
    """The views of an attempt, read under its lock before `save_responses` stored `responses` (not flagged) at
    `saved_at`, changed to what reading them again would give: the same upsert, applied in memory."""
    for view in views:
        if view.slot not in responses:
            continue
        response = json.loads(json.dumps(responses[view.slot]))  # as the JSON column stores it and reads it back
        stored = {"response": response, "saved_at": saved_at, "flagged": False}
        if view.answer is None:
            view.answer = AttemptAnswer(
                attempt_id=attempt.id, slot=view.slot, checked=False, feedback=[], needs_marking=False, **stored
            )  # its row was just inserted; never added to the session
        elif not view.answer.checked:
            for name, value in stored.items():
                set_committed_value(view.answer, name, value)
    return views


def answer_upsert():
    """INSERT ... ON CONFLICT (attempt, slot) DO UPDATE of answers not yet checked."""
    return prepared(_answer_upsert)


def _answer_upsert():
    table = AttemptAnswer.__table__
    names = ("attempt_id", "slot", "response", "saved_at", "checked", "flagged", "feedback", "needs_marking")
    statement = upsert(table).values(bound(table, names))
    return statement.on_conflict_do_update(
        index_elements=[table.c.attempt_id, table.c.slot],
        set_={
            "response": statement.excluded.response,
            "saved_at": statement.excluded.saved_at,
            "flagged": statement.excluded.flagged,
        },
        where=table.c.checked.is_(False),
    )


# Built once: every save and submit runs it. One statement locks both rows. OF: PostgreSQL refuses to lock the
# outer-joined quiz that Attempt.quiz loads eagerly. populate_existing: an attempt read before this transaction
# is read again, under the lock.
LOCK_OPEN_ATTEMPT = (
    select(Attempt)
    .join(Quiz, Quiz.id == Attempt.quiz_id)
    .join(Enrolment, and_(Enrolment.user_id == Attempt.user_id, Enrolment.course_id == Quiz.course_id))
    .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"))
    .with_for_update(of=[Attempt, Enrolment])
    .execution_options(populate_existing=True)
)


def lock_open_attempt(attempt_id: int, user_id: int) -> Attempt:
    """Inside a write transaction: the learner's attempt, locked; 404 when it is not theirs.

    The learner's enrolment is locked with it, as lessons and starts lock it: a quiz passed while the module's
    last lesson is marked read then sees that lesson, and the module's completion is not lost (PostgreSQL,
    READ COMMITTED).
    """
    attempt = db.session.scalar(LOCK_OPEN_ATTEMPT, {"attempt_id": attempt_id, "user_id": user_id})
    if attempt is None:
        db.session.rollback()
        raise ServiceError("No such attempt.", 404)
    return attempt


def lock_for_answers(attempt_id: int, user_id: int) -> Attempt:
    """In a new write transaction: the learner's attempt, locked, while it takes answers; refused (409) once it
    was submitted, and closed and graded once its time is up."""
    begin_write()
    attempt = lock_open_attempt(attempt_id, user_id)
    if attempt.status != "open":
        db.session.rollback()
        raise ServiceError("This attempt has already been submitted.", 409)
    if is_late(attempt):
        attempt.late_submit_at = attempt.late_submit_at or now()
        finish(attempt)
        commit()
        raise ServiceError("Time is up: answers sent after the deadline were not accepted.", 409)
    return attempt


def save_answers(attempt_id: int, user_id: int, responses: dict, flagged: frozenset[int] = frozenset()) -> datetime:
    """Save answers (and the questions flagged) while the attempt is open and on time; returns when they were
    saved."""
    return save_locked(lock_for_answers(attempt_id, user_id), responses, flagged)


def save_locked(attempt: Attempt, responses: dict, flagged: frozenset[int] = frozenset()) -> datetime:
    """Save answers to an attempt `lock_for_answers` returned, and commit; returns when they were saved."""
    save_responses(attempt, responses, flagged)
    commit()
    return now()


def record_step(attempt_id: int, user_id: int, slot: int, step: str, posted: dict) -> tuple[SlotView, dict]:
    """Record one step of a stepped question (a timed run's start, progress or finish, a conversation's reply) at
    the server's time; returns the question and its response now."""
    attempt = lock_for_answers(attempt_id, user_id)
    view = next((v for v in slot_views(attempt) if v.slot == slot), None)
    if view is None or view.qtype is None or not view.qtype.stepped:
        db.session.rollback()
        raise ServiceError("No such question in this attempt.", 404)
    if view.answer is not None and view.answer.checked:
        db.session.rollback()
        raise ServiceError("This answer has been checked and is final.", 409)
    saved = view.answer.response if view.answer is not None else {}
    try:
        response = view.qtype.take_step(view.version.config, view.layout, saved or {}, step, posted, now())
    except StepRefused as refused:
        db.session.rollback()
        raise ServiceError(refused.message, refused.status) from None
    save_responses(attempt, {slot: response})
    commit()
    return view, response


class KeyWithheld(ServiceError):
    """A practice check refused because a counting quiz came to ask the question after the attempt began: the page
    still offered the check."""

    def __init__(self):
        super().__init__(
            "A quiz that counts towards completion asks this question, so its answer is not shown here.", 409
        )


def check_answer(
    attempt_id: int, user_id: int, slot: int, responses: dict, flagged: frozenset[int] = frozenset()
) -> None:
    """Practice mode: save the answers, then grade one and lock it so its feedback can be shown."""
    begin_write()
    attempt = lock_open_attempt(attempt_id, user_id)
    if attempt.quiz.review != "practice":
        db.session.rollback()
        raise ServiceError("This quiz shows feedback only after you submit.", 409)
    if attempt.status != "open" or is_late(attempt):
        db.session.rollback()
        raise ServiceError("This attempt is closed.", 409)
    if not 0 <= slot < len(attempt.slots):
        db.session.rollback()
        raise ServiceError("No such question in this attempt.", 404)
    if withheld_among(attempt.quiz, {attempt.slots[slot]["question_id"]}):
        db.session.rollback()
        raise KeyWithheld()
    save_responses(attempt, responses, flagged)
    db.session.flush()
    view = next(v for v in slot_views(attempt) if v.slot == slot)
    if view.qtype is not None and view.qtype.marked_by_trainer:
        db.session.rollback()
        raise ServiceError("A trainer marks this answer after you submit.", 409)
    if view.answer is None:
        view.answer = AttemptAnswer(attempt_id=attempt.id, slot=slot, response={}, saved_at=now())
        db.session.add(view.answer)
    grade_slot(view)
    view.answer.checked = True
    commit()


def grade_slot(view: SlotView) -> None:
    """Grade one slot's answer with its type (unknown type or no answer scores 0)."""
    if view.answer is not None and view.qtype is not None:
        for name, value in grade_of(view).items():
            setattr(view.answer, name, value)


def grade_of(view: SlotView) -> dict:
    """The grade of a view's saved answer (none saved grades as empty), as the answer's columns."""
    assert view.qtype is not None  # only installed types grade
    result = view.qtype.grade(view.version.config, (view.answer.response if view.answer else None) or {})
    return {
        "score": None if result.pending else result.score,  # an essay's score waits for its trainer's mark
        "feedback": list(result.feedback),
        "needs_marking": result.pending,
    }


def finish(attempt: Attempt, views: list[SlotView] | None = None) -> None:
    """Close and grade the attempt in the open transaction, exactly once (a conditional state change). `views`:
    its questions with their answers as stored now, when the caller holds them (else they are read)."""
    submitted_at = now()
    connection = db.session.connection()
    closed = connection.execute(prepared(_close_attempt), {"attempt_id": attempt.id, "at": submitted_at})
    if closed.rowcount != 1:
        return  # someone else submitted it first: nothing is graded again
    # The row now holds exactly these values: tell the loaded attempt so, rather than read it back.
    set_committed_value(attempt, "status", "submitted")
    set_committed_value(attempt, "submitted_at", submitted_at)
    if views is None:
        views = slot_views(attempt)
    write_grades(attempt, [view for view in views if view.graded])
    if not any(view.answer is not None and view.answer.needs_marking for view in views):
        settle(attempt, views)


def _close_attempt():
    return (
        update(Attempt)
        .where(Attempt.id == bindparam("attempt_id"), Attempt.status == "open")
        .values(status="submitted", submitted_at=bindparam("at"))
    )


def write_grades(attempt: Attempt, views: list[SlotView]) -> None:
    """Grade each view's answer (none saved grades as empty) and store the grades: one statement for the saved
    answers, one for those never saved. The loaded answers take the grades as stored, so nothing is flushed."""
    updates, inserts = [], []
    for view in views:
        answer, grade = view.answer, grade_of(view)
        if answer is None:
            row: dict = {"attempt_id": attempt.id, "slot": view.slot, "response": {}, "saved_at": now(), **grade}
            inserts.append({**row, "checked": False, "flagged": False})
            view.answer = AttemptAnswer(**row)  # shown, never added to the session: its row is inserted below
        else:
            updates.append({"in_attempt": attempt.id, "at_slot": view.slot, **grade})
            for name, value in grade.items():
                set_committed_value(answer, name, value)
    connection = db.session.connection()
    if updates:
        connection.execute(prepared(_answer_grades), updates)
    if inserts:
        connection.execute(insert(AttemptAnswer), inserts)


def _answer_grades():
    return (
        update(AttemptAnswer)
        .where(AttemptAnswer.attempt_id == bindparam("in_attempt"), AttemptAnswer.slot == bindparam("at_slot"))
        .values(score=bindparam("score"), feedback=bindparam("feedback"), needs_marking=bindparam("needs_marking"))
    )


def attempt_score(views: list[SlotView]) -> float:
    """The attempt's score in percent: the mean of its graded answers' scores (none saved counts as 0)."""
    total = counted = 0.0
    for view in views:
        if view.graded:
            total += (view.answer.score or 0.0) if view.answer else 0.0
            counted += 1
    return round(100 * total / counted, 2) if counted else 0.0


def store_score(attempt: Attempt, score: float, pass_mark: int) -> bool:
    """Write the attempt's score, whether it passes and the pass mark it was scored against; whether it passes."""
    passed = score >= pass_mark
    scored = {"attempt_id": attempt.id, "score": score, "passed": passed, "pass_mark": pass_mark}
    db.session.connection().execute(prepared(_attempt_score), scored)
    set_committed_value(attempt, "score", score)
    set_committed_value(attempt, "passed", passed)
    set_committed_value(attempt, "pass_mark", pass_mark)
    return passed


def settle(attempt: Attempt, views: list[SlotView]) -> None:
    """Score the attempt once no answer waits for a trainer's mark: pass or fail, its event, and completions."""
    score = attempt_score(views)
    passed = store_score(attempt, score, attempt.quiz.pass_mark)
    record_attempt(views)
    best = keep_result(attempt.quiz_id, attempt.user_id, score, passed)
    cells = {best_score_cell(attempt.quiz_id): best}
    emit(
        QuizSubmitted(
            user_id=attempt.user_id,
            course_id=attempt.quiz.course_id,
            quiz_id=attempt.quiz_id,
            attempt_id=attempt.id,
            score=score,
            passed=passed,
        )
    )
    if passed and attempt.quiz.counts_towards_completion:
        record_completions(attempt.user_id, attempt.quiz.course_id, cells)
    else:
        note_activity(attempt.user_id, attempt.quiz.course_id, cells)


def _attempt_score():
    return (
        update(Attempt)
        .where(Attempt.id == bindparam("attempt_id"))
        .values(score=bindparam("score"), passed=bindparam("passed"), pass_mark=bindparam("pass_mark"))
    )


def best_score_cell(quiz_id: int) -> str:
    """The learner-table cell that holds a learner's best score on this quiz (see `courses.progress.keep_cells`)."""
    return f"quiz:{quiz_id}"


def keep_result(quiz_id: int, user_id: int, score: float, passed: bool) -> float:
    """Add a scored attempt to the learner's result on the quiz (best score, attempts, passed) and to the quiz's
    sums of results; returns the learner's best score now. (A learner's attempts at a quiz are scored one at a
    time: only one is ever open.)"""
    connection = db.session.connection()
    key = {"quiz_id": quiz_id, "user_id": user_id}
    before = connection.execute(prepared(_result_before), key).first()
    result = {**key, "best_score": score, "attempts": 1, "passed": passed}
    best = connection.execute(prepared(_result_upsert), result).scalar_one()
    sums = {
        "quiz": quiz_id,
        "learners": 1 if before is None else 0,
        "gain": best - (before.best_score if before else 0.0),
        "passes": 1 if passed and not (before and before.passed) else 0,
    }
    connection.execute(prepared(_quiz_result_sums), sums)
    return best


def recount_result(quiz_id: int, user_id: int) -> float:
    """After a scored attempt's score changed (a mark corrected): the learner's best score and pass on the quiz
    worked out again from their scored attempts, and the quiz's sums moved by the difference; the best score now.
    The learner's result is locked before their attempts are read, as `keep_result` locks it."""
    connection = db.session.connection()
    key = {"quiz_id": quiz_id, "user_id": user_id}
    before = connection.execute(prepared(_result_before), key).one()
    best, passed = db.session.execute(
        select(func.max(Attempt.score), func.max(case((Attempt.passed.is_(True), 1), else_=0))).where(
            Attempt.quiz_id == quiz_id, Attempt.user_id == user_id, Attempt.score.is_not(None)
        )
    ).one()
    best, passed = float(best or 0.0), bool(passed)
    db.session.execute(
        update(QuizResult)
        .where(QuizResult.quiz_id == quiz_id, QuizResult.user_id == user_id)
        .values(best_score=best, passed=passed)
    )
    db.session.execute(
        update(Quiz)
        .where(Quiz.id == quiz_id)
        .values(
            results_best_sum=Quiz.results_best_sum + (best - before.best_score),
            results_passed=Quiz.results_passed + (int(passed) - int(before.passed)),
        )
    )
    return best


def _result_before():
    table = QuizResult.__table__
    # Locked (PostgreSQL), so a mark corrected on one attempt and another attempt scored at once take turns: each
    # moves the quiz's sums from what the other left.
    return (
        select(table.c.best_score, table.c.passed)
        .where(table.c.quiz_id == bindparam("quiz_id"), table.c.user_id == bindparam("user_id"))
        .with_for_update()
    )


def _result_upsert():
    table = QuizResult.__table__
    statement = upsert(table).values(bound(table, ("quiz_id", "user_id", "best_score", "attempts", "passed")))
    return statement.on_conflict_do_update(
        index_elements=[table.c.quiz_id, table.c.user_id],
        set_={
            "best_score": case(
                (table.c.best_score < statement.excluded.best_score, statement.excluded.best_score),
                else_=table.c.best_score,
            ),
            "attempts": table.c.attempts + 1,
            "passed": or_(table.c.passed, statement.excluded.passed),
        },
    ).returning(table.c.best_score)


def _quiz_result_sums():
    return (
        update(Quiz)
        .where(Quiz.id == bindparam("quiz"))
        .values(
            results_count=Quiz.results_count + bindparam("learners"),
            results_best_sum=Quiz.results_best_sum + bindparam("gain"),
            results_attempts=Quiz.results_attempts + 1,
            results_passed=Quiz.results_passed + bindparam("passes"),
        )
    )


def submit_attempt(attempt_id: int, user_id: int, responses: dict) -> tuple[Attempt, bool]:
    """Submit once: (attempt, on_time). A repeat returns the first result; a late submit keeps only saved answers."""
    return submit_locked(lock_for_submit(attempt_id, user_id), responses)


def lock_for_submit(attempt_id: int, user_id: int) -> Attempt:
    """In a new write transaction: the learner's attempt, locked, whatever its state; 404 when it is not theirs."""
    begin_write()
    return lock_open_attempt(attempt_id, user_id)


def submit_locked(attempt: Attempt, responses: dict, views: list[SlotView] | None = None) -> tuple[Attempt, bool]:
    """Submit an attempt `lock_for_submit` returned, once: (attempt, on_time), as `submit_attempt`. `views`: its
    questions as `slot_views` read them under this lock, which spares reading its answers again to grade them."""
    if attempt.status != "open":
        db.session.rollback()
        return attempt, True
    on_time = not is_late(attempt)
    if on_time:
        saved_at = save_responses(attempt, responses)
        views = as_saved(attempt, views, responses, saved_at) if views is not None else None
    else:
        attempt.late_submit_at = now()  # the answers sent now are not kept: the views read still hold what counts
    db.session.flush()
    finish(attempt, views)
    commit()
    return attempt, on_time  # expired by the commit: read again only if the caller looks


def close_if_expired(attempt: Attempt) -> bool:
    """Inside a write transaction: grade an open attempt whose time ran out; True when it did."""
    if attempt.status == "open" and is_late(attempt):
        finish(attempt)
        return True
    return False
