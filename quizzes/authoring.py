"""What trainers change in the browser: quizzes, their settings and questions, each in one audited transaction."""

import hashlib
import json
import re
import secrets
from typing import Any

from sqlalchemy import select

from courses.models import Course, Module
from lms.db import begin_write, commit
from lms.extensions import db
from lms.models import audit
from lms.services import ServiceError
from quizzes.bank import (
    CONTENT_FIELDS,
    edit_question_content,
    from_pack,
    new_authored_question,
    question_pool,
    question_types,
    set_quiz_questions,
)
from quizzes.key_guard import askable, counted_among
from quizzes.models import Question, Quiz
from quizzes.review import PRACTICE

# The settings a trainer's quiz form sets, as Quiz attributes.
SETTINGS = (
    "title",
    "introduction",
    "module_id",
    "pass_mark",
    "max_attempts",
    "cooldown_minutes",
    "counts_towards_completion",
    "time_limit_minutes",
    "shuffle_questions",
    "shuffle_options",
    "draw_count",
    "draw_tags",
    "review",
)


def quiz_slug(title: str) -> str:
    """A slug for a trainer's quiz: words of the title and a random tail, so it never takes a pack's slug."""
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-") or "quiz"
    return f"{words}-{secrets.token_hex(3)}"


def check_module(course_id: int, module_id: int | None) -> None:
    """Refuse a module of another course (the form offers only the course's own)."""
    module = db.session.get(Module, module_id) if module_id is not None else None
    if module_id is not None and (module is None or module.course_id != course_id):
        raise ServiceError("Choose a module of this quiz's course.", 400)


def check_review(settings: dict, quiz: Quiz | None = None) -> None:
    """Refuse a quiz that counts towards completion (and so a badge) but shows its key before a pass."""
    counts = settings.get("counts_towards_completion", quiz.counts_towards_completion if quiz else False)
    review = settings.get("review", quiz.review if quiz else PRACTICE)
    if counts and review == PRACTICE:
        raise ServiceError("A quiz that counts towards completion must not show its right answers before a pass.", 400)


class TitleTaken(ServiceError):
    """A quiz title another quiz of the course already has."""


def check_title_free(course_id: int, title: str, quiz_id: int | None = None) -> None:
    """Inside a write transaction: refuse a title (compared without case or surrounding spaces) that another quiz
    of the course has: learners and reports tell quizzes apart by it, and a form sent twice (a double click, Back)
    made two."""
    # The course's row is locked first, so two forms sent at once are compared one after the other (PostgreSQL;
    # SQLite's writers take turns already). Titles are compared here, not in SQL, whose lower() leaves "É" alone.
    db.session.execute(select(Course.id).where(Course.id == course_id).with_for_update())
    wanted = title.strip().casefold()
    others = db.session.scalars(select(Quiz.title).where(Quiz.course_id == course_id, Quiz.id != (quiz_id or 0)))
    if any(other.strip().casefold() == wanted for other in others):
        raise TitleTaken(f"The course already has a quiz called “{title.strip()}”. Give this one another title.")


def create_quiz(actor, course_id: int, settings: dict) -> Quiz:
    """A new, unpublished quiz of the course with these settings; the trainer publishes it when it is ready."""
    check_module(course_id, settings.get("module_id"))
    check_review(settings)
    begin_write()
    try:
        check_title_free(course_id, settings["title"])
    except TitleTaken:
        db.session.rollback()
        raise
    quiz = Quiz(
        course_id=course_id,
        slug=quiz_slug(settings["title"]),
        active=False,
        authored=True,
        created_by_id=actor.id,
        **{key: settings[key] for key in SETTINGS if key in settings},
    )
    db.session.add(quiz)
    db.session.flush()
    audit(actor, "quiz.create", f"quiz:{quiz.id}", title=quiz.title, course=course_id)
    commit()
    return quiz


class NothingLeftToAsk(ServiceError):
    """New settings that would leave a published quiz with no question to ask."""


class DrawTooLarge(ServiceError):
    """A draw of more questions than the quiz has to draw from."""


def update_quiz(actor, quiz: Quiz, settings: dict) -> list[str]:
    """Apply new settings to the quiz; the names of the settings that changed (audited when any did). Settings
    that would leave a published quiz with nothing to ask (a draw from tags no question carries) are refused."""
    check_module(quiz.course_id, settings.get("module_id"))
    check_review(settings, quiz)
    begin_write()
    if "title" in settings and settings["title"].strip().casefold() != quiz.title.strip().casefold():
        try:
            check_title_free(quiz.course_id, settings["title"], quiz.id)
        except TitleTaken:
            db.session.rollback()
            raise
    could_ask = quiz.active and nothing_to_ask(quiz) is None
    changed = [key for key in SETTINGS if key in settings and getattr(quiz, key) != settings[key]]
    was = {key: getattr(quiz, key) for key in changed}
    for key in changed:
        setattr(quiz, key, settings[key])
    reason = nothing_to_ask(quiz) if could_ask and changed else None
    if reason:
        db.session.rollback()
        raise NothingLeftToAsk(
            f"Not saved: learners can start this quiz now, and with these settings they could not. {reason}"
        )
    too_many = draw_beyond_pool(quiz) if {"draw_count", "draw_tags"} & set(changed) else None
    if too_many:
        db.session.rollback()
        raise DrawTooLarge(too_many)
    if changed:
        # Each setting as it was and as it is, so the log says what changed, not only which.
        # Typed loosely: a setting's name never meets `audit`'s own `about`.
        changes: dict[str, Any] = {
            key: f"{setting_text(was[key])} → {setting_text(getattr(quiz, key))}" for key in changed
        }
        audit(actor, "quiz.settings", f"quiz:{quiz.id}", **changes)
    commit()
    return changed


def setting_text(value) -> str:
    """A setting's value as the audit log writes it: a list by its items, nothing as "none", a long text (an
    introduction) by its start."""
    if isinstance(value, list):
        text = ", ".join(map(str, value)) or "none"
    else:
        text = "none" if value is None else str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def draw_beyond_pool(quiz: Quiz) -> str | None:
    """Why the quiz's draw cannot be made: it asks for more questions than it has to draw from (a quiz with none
    yet may set its draw first)."""
    draw = quiz.draw_count or 0
    pool = len(question_pool(quiz)) if draw else 0
    if not pool or draw <= pool:
        return None
    where = "carry its tags in the course's bank" if quiz.draws_by_tag else "are in the quiz"
    return (
        f"Not saved: only {pool} active questions {where}, so an attempt cannot draw {draw}: draw at "
        f"most {pool}, or add questions first."
    )


def check_publishable(quiz: Quiz) -> None:
    """Refuse a quiz with nothing to ask: no questions, none active or matching its draw, or only questions a
    counting quiz asks when this one does not count (quizzes.key_guard)."""
    if not quiz.draw_count and not quiz.items:
        raise ServiceError("The quiz has no questions: add at least one first.", 400)
    pool = question_pool(quiz)
    if not pool:
        # A final assessment with nothing to draw would leave every learner short of completing the course.
        raise ServiceError(
            "This quiz has no question to ask yet: its questions are retired, or no active question of the course's "
            "bank carries a tag it draws from. Add or tag questions first.",
            400,
        )
    if quiz.counts_towards_completion:
        return
    if not askable(quiz, pool):
        raise ServiceError(
            "Every question of this quiz is asked by a quiz that counts towards completion, and this one does not "
            "count, so it cannot show their answers: learners would have nothing to answer. Write questions of its "
            "own first.",
            400,
        )


def nothing_to_ask(quiz: Quiz) -> str | None:
    """Why learners could not start the quiz (the reason publishing it would be refused), or None when it has
    questions to ask."""
    try:
        check_publishable(quiz)
    except ServiceError as refused:
        return refused.message
    return None


def published_with_nothing_to_ask(course_id: int | None) -> list[Quiz]:
    """The course's published quizzes that learners could not start now: a question retired or taken out left
    them nothing to ask."""
    if course_id is None:
        return []
    published = db.session.scalars(
        select(Quiz).where(Quiz.course_id == course_id, Quiz.active.is_(True)).order_by(Quiz.title, Quiz.id)
    )
    return [quiz for quiz in published if nothing_to_ask(quiz)]


def set_published(actor, quiz: Quiz, published: bool) -> None:
    """Publish the quiz to learners, or take it back; a quiz with nothing to ask cannot be published."""
    if published:
        check_publishable(quiz)
    begin_write()
    quiz.active = published
    audit(actor, "quiz.publish" if published else "quiz.unpublish", f"quiz:{quiz.id}")
    commit()


def add_new_question(actor, quiz: Quiz, qtype: str, title: str, tags: list[str], content: dict) -> Question:
    """Write a new question into the bank and put it at the end of the quiz."""
    if qtype not in question_types():
        raise ServiceError("That question type is not installed.", 400)
    begin_write()
    question = new_authored_question(quiz.course_id, qtype, title, tags, content)
    set_quiz_questions(quiz, [item.question_id for item in quiz.items] + [question.id])
    audit(actor, "question.create", f"question:{question.id}", quiz=quiz.id, type=qtype)
    commit()
    return question


def edit_stamp(question: Question) -> str:
    """A short digest of the question as an editor shows it (its version, name, tags and content), which any save
    changes: a form that carries an older stamp was opened before someone else's save."""
    version = question.current
    shown = [question.current_version, question.title, question.tags or []]
    shown += [getattr(version, key) for key in CONTENT_FIELDS]
    text = json.dumps(shown, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


class StaleEdit(ServiceError):
    """An edit made on a form opened before someone else's save of the same question."""


def edit_question(
    actor,
    question: Question,
    title: str,
    tags: list[str],
    content: dict,
    action: str = "question.edit",
    based_on: str | None = None,
) -> bool:
    """Save a trainer's edit; True when it made a new version (the old one was answered, so attempts keep it).

    An edited pack question is marked as changed locally, so the next sync keeps the trainer's version. With
    `based_on` (the `edit_stamp` the form was opened with), an edit over a newer save is refused (StaleEdit).
    """
    begin_write()
    if based_on:
        # Read again under the question's lock (PostgreSQL; SQLite's writers take turns already), so that of two
        # saves sent at once from forms opened together, the second finds the first.
        db.session.execute(
            select(Question)
            .where(Question.id == question.id)
            .with_for_update(of=Question)
            .execution_options(populate_existing=True)
        )
        if edit_stamp(question) != based_on:
            db.session.rollback()
            raise StaleEdit(
                "Someone else, or you in another tab, saved this question after you opened it. What is saved now "
                "is shown below; your changes are in the form and are not saved. Save again to replace what is "
                "saved with yours.",
                409,
            )
    before = question.current_version
    edit_question_content(question, question.type, title, tags, content)
    new_version = question.current_version != before
    audit(actor, action, f"question:{question.id}", version=question.current_version, new_version=new_version)
    commit()
    return new_version


def restore_version(actor, question: Question, number: int) -> bool:
    """Make an earlier version's content current again (as a new version once the current one was answered)."""
    version = next((v for v in question.versions if v.number == number), None)
    if version is None:
        raise ServiceError("That version does not exist.", 404)
    content = {key: getattr(version, key) for key in CONTENT_FIELDS}
    return edit_question(actor, question, question.title, question.tags or [], content, action="question.restore")


def answered(question: Question) -> bool:
    """Whether any attempt has used the question (its used versions are locked)."""
    return any(version.locked for version in question.versions)


def retire_question(actor, question: Question) -> bool:
    """Retire a question: one that was answered stays, hidden from new attempts and the bank's default view, for
    the attempts that asked it; so does one from a pack, so that the next sync keeps it retired. One a trainer
    wrote and nobody answered is deleted. True when it was kept."""
    begin_write()
    kept = answered(question) or from_pack(question)
    if kept:
        question.active = False
        if from_pack(question):
            question.locally_changed = True
        audit(actor, "question.retire", f"question:{question.id}")
    else:
        audit(actor, "question.delete", f"question:{question.id}", title=question.title)
        db.session.delete(question)
    commit()
    return kept


def bring_back(actor, question: Question) -> None:
    """Undo a retirement: new attempts ask the question again where quizzes hold it."""
    begin_write()
    question.active = True
    audit(actor, "question.unretire", f"question:{question.id}")
    commit()


def add_existing(actor, quiz: Quiz, question: Question) -> None:
    """Put a bank question of the quiz's course at the end of the quiz (it is shared, not copied)."""
    if question.course_id != quiz.course_id:
        raise ServiceError("Only questions of the quiz's own course can be added to it.", 400)
    ids = [item.question_id for item in quiz.items]
    if question.id in ids:
        raise ServiceError("The quiz already holds this question.", 400)
    begin_write()
    set_quiz_questions(quiz, [*ids, question.id])
    audit(actor, "quiz.add_question", f"quiz:{quiz.id}", question=question.id)
    commit()


def copy_to(actor, question: Question, target: Quiz) -> Question:
    """Add an independent copy of the question (its current content) to the end of another quiz; not into a quiz
    that does not count when one that counts asks the question (the copy would show its key: quizzes.key_guard)."""
    counted = question.course_id is not None and counted_among(question.course_id, {question.id})
    if counted and not target.counts_towards_completion:
        raise ServiceError(
            "A quiz that counts towards completion asks this question, and the quiz you chose does not count, so a "
            "copy there would show its right answer. Write a new question for it instead.",
            409,
        )
    version = question.current
    content = {key: getattr(version, key) for key in CONTENT_FIELDS}
    copy = add_new_question(actor, target, question.type, question.title, list(question.tags or []), content)
    return copy


def move_to(actor, source: Quiz, question: Question, target: Quiz) -> None:
    """Move the question from one quiz to the end of another of the same course, in one transaction."""
    if target.course_id != source.course_id:
        raise ServiceError("A question can only move between quizzes of the same course; copy it instead.", 400)
    ids = [item.question_id for item in source.items]
    target_ids = [item.question_id for item in target.items]
    if question.id not in ids:
        raise ServiceError("That question is not in this quiz.", 404)
    if question.id in target_ids:
        raise ServiceError("The other quiz already holds this question.", 400)
    begin_write()
    set_quiz_questions(source, [qid for qid in ids if qid != question.id])
    set_quiz_questions(target, [*target_ids, question.id])
    audit(actor, "quiz.move_question", f"quiz:{source.id}", question=question.id, to=target.id)
    commit()


def move_question(actor, quiz: Quiz, question_id: int, step: int) -> None:
    """Move a question one place up (step -1) or down (+1) in the quiz."""
    ids = [item.question_id for item in quiz.items]
    if question_id not in ids:
        raise ServiceError("That question is not in this quiz.", 404)
    here = ids.index(question_id)
    there = max(0, min(len(ids) - 1, here + step))
    if here == there:
        return
    ids.insert(there, ids.pop(here))
    begin_write()
    set_quiz_questions(quiz, ids)
    audit(actor, "quiz.reorder", f"quiz:{quiz.id}", question=question_id, position=there + 1)
    commit()


def remove_question(actor, quiz: Quiz, question_id: int) -> None:
    """Take a question out of the quiz; it stays in the bank, and attempts that asked it keep it."""
    ids = [item.question_id for item in quiz.items]
    if question_id not in ids:
        raise ServiceError("That question is not in this quiz.", 404)
    begin_write()
    set_quiz_questions(quiz, [qid for qid in ids if qid != question_id])
    audit(actor, "quiz.remove_question", f"quiz:{quiz.id}", question=question_id)
    commit()
