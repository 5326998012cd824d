"""Item statistics: how each question version performs, kept as attempts are scored and read in two queries.

For each version: how many scored answers it had, its facility (the mean score, i.e. the share of full marks a
learner earns on it), its discrimination (the point-biserial correlation between the score on the question and
the learner's mean score on the rest of the attempt: do learners who do well overall do well here?), and how
often each option was picked. Flags name what usually means a broken question.
"""

import dataclasses
import math

from sqlalchemy import delete, func, select

from lms.db import bound, prepared, upsert
from lms.extensions import db
from quizzes.bank import draw_pool, draws_from_bank
from quizzes.models import Attempt, ItemOptionPicks, ItemStats, Question, QuestionVersion, Quiz

# Below this many answers the figures move a lot with each new learner: the page says so.
SMALL_SAMPLE = 30
_SUMS = ("answered", "full_marks", "sum_x", "sum_xx", "sum_y", "sum_yy", "sum_xy")


def scored_items(views) -> list[tuple[int, float, float, list[str]]]:
    """(version id, score x, rest-of-attempt mean y, picked options) for each graded answer of a scored attempt.

    A question that is alone in its attempt has no rest to compare with: it counts towards facility and picks,
    with y taken as its own score (adding nothing to the discrimination's spread).
    """
    graded = [v for v in views if v.graded and v.qtype is not None]
    scores = [(v.answer.score or 0.0) if v.answer is not None else 0.0 for v in graded]
    total = sum(scores)
    items = []
    for view, x in zip(graded, scores, strict=True):
        rest = (total - x) / (len(graded) - 1) if len(graded) > 1 else x
        response = view.answer.response if view.answer is not None else {}
        items.append((view.version.id, x, rest, view.qtype.picked(view.version.config, response or {})))
    return items


def record_attempt(views) -> None:
    """Add a scored attempt's answers to the running sums, in the open transaction (two statements at most)."""
    items = scored_items(views)
    if not items:
        return
    rows = [
        {
            "version_id": version_id,
            "answered": 1,
            "full_marks": 1 if x >= 1.0 else 0,
            "sum_x": x,
            "sum_xx": x * x,
            "sum_y": y,
            "sum_yy": y * y,
            "sum_xy": x * y,
        }
        for version_id, x, y, _picked in items
    ]
    add_sums(rows)
    picks: dict[tuple[int, str], int] = {}
    for version_id, _x, _y, picked in items:
        for option in picked:
            picks[(version_id, option)] = picks.get((version_id, option), 0) + 1
    if picks:
        add_picks([{"version_id": v, "option": o, "picks": n} for (v, o), n in picks.items()])


def rescore_attempt(before: list, after: list) -> None:
    """Move the running sums from an attempt's answers as they were scored (`scored_items` then) to the same
    answers scored again (a mark corrected): one row per question, holding the differences."""
    rows = []
    for (version_id, x0, y0, _picked), (_same, x1, y1, _also) in zip(before, after, strict=True):
        rows.append(
            {
                "version_id": version_id,
                "answered": 0,
                "full_marks": (1 if x1 >= 1.0 else 0) - (1 if x0 >= 1.0 else 0),
                "sum_x": x1 - x0,
                "sum_xx": x1 * x1 - x0 * x0,
                "sum_y": y1 - y0,
                "sum_yy": y1 * y1 - y0 * y0,
                "sum_xy": x1 * y1 - x0 * y0,
            }
        )
    if rows:
        add_sums(rows)


def add_sums(rows: list[dict]) -> None:
    """Upsert running sums: new versions get a row, known ones add to theirs."""
    db.session.connection().execute(prepared(_sums_upsert), rows)


def _sums_upsert():
    table = ItemStats.__table__
    statement = upsert(table).values(bound(table, ("version_id", *_SUMS)))
    return statement.on_conflict_do_update(
        index_elements=[table.c.version_id],
        set_={name: table.c[name] + statement.excluded[name] for name in _SUMS},
    )


def add_picks(rows: list[dict]) -> None:
    """Upsert option pick counts."""
    db.session.connection().execute(prepared(_picks_upsert), rows)


def _picks_upsert():
    table = ItemOptionPicks.__table__
    statement = upsert(table).values(bound(table, ("version_id", "option", "picks")))
    return statement.on_conflict_do_update(
        index_elements=[table.c.version_id, table.c.option],
        set_={"picks": table.c.picks + statement.excluded.picks},
    )


def rebuild() -> int:
    """Recompute every running sum from the scored attempts (after an upgrade, or to check them); the number of
    attempts read. Runs in the open transaction; the caller commits."""
    from quizzes.attempts import slot_views

    db.session.execute(delete(ItemOptionPicks))
    db.session.execute(delete(ItemStats))
    attempts = db.session.scalars(select(Attempt).where(Attempt.score.is_not(None)).order_by(Attempt.id))
    count = 0
    for attempt in attempts:
        record_attempt(slot_views(attempt))
        count += 1
    return count


@dataclasses.dataclass(frozen=True)
class OptionFigure:
    """One option of a question version and how often it was picked."""

    key: str
    label: str
    right: bool
    picks: int
    share: float  # of the version's answers, 0..1


@dataclasses.dataclass(frozen=True)
class VersionFigures:
    """The statistics of one question version."""

    question: Question
    version: QuestionVersion
    answered: int
    facility: float | None  # mean score, 0..1
    discrimination: float | None  # point-biserial, -1..1
    options: list[OptionFigure]
    flags: list[str]

    @property
    def small_sample(self) -> bool:
        """Whether too few scored attempts asked it for the figures to mean much."""
        return self.answered < SMALL_SAMPLE


def correlation(n: int, sx: float, sxx: float, sy: float, syy: float, sxy: float) -> float | None:
    """Pearson's r from running sums; None when either side does not vary (or there are fewer than two)."""
    if n < 2:
        return None
    spread_x, spread_y = n * sxx - sx * sx, n * syy - sy * sy
    if spread_x <= 1e-12 or spread_y <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(spread_x * spread_y)


def flags_for(
    answered: int, full_marks: int, discrimination: float | None, options: list[OptionFigure], keyed: bool = True
) -> list[str]:
    """What in the figures suggests the question is broken (`keyed`: graded against a key, not by a trainer's
    mark, which has no key to check)."""
    remedy = "check the key" if keyed else "check the marking guidance"
    flags = []
    if answered and not full_marks:
        flags.append(f"Nobody earned full marks: {remedy}.")
    if discrimination is not None and discrimination < 0:
        flags.append(f"Negative discrimination: learners who do well overall do worse here. {remedy.capitalize()}.")
    unpicked = [o.label for o in options if not o.right and not o.picks]
    if answered and unpicked:
        flags.append("A wrong option nobody picks: " + "; ".join(unpicked) + ".")
    return flags


def quiz_figures(quiz: Quiz, types: dict) -> list[VersionFigures]:
    """The statistics of every version, learners answered, of the quiz's questions, in quiz order (for a quiz
    that draws at random, of the pool it draws from)."""
    questions = draw_pool(quiz) if draws_from_bank(quiz) else [item.question for item in quiz.items]
    version_ids = [v.id for q in questions for v in q.versions]
    if not version_ids:
        return []
    stats = db.session.scalars(select(ItemStats).where(ItemStats.version_id.in_(version_ids)))
    sums = {row.version_id: row for row in stats}
    picks: dict[int, dict[str, int]] = {}
    for pick in db.session.scalars(select(ItemOptionPicks).where(ItemOptionPicks.version_id.in_(version_ids))):
        picks.setdefault(pick.version_id, {})[pick.option] = pick.picks
    figures = []
    for question in questions:
        qtype = types.get(question.type)
        for version in sorted(question.versions, key=lambda v: -v.number):
            row = sums.get(version.id)
            if row is None or qtype is None:
                continue
            counted = picks.get(version.id, {})
            options = [
                OptionFigure(key, label, right, counted.get(key, 0), counted.get(key, 0) / row.answered)
                for key, label, right in qtype.options(version.config or {})
            ]
            r = correlation(row.answered, row.sum_x, row.sum_xx, row.sum_y, row.sum_yy, row.sum_xy)
            figures.append(
                VersionFigures(
                    question=question,
                    version=version,
                    answered=row.answered,
                    facility=row.sum_x / row.answered if row.answered else None,
                    discrimination=r,
                    options=options,
                    flags=flags_for(row.answered, row.full_marks, r, options, keyed=not qtype.marked_by_trainer),
                )
            )
    return figures


def answered_counts(question_ids: list[int]) -> dict[int, int]:
    """How many scored answers each question had, over all its versions (one query)."""
    if not question_ids:
        return {}
    rows = db.session.execute(
        select(QuestionVersion.question_id, func.sum(ItemStats.answered))
        .join(ItemStats, ItemStats.version_id == QuestionVersion.id)
        .where(QuestionVersion.question_id.in_(question_ids))
        .group_by(QuestionVersion.question_id)
    )
    return {question_id: int(total or 0) for question_id, total in rows}
