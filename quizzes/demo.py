"""Generated learners' quiz attempts: failed tries and passes that match how far each learner got.

For each quiz a handful of real attempt layouts are drawn once (the same question pick and option shuffle a
started attempt gets), and for each question one right answer and the wrong ones a learner could give, each
graded once by its question type. A generated attempt then answers each question right with the learner's skill,
so scores, pass rates and the item statistics look like a real cohort's. Attempts before a pass fail; the attempt
on a quiz a learner is stuck at always fails.
"""

import dataclasses
import random
from datetime import datetime, timedelta

from sqlalchemy import select, update

from courses.demo import Walk
from lms.db import insert_many
from lms.extensions import db
from quizzes.attempts import best_score_cell, pick_questions
from quizzes.bank import question_types
from quizzes.models import Attempt, AttemptAnswer, QuestionVersion, Quiz, QuizResult
from quizzes.statistics import add_picks, add_sums

LAYOUTS_PER_QUIZ = 8  # different draws and orders per quiz, shared by the generated attempts
RETRIES = 4  # attempts at most before a pass, on a quiz without an attempt limit
WRONG_TEXT = "I am not sure"  # what a learner types when they do not know


@dataclasses.dataclass(frozen=True)
class PlannedAnswer:
    """One answer a learner can give to a question, graded once."""

    response: dict
    score: float
    feedback: list[str]
    picked: list[str]
    marked: bool = False  # a trainer's mark (an essay): the demo marks it at once


@dataclasses.dataclass(frozen=True)
class PlannedQuestion:
    """A question of a drawn layout, with its right answer and the wrong ones."""

    version_id: int
    graded: bool
    right: PlannedAnswer
    wrong: list[PlannedAnswer]


@dataclasses.dataclass(frozen=True)
class QuizPlan:
    """A quiz's settings and the layouts its generated attempts use."""

    quiz_id: int
    pass_mark: int
    max_attempts: int
    time_limit_minutes: int | None
    layouts: list[tuple[list[dict], list[PlannedQuestion]]]  # (the attempt's slots, a planned question per slot)


def candidate_responses(right: dict, config: dict) -> list[dict]:
    """Responses near the right one that a learner could give instead (some may still score full marks)."""
    found: list[dict] = [{}]
    for key, value in right.items():
        if isinstance(value, bool):
            found.append({key: not value})
        elif isinstance(value, int):
            size = max(len(config.get("choices") or []), 2)
            found += [{key: i} for i in range(size) if i != value]
        elif isinstance(value, list) and key == "order" and len(value) > 1:
            found += [{key: value[1:] + value[:1]}, {key: list(reversed(value))}]
        elif isinstance(value, list):
            size = len(config.get("choices") or [])
            found += [{key: value[:-1]}] + [{key: [*value, i]} for i in range(size) if i not in value]
        elif isinstance(value, dict) and len(value) > 1:
            keys = list(value)
            found.append({key: dict(zip(keys, [value[k] for k in keys[1:] + keys[:1]], strict=True))})
        elif isinstance(value, str):
            found.append({key: WRONG_TEXT})
    return found


def graded_answer(qtype, config: dict, response: dict) -> PlannedAnswer:
    """An answer graded by its type; one a trainer would mark gets a mark here."""
    grade = qtype.grade(config, response)
    if grade.pending:
        score = 1.0 if response else 0.0
        return PlannedAnswer(response, score, ["Marked for the demo."], [], marked=True)
    return PlannedAnswer(response, grade.score, list(grade.feedback), qtype.picked(config, response))


def plan_question(qtype, version: QuestionVersion) -> PlannedQuestion:
    """The right answer and the wrong ones of a question version."""
    config = version.config or {}
    if not qtype.graded:
        blank = PlannedAnswer({}, 0.0, [], [])
        return PlannedQuestion(version.id, False, blank, [blank])
    right_response = qtype.correct_response(config)
    if qtype.grade(config, right_response).pending:
        right_response = {"text": "A demo answer that covers the main points."}
    right = graded_answer(qtype, config, right_response)
    wrong = [graded_answer(qtype, config, r) for r in candidate_responses(right_response, config)]
    return PlannedQuestion(version.id, True, right, [a for a in wrong if a.score < right.score] or [right])


def plan_quiz(quiz: Quiz, rng: random.Random) -> QuizPlan:
    """Draw the quiz's layouts as a started attempt would, and plan each question's answers."""
    types = question_types()
    planned: dict[int, PlannedQuestion] = {}
    layouts = []
    for _ in range(LAYOUTS_PER_QUIZ):
        slots, questions = [], []
        for question in pick_questions(quiz, rng):
            version, qtype = question.current, types.get(question.type)
            if qtype is None:
                continue
            version.locked = True  # attempts now use this version: edits make a new one
            slots.append(
                {
                    "question_id": question.id,
                    "version_id": version.id,
                    "layout": qtype.layout(version.config, rng, quiz.shuffle_options),
                }
            )
            if version.id not in planned:
                planned[version.id] = plan_question(qtype, version)
            questions.append(planned[version.id])
        if slots:
            layouts.append((slots, questions))
    return QuizPlan(quiz.id, quiz.pass_mark, quiz.max_attempts, quiz.time_limit_minutes, layouts)


def quiz_plans(course_id: int, rng: random.Random) -> dict[int, QuizPlan]:
    """A plan for each active quiz of the course that has questions, by quiz id."""
    quizzes = db.session.scalars(select(Quiz).where(Quiz.course_id == course_id, Quiz.active.is_(True)))
    plans = {quiz.id: plan_quiz(quiz, rng) for quiz in quizzes}
    return {quiz_id: plan for quiz_id, plan in plans.items() if plan.layouts}


def score_of(answers: list[PlannedAnswer], questions: list[PlannedQuestion]) -> float:
    """The attempt's score in percent, as grading gives it: the mean over the graded questions."""
    graded = [a.score for a, q in zip(answers, questions, strict=True) if q.graded]
    return round(100 * sum(graded) / len(graded), 2) if graded else 0.0


def answer_all(questions: list[PlannedQuestion], skill: float, rng: random.Random) -> list[PlannedAnswer]:
    """A learner's answers to an attempt: each right with the learner's skill."""
    return [q.right if rng.random() < skill else rng.choice(q.wrong) for q in questions]


def forced(answers: list, questions: list[PlannedQuestion], pass_mark: int, passed: bool, rng) -> list:
    """These answers changed one question at a time until the attempt passes (or fails), as a learner who knew
    a little more (or less) would have answered."""
    answers = list(answers)
    for i, question in enumerate(questions):
        if (score_of(answers, questions) >= pass_mark) == passed:
            break
        if question.graded:
            answers[i] = question.right if passed else rng.choice(question.wrong)
    return answers


@dataclasses.dataclass
class Attempts:
    """The rows of one batch: attempts with their answers, and the figures kept beside them."""

    attempts: list[dict] = dataclasses.field(default_factory=list)
    answers: list[list[dict]] = dataclasses.field(default_factory=list)  # per attempt, in the same order
    sums: dict = dataclasses.field(default_factory=dict)  # version id -> the item statistics' running sums
    picks: dict = dataclasses.field(default_factory=dict)  # (version id, option) -> picks
    results: dict = dataclasses.field(default_factory=dict)  # (quiz id, user id) -> [best, attempts, passed]
    numbers: dict = dataclasses.field(default_factory=dict)  # (quiz id, user id) -> attempts so far

    def add(self, plan: QuizPlan, user_id: int, at: datetime, layout, answers: list[PlannedAnswer], rng) -> None:
        """One submitted attempt, finished at `at`."""
        slots, questions = layout
        score = score_of(answers, questions)
        passed = score >= plan.pass_mark
        minutes = rng.uniform(4, plan.time_limit_minutes or 25)
        started_at = at - timedelta(minutes=minutes)
        number = self.numbers[(plan.quiz_id, user_id)] = self.numbers.get((plan.quiz_id, user_id), 0) + 1
        self.attempts.append(
            {
                "quiz_id": plan.quiz_id,
                "user_id": user_id,
                "number": number,
                "status": "submitted",
                "started_at": started_at,
                "deadline": started_at + timedelta(minutes=plan.time_limit_minutes)
                if plan.time_limit_minutes
                else None,
                "submitted_at": at,
                "score": score,
                "passed": passed,
                "slots": slots,
            }
        )
        self.answers.append(
            [
                {
                    "slot": slot,
                    "response": answer.response,
                    "saved_at": at,
                    "checked": False,
                    "score": answer.score,
                    "feedback": answer.feedback,
                    "marked_at": at if answer.marked else None,
                }
                for slot, (answer, question) in enumerate(zip(answers, questions, strict=True))
                if question.graded
            ]
        )
        self.count_items(answers, questions)
        best = self.results.setdefault((plan.quiz_id, user_id), [score, 0, False])
        best[0], best[1], best[2] = max(best[0], score), best[1] + 1, best[2] or passed

    def count_items(self, answers: list[PlannedAnswer], questions: list[PlannedQuestion]) -> None:
        """Add the attempt to the item statistics' sums, as scoring a real attempt does."""
        graded = [(a, q) for a, q in zip(answers, questions, strict=True) if q.graded]
        total = sum(a.score for a, _q in graded)
        for answer, question in graded:
            x = answer.score
            y = (total - x) / (len(graded) - 1) if len(graded) > 1 else x
            sums = self.sums.setdefault(question.version_id, [0, 0, 0.0, 0.0, 0.0, 0.0, 0.0])
            for i, value in enumerate((1, int(x >= 1.0), x, x * x, y, y * y, x * y)):
                sums[i] += value
            for option in answer.picked:
                key = (question.version_id, option)
                self.picks[key] = self.picks.get(key, 0) + 1


def attempt_times(rng: random.Random, walk: Walk, at: datetime, count: int) -> list[datetime]:
    """When `count` attempts ending at `at` were submitted: a few hours apart, none before the learner joined."""
    times = [at]
    for _ in range(count - 1):
        times.append(
            max(walk.learner.joined_at + timedelta(minutes=30), times[-1] - timedelta(hours=rng.uniform(0.3, 8)))
        )
    return sorted(times)


def tries(plan: QuizPlan, walk: Walk, at: datetime, outcome: str, rng: random.Random, rows: Attempts) -> None:
    """A learner's attempts at a quiz up to `at`: "pass" ends in a pass, "fail" never passes, "any" stops at a
    pass or at the attempt limit."""
    limit = plan.max_attempts or RETRIES
    planned = []
    for number in range(1, limit + 1):
        layout = rng.choice(plan.layouts)
        answers = answer_all(layout[1], walk.learner.skill, rng)
        if outcome == "fail":
            answers = forced(answers, layout[1], plan.pass_mark, False, rng)
        elif outcome == "pass" and number == limit:
            answers = forced(answers, layout[1], plan.pass_mark, True, rng)
        planned.append((layout, answers))
        if score_of(answers, layout[1]) >= plan.pass_mark or (outcome == "fail" and rng.random() < 0.5):
            break
    for (layout, answers), when in zip(planned, attempt_times(rng, walk, at, len(planned)), strict=True):
        rows.add(plan, walk.learner.user_id, when, layout, answers, rng)


def add_attempts(course, walks: list[Walk], rng: random.Random) -> None:
    """Write the attempts of generated learners' walks through a course (the `lms_demo_progress` hook)."""
    plans = quiz_plans(course.id, rng)
    rows = Attempts()
    for walk in walks:
        for step, at in walk.done:
            if step.kind == "quiz" and step.item_id in plans:
                tries(plans[step.item_id], walk, at, "pass", rng, rows)
        for step, at in walk.tried:
            if step.kind == "quiz" and step.item_id in plans:
                tries(plans[step.item_id], walk, at, "fail" if step.required else "any", rng, rows)
    walks_by_user = {walk.learner.user_id: walk for walk in walks}
    for (quiz_id, user_id), (best, _count, _passed) in rows.results.items():
        walks_by_user[user_id].cells[best_score_cell(quiz_id)] = best  # as `keep_result` keeps it at each submit
    write(rows)


def write(rows: Attempts) -> None:
    """Insert the batch's attempts and answers, and add to the results, statistics and attempt counts."""
    if not rows.attempts:
        return
    keys = [(a["user_id"], a["quiz_id"], a["number"]) for a in rows.attempts]
    insert_many(Attempt, rows.attempts)
    found = db.session.execute(
        select(Attempt.user_id, Attempt.quiz_id, Attempt.number, Attempt.id).where(
            Attempt.user_id.in_({user_id for user_id, _quiz, _number in keys})
        )
    )
    ids = {(user_id, quiz_id, number): attempt_id for user_id, quiz_id, number, attempt_id in found}
    insert_many(
        AttemptAnswer,
        [
            {"attempt_id": ids[key], **answer}
            for key, attempt_answers in zip(keys, rows.answers, strict=True)
            for answer in attempt_answers
        ],
    )
    # The learners are new, so each result is a new row (a real submit upserts it: `keep_result`).
    insert_many(
        QuizResult,
        [
            {"quiz_id": quiz_id, "user_id": user_id, "best_score": best, "attempts": count, "passed": passed}
            for (quiz_id, user_id), (best, count, passed) in rows.results.items()
        ],
    )
    names = ("answered", "full_marks", "sum_x", "sum_xx", "sum_y", "sum_yy", "sum_xy")
    add_sums([{"version_id": v, **dict(zip(names, sums, strict=True))} for v, sums in rows.sums.items()])
    if rows.picks:
        add_picks([{"version_id": v, "option": o, "picks": n} for (v, o), n in rows.picks.items()])
    # The sums each quiz keeps (`keep_result`): the learners are new, so every result is a new one.
    sums: dict[int, list] = {}
    for (quiz_id, _user_id), (best, count, passed) in rows.results.items():
        kept = sums.setdefault(quiz_id, [0, 0.0, 0, 0])
        kept[0], kept[1], kept[2], kept[3] = kept[0] + 1, kept[1] + best, kept[2] + count, kept[3] + passed
    for quiz_id, (learners, best_sum, attempts, passed) in sums.items():
        db.session.execute(
            update(Quiz)
            .where(Quiz.id == quiz_id)
            .values(
                attempt_count=Quiz.attempt_count + attempts,
                results_count=Quiz.results_count + learners,
                results_best_sum=Quiz.results_best_sum + best_sum,
                results_attempts=Quiz.results_attempts + attempts,
                results_passed=Quiz.results_passed + passed,
            )
        )
