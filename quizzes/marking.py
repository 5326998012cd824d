"""Essays waiting for a trainer's mark: the queue, and marking one (the attempt is scored with its last mark)."""

import dataclasses
from datetime import datetime

from sqlalchemy import func, select, update

from lms.db import begin_write, commit
from lms.extensions import db
from lms.models import User, audit
from lms.services import ServiceError
from quizzes.attempts import fixed_versions, now, settle, slot_views
from quizzes.models import Attempt, AttemptAnswer, Quiz


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
        query = query.where(Quiz.course_id.in_(course_ids))
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
                stem=version.stem,
                stem_format=version.stem_format,
                guidance=str((version.config or {}).get("guidance", "")),
                text=str((answer.response or {}).get("text", "")),
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
    audit(marker, "attempt.mark", f"attempt:{attempt.id}", answer=answer_id, score=percent)
    waiting = db.session.scalar(
        select(func.count())
        .select_from(AttemptAnswer)
        .where(AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.needs_marking.is_(True))
    )
    if not waiting and attempt.score is None:
        settle(attempt, slot_views(attempt))
    commit()
    return attempt
