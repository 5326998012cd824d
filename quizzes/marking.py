"""Essays waiting for a trainer's mark: the queue, and marking one (the attempt is scored with its last mark);
the essays marked lately, and correcting a mark (a scored attempt is scored again)."""

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.orm import aliased

from courses.progress import note_activity, record_completions
from lms.db import begin_write, commit, not_to_start_from
from lms.events import emit
from lms.extensions import db
from lms.models import User, audit, aware
from lms.services import ServiceError
from quizzes.attempts import (
    attempt_score,
    best_score_cell,
    fixed_versions,
    now,
    recount_result,
    settle,
    slot_views,
    store_score,
)
from quizzes.events import QuizRescored
from quizzes.models import Attempt, AttemptAnswer, Quiz
from quizzes.statistics import rescore_attempt, scored_items


@dataclasses.dataclass(frozen=True)
class Waiting:
    """One answer in the marking queue, with what the marker needs beside it."""

    answer_id: int
    attempt_id: int
    slot: int
    quiz_title: str
    learner: str
    submitted_at: datetime
    stem: str
    stem_format: str
    guidance: str
    text: str


def essay_of(answer: AttemptAnswer, version) -> dict[str, str]:
    """What a marker reads of an essay: its question, in its format, the marking guidance and the learner's text."""
    return {
        "stem": version.stem,
        "stem_format": version.stem_format,
        "guidance": str((version.config or {}).get("guidance", "")),
        "text": str((answer.response or {}).get("text", "")),
    }


def marking_queue(course_ids: set[int] | None, after: int | None = None, limit: int = 20) -> list[Waiting]:
    """The answers waiting for a mark in quizzes of these courses (None: every course), oldest first."""
    query = (
        select(AttemptAnswer, Attempt, Quiz.title, User.display_name)
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .join(User, User.id == Attempt.user_id)
        # Written as the partial index's own condition (needs_marking, or = 1 on SQLite), so it reads that index.
        .where(AttemptAnswer.needs_marking)
    )
    if course_ids is not None:
        query = query.where(not_to_start_from(Quiz.course_id.in_(course_ids)))
    if after is not None:
        query = query.where(AttemptAnswer.id > after)
    rows = db.session.execute(query.order_by(AttemptAnswer.id).limit(limit)).all()
    versions = fixed_versions([attempt.slots[answer.slot]["version_id"] for answer, attempt, _, _ in rows])
    waiting = []
    for answer, attempt, quiz_title, learner in rows:
        version = versions[attempt.slots[answer.slot]["version_id"]]
        waiting.append(
            Waiting(
                answer_id=answer.id,
                attempt_id=attempt.id,
                slot=answer.slot,
                quiz_title=quiz_title,
                learner=learner,
                submitted_at=attempt.submitted_at,
                **essay_of(answer, version),
            )
        )
    return waiting


def course_of_answer(answer_id: int) -> int | None:
    """The course whose quiz asked this answer's question, or None when there is no such answer."""
    return db.session.scalar(
        select(Quiz.course_id)
        .join(Attempt, Attempt.quiz_id == Quiz.id)
        .join(AttemptAnswer, AttemptAnswer.attempt_id == Attempt.id)
        .where(AttemptAnswer.id == answer_id)
    )


def mark_answer(marker, answer_id: int, percent: float, comment: str) -> Attempt:
    """Mark one waiting answer; with the attempt's last mark, the attempt is scored and passes or fails.

    The attempt is locked first, so two trainers marking its last two essays at once score it exactly once.
    """
    begin_write()
    attempt_id = db.session.scalar(select(AttemptAnswer.attempt_id).where(AttemptAnswer.id == answer_id))
    # OF attempts: the attempt's quiz comes with it by an outer join, which PostgreSQL cannot lock.
    attempt = db.session.scalar(select(Attempt).where(Attempt.id == attempt_id).with_for_update(of=Attempt))
    marked = db.session.execute(
        update(AttemptAnswer)
        .where(AttemptAnswer.id == answer_id, AttemptAnswer.needs_marking.is_(True))
        .values(
            needs_marking=False,
            score=percent / 100,
            feedback=[comment] if comment else [],
            marked_by_id=marker.id,
            marked_at=now(),
        )
        .execution_options(synchronize_session=False)
    )
    if attempt is None or marked.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise ServiceError("This answer has already been marked.", 409)
    audit(marker, "attempt.mark", f"attempt:{attempt.id}", about=attempt.user_id, answer=answer_id, score=percent)
    waiting = db.session.scalar(
        select(func.count())
        .select_from(AttemptAnswer)
        .where(AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.needs_marking.is_(True))
    )
    if not waiting and attempt.score is None:
        settle(attempt, slot_views(attempt))
    commit()
    return attempt


@dataclasses.dataclass(frozen=True)
class Marked:
    """One essay already marked, with its mark, for the trainer who may correct it."""

    answer_id: int
    attempt_id: int
    slot: int
    quiz_title: str
    learner: str
    stem: str
    stem_format: str
    guidance: str
    text: str
    percent: float
    comment: str
    marker: str
    marked_at: datetime


def recently_marked(
    course_ids: set[int] | None, marker_id: int | None = None, before: int | None = None, limit: int = 10
) -> list[Marked]:
    """The essays marked in quizzes of these courses (None: every course), by this marker when one is given, the
    latest mark first, from before the mark of the answer `before` when given. Read from a partial index of the
    marked answers (by marker, for a marker's own): a trainer's list reads their marks, not everyone's."""
    learner, marker = aliased(User), aliased(User)
    query = (
        select(AttemptAnswer, Attempt, Quiz.title, learner.display_name, marker.display_name)
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .join(learner, learner.id == Attempt.user_id)
        .outerjoin(marker, marker.id == AttemptAnswer.marked_by_id)
        # The partial index's own condition, so the latest marks are read from it.
        .where(AttemptAnswer.marked_at.is_not(None))
    )
    if course_ids is not None:
        query = query.where(not_to_start_from(Quiz.course_id.in_(course_ids)))
    if marker_id is not None:
        query = query.where(AttemptAnswer.marked_by_id == marker_id)
    if before is not None:
        edge = aliased(AttemptAnswer)
        query = query.join(edge, edge.id == before).where(
            tuple_(AttemptAnswer.marked_at, AttemptAnswer.id) < tuple_(edge.marked_at, edge.id)
        )
    order: list[Any] = [AttemptAnswer.marked_at.desc(), AttemptAnswer.id.desc()]
    if marker_id is not None:
        # One marker's: ordered as their index is (the marker first, one value here), so the planner reads it.
        order.insert(0, AttemptAnswer.marked_by_id.desc())
    query = query.order_by(*order).limit(limit)
    rows = db.session.execute(query).all()
    versions = fixed_versions([attempt.slots[answer.slot]["version_id"] for answer, attempt, *_ in rows])
    return [
        Marked(
            answer_id=answer.id,
            attempt_id=attempt.id,
            slot=answer.slot,
            quiz_title=quiz_title,
            learner=learner_name,
            **essay_of(answer, versions[attempt.slots[answer.slot]["version_id"]]),
            percent=round(100 * (answer.score or 0.0), 2),
            comment=" ".join(answer.feedback or []),
            marker=marker_name or "a deleted account",
            marked_at=answer.marked_at,
        )
        for answer, attempt, quiz_title, learner_name, marker_name in rows
    ]


@dataclasses.dataclass(frozen=True)
class Correction:
    """What correcting a mark changed: the attempt's score and pass before and after (None while other essays of
    the attempt still wait, so it has no score yet)."""

    attempt: Attempt
    before: tuple[float, bool] | None
    after: tuple[float, bool] | None
    changed: bool = True  # False when the mark and the comment sent were those saved: nothing was written


def mark_stamp(moment: datetime | None) -> str:
    """When an answer was last marked, as the correction form carries it (to refuse a correction of a mark
    someone changed since the form was shown)."""
    return moment.isoformat() if (moment := aware(moment)) is not None else ""


def change_mark(marker, answer_id: int, percent: float, comment: str, seen: str | None = None) -> Correction:
    """Correct the mark of an essay marked before (`seen`: the mark's stamp as the form showed it; a mark changed
    since is refused). A scored attempt is scored again against the pass mark it was scored against: the
    learner's best score and pass, the quiz's sums, the question statistics and the progress figures follow; a
    pass it now reaches completes what it completes, and a pass it loses leaves the completions and badges it
    gave on record."""
    begin_write()
    attempt_id = db.session.scalar(select(AttemptAnswer.attempt_id).where(AttemptAnswer.id == answer_id))
    attempt = db.session.scalar(select(Attempt).where(Attempt.id == attempt_id).with_for_update(of=Attempt))
    views = slot_views(attempt) if attempt is not None else []
    view = next((v for v in views if v.answer is not None and v.answer.id == answer_id), None)
    if attempt is None or view is None or view.answer.marked_at is None or view.answer.needs_marking:
        db.session.rollback()
        raise ServiceError("This answer has no mark to correct.", 409)
    answer = view.answer
    old_percent = round(100 * (answer.score or 0.0), 2)
    if seen is not None and seen != mark_stamp(answer.marked_at):
        db.session.rollback()
        raise ServiceError(
            f"This mark was changed since the page was shown: it is now {old_percent:g}%. Read it again before "
            "correcting it.",
            409,
        )
    if percent == old_percent and ([comment] if comment else []) == list(answer.feedback or []):
        db.session.rollback()
        return Correction(attempt, None, None, changed=False)
    scored_before = scored_items(views) if attempt.score is not None else []
    answer.score = percent / 100
    answer.feedback = [comment] if comment else []
    answer.marked_by_id = marker.id
    answer.marked_at = now()
    corrected: dict[str, Any] = {
        "about": attempt.user_id,
        "answer": answer_id,
        "mark": f"{old_percent:g} → {percent:g}",
    }
    if attempt.score is None:  # other essays still wait: the attempt is scored with the last of them
        audit(marker, "attempt.mark_corrected", f"attempt:{attempt.id}", **corrected)
        commit()
        return Correction(attempt, None, None)
    before = (attempt.score, bool(attempt.passed))
    score = attempt_score(views)
    passed = store_score(attempt, score, attempt.quiz.pass_mark if attempt.pass_mark is None else attempt.pass_mark)
    rescore_attempt(scored_before, scored_items(views))
    corrected["score"] = f"{before[0]:g} → {score:g}"
    corrected["passed"] = f"{'yes' if before[1] else 'no'} → {'yes' if passed else 'no'}"
    audit(marker, "attempt.mark_corrected", f"attempt:{attempt.id}", **corrected)
    best = recount_result(attempt.quiz_id, attempt.user_id)
    cells = {best_score_cell(attempt.quiz_id): best}
    course_id = attempt.quiz.course_id
    if attempt.quiz.counts_towards_completion:
        record_completions(attempt.user_id, course_id, cells)  # records what a pass completes; keeps the summary
    else:
        note_activity(attempt.user_id, course_id, cells)
    emit(
        QuizRescored(
            user_id=attempt.user_id,
            course_id=course_id,
            quiz_id=attempt.quiz_id,
            attempt_id=attempt.id,
            score=score,
            passed=passed,
            previous_score=before[0],
            previous_passed=before[1],
        )
    )
    commit()
    return Correction(attempt, before, (score, passed))
