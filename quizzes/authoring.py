"""What trainers change in the browser: quizzes, their settings and questions, each in one audited transaction."""

import re
import secrets
import uuid

from courses.models import Module
from lms.db import begin_write, commit
from lms.extensions import db
from lms.models import audit
from lms.services import ServiceError
from quizzes.bank import AUTHORED, question_types, save_question, set_quiz_questions
from quizzes.models import Question, Quiz

# The settings a trainer's quiz form sets, as Quiz attributes.
SETTINGS = (
    "title",
    "introduction",
    "module_id",
    "pass_mark",
    "max_attempts",
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


def create_quiz(actor, course_id: int, settings: dict) -> Quiz:
    """A new, unpublished quiz of the course with these settings; the trainer publishes it when it is ready."""
    check_module(course_id, settings.get("module_id"))
    begin_write()
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


def update_quiz(actor, quiz: Quiz, settings: dict) -> list[str]:
    """Apply new settings to the quiz; the names of the settings that changed (audited when any did)."""
    check_module(quiz.course_id, settings.get("module_id"))
    begin_write()
    changed = [key for key in SETTINGS if key in settings and getattr(quiz, key) != settings[key]]
    for key in changed:
        setattr(quiz, key, settings[key])
    if changed:
        audit(actor, "quiz.settings", f"quiz:{quiz.id}", changed=changed)
    commit()
    return changed


def set_published(actor, quiz: Quiz, published: bool) -> None:
    """Publish the quiz to learners, or take it back; a quiz with nothing to ask cannot be published."""
    if published and not quiz.draw_count and not quiz.items:
        raise ServiceError("Add at least one question before publishing the quiz.", 400)
    begin_write()
    quiz.active = published
    audit(actor, "quiz.publish" if published else "quiz.unpublish", f"quiz:{quiz.id}")
    commit()


def add_new_question(actor, quiz: Quiz, qtype: str, title: str, tags: list[str], content: dict) -> Question:
    """Write a new question into the bank and put it at the end of the quiz."""
    if qtype not in question_types():
        raise ServiceError("That question type is not installed.", 400)
    begin_write()
    question = Question(uid=f"{AUTHORED}{uuid.uuid4().hex}", course_id=quiz.course_id, type=qtype, current_version=0)
    db.session.add(question)
    save_question(question, qtype, title, tags, content)
    db.session.flush()
    set_quiz_questions(quiz, [item.question_id for item in quiz.items] + [question.id])
    audit(actor, "question.create", f"question:{question.id}", quiz=quiz.id, type=qtype)
    commit()
    return question


def edit_question(actor, question: Question, title: str, tags: list[str], content: dict) -> bool:
    """Save a trainer's edit; True when it made a new version (the old one was answered, so attempts keep it)."""
    begin_write()
    before = question.current_version
    save_question(question, question.type, title, tags, content)
    new_version = question.current_version != before
    audit(actor, "question.edit", f"question:{question.id}", version=question.current_version, new_version=new_version)
    commit()
    return new_version


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
