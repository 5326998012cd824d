"""GIFT import into a quiz: checked whole, previewed question by question, then saved all at once or not at all.

Each question of the text is matched against the quiz: the same question (type, title, tags and content) is
unchanged and not added again; a question with the title and type of exactly one of the quiz's questions but
other content changes that question (a new version once learners answered it); anything else is new. A quiz
that does not count takes no new question that is the same as one a counting quiz of its course may ask (an
export of that quiz imported again, say): its key would show there (quizzes.key_guard).
"""

import dataclasses
import json
import re

from sqlalchemy import and_, select

from lms.db import begin_write, commit
from lms.extensions import db
from lms.models import audit
from quizzes.bank import (
    content_of,
    edit_question_content,
    gift_dict,
    gift_dicts,
    new_authored_question,
    question_types,
    set_quiz_questions,
    type_problems,
)
from quizzes.gift import parse_gift_problems
from quizzes.key_guard import counted_among
from quizzes.models import Question, QuestionVersion, Quiz

NEW, CHANGED, UNCHANGED, REPEATED = "new", "changed", "unchanged", "repeated"


def checked_gift(text: str) -> tuple[list[dict], list[str]]:
    """GIFT text parsed and checked against the installed types: (questions, problems with their lines)."""
    parsed, errors = parse_gift_problems(text, question_types())
    if errors:  # every question that could not be read, so the trainer mends the file once
        return [], [str(error) for error in errors]
    problems = [f"line {q['line']}: {message}" for q in parsed for message in type_problems(q)]
    if not parsed:
        problems.append("The GIFT text holds no questions.")
    return parsed, problems


def same_as(question: dict) -> str:
    """What makes two questions (parsed-GIFT shape) the same for an import: type, title, tags and content, less
    what GIFT cannot hold."""
    identity = [
        question["type"],
        question.get("title") or "",
        sorted(question.get("tags") or []),
        gift_content(question),
    ]
    return json.dumps(identity, sort_keys=True)


def gift_content(question: dict) -> dict:
    """A question's content (parsed-GIFT shape) as GIFT holds it: without the config keys its type's GIFT form
    leaves out."""
    content = content_of(question)
    qtype = question_types().get(question["type"])
    omitted = qtype.gift_omits if qtype is not None else ()
    return {**content, "config": {k: v for k, v in (content["config"] or {}).items() if k not in omitted}}


def kept_from(target: Question, question: dict) -> dict:
    """The imported content for a change to `target`, keeping what of the target's GIFT cannot hold."""
    content = content_of(question)
    qtype = question_types().get(question["type"])
    current = target.current.config or {}
    kept = {key: current[key] for key in (qtype.gift_omits if qtype else ()) if key in current}
    return {**content, "config": {**kept, **(content["config"] or {})}}


@dataclasses.dataclass(frozen=True)
class Step:
    """What importing one question does: its action, and for a change the quiz's question it changes."""

    question: dict
    action: str
    target: Question | None = None


def plan(quiz: Quiz, parsed: list[dict]) -> list[Step]:
    """What importing these questions into the quiz would do, question by question."""
    present = {same_as(gift) for gift in gift_dicts(quiz)}
    by_title: dict[str, list[Question]] = {}
    for item in quiz.items:
        if item.question.title:
            by_title.setdefault(item.question.title, []).append(item.question)
    steps, changing, earlier = [], set(), set()
    for question in parsed:
        key = same_as(question)
        if key in present:
            steps.append(Step(question, UNCHANGED))
            continue
        if key in earlier:  # the same question twice in the text: taken once
            steps.append(Step(question, REPEATED))
            continue
        earlier.add(key)
        title = question.get("title") or ""
        matches = [q for q in by_title.get(title, []) if q.type == question["type"]] if title else []
        if len(matches) == 1 and matches[0].id not in changing:
            changing.add(matches[0].id)
            steps.append(Step(question, CHANGED, matches[0]))
        else:
            steps.append(Step(question, NEW))
    return steps


def counted_twins(quiz: Quiz, steps: list[Step]) -> list[str]:
    """For a quiz that does not count: a problem for each question the import would add that is the same (type
    and content, whatever its title and tags) as one a counting quiz of the course may ask."""
    new = [step.question for step in steps if step.action == NEW]
    if quiz.counts_towards_completion or not new:
        return []
    # Only the course's questions whose current text is one of the new ones' can be the same: the bank is read
    # for those alone.
    same_text = db.session.scalars(
        select(Question)
        .join(
            QuestionVersion,
            and_(QuestionVersion.question_id == Question.id, QuestionVersion.number == Question.current_version),
        )
        .where(Question.course_id == quiz.course_id, QuestionVersion.stem.in_({q["stem"] for q in new}))
    ).all()
    counted = counted_among(quiz.course_id, {question.id for question in same_text})
    asked = {twin_key(gift_dict(question)): question for question in same_text if question.id in counted}
    problems = []
    for question in new:
        twin = asked.get(twin_key(question))
        if twin is not None:
            problems.append(
                f"line {question['line']}: a quiz that counts towards completion asks this question"
                f"{f' (“{twin.title}”)' if twin.title else ''}, and this quiz does not count, so a copy here would "
                "show its right answer. Write a new question for it instead."
            )
    return problems


def twin_key(question: dict) -> str:
    """What makes two questions (parsed-GIFT shape) ask the same with the same key: type and content."""
    return json.dumps([question["type"], gift_content(question)], sort_keys=True)


@dataclasses.dataclass(frozen=True)
class PreviewRow:
    """What importing one question of a GIFT text would do, as the preview shows it."""

    line: int
    title: str
    type: str
    action: str
    note: str
    opening: str = ""  # the start of its text, to tell apart questions without a title


def opening_of(stem: str, length: int = 80) -> str:
    """The start of a question's text as plain words: tags and Markdown marks dropped, spaces collapsed."""
    words = " ".join(re.sub(r"<[^>]*>|[*_`#>\[\]]", " ", stem or "").split())
    return words if len(words) <= length else words[: length - 1].rstrip() + "…"


def note_for(step: Step, titles: set[str]) -> str:
    """The preview's words for one step."""
    if step.action == UNCHANGED:
        return "Already in the quiz: not added again"
    if step.action == REPEATED:
        return "The same as a question above it in this text: added once"
    if step.action == CHANGED and step.target is not None:
        answered = any(version.locked for version in step.target.versions)
        return "Changed: updates the quiz's question" + (
            " as a new version (learners answered it; their attempts keep theirs)" if answered else ""
        )
    if (step.question.get("title") or "") in titles:
        return "New: the quiz already has a question of another type with this title"
    return "New"


def preview_gift(quiz_id: int, text: str) -> tuple[list[PreviewRow], list[str]]:
    """What importing the text into the quiz would do, saving nothing: (one row per question, problems)."""
    parsed, problems = checked_gift(text)
    if problems:
        return [], problems
    quiz = db.session.get_one(Quiz, quiz_id)
    steps = plan(quiz, parsed)
    problems = counted_twins(quiz, steps)
    if problems:
        return [], problems
    titles = {item.question.title for item in quiz.items if item.question.title}
    rows = [
        PreviewRow(
            line=step.question["line"],
            title=step.question.get("title") or "",
            type=step.question["type"],
            action=step.action,
            note=note_for(step, titles),
            opening=opening_of(step.question.get("stem", "")),
        )
        for step in steps
    ]
    return rows, []


@dataclasses.dataclass(frozen=True)
class ImportResult:
    """What an import did, or the problems that stopped it (then it did nothing)."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    repeated: int = 0  # questions the text holds more than once, beyond the first
    problems: list[str] = dataclasses.field(default_factory=list)


def import_gift(quiz_id: int, text: str, actor=None) -> ImportResult:
    """Import GIFT text into the quiz, all or nothing: new questions go into the bank and the end of the quiz,
    changed ones get their new content, unchanged ones are left alone. Audited under `actor` (None: the shell).
    """
    parsed, problems = checked_gift(text)
    if problems:
        return ImportResult(problems=problems)
    begin_write()
    quiz = db.session.get_one(Quiz, quiz_id)
    steps = plan(quiz, parsed)
    problems = counted_twins(quiz, steps)
    if problems:
        db.session.rollback()
        return ImportResult(problems=problems)
    ids = [item.question_id for item in quiz.items]
    for step in steps:
        question, title, tags = step.question, step.question.get("title") or "", step.question.get("tags", [])
        if step.action == CHANGED and step.target is not None:
            edit_question_content(step.target, question["type"], title, tags, kept_from(step.target, question))
        elif step.action == NEW:
            ids.append(new_authored_question(quiz.course_id, question["type"], title, tags, content_of(question)).id)
    set_quiz_questions(quiz, ids)
    result = ImportResult(
        added=sum(step.action == NEW for step in steps),
        changed=sum(step.action == CHANGED for step in steps),
        unchanged=sum(step.action == UNCHANGED for step in steps),
        repeated=sum(step.action == REPEATED for step in steps),
    )
    audit(
        actor, "quiz.import", f"quiz:{quiz.id}", added=result.added, changed=result.changed, unchanged=result.unchanged
    )
    commit()
    return result
