"""The question bank: versioned upserts, a pack's GIFT quizzes, and GIFT import (with its preview) and export."""

import pathlib
import uuid

from flask import current_app
from sqlalchemy import delete, select

from courses.pack import Pack, Problem
from lms.extensions import db
from quizzes.gift import GiftError, has_gift_form, parse_gift, write_gift_report
from quizzes.grades import weight_problems
from quizzes.models import Question, QuestionVersion, Quiz, QuizQuestion
from quizzes.objectives import objective_problems
from quizzes.pack import pack_quizzes

CONTENT_FIELDS = ("stem", "stem_format", "general_feedback", "config")
AUTHORED = "authored:"  # the uid prefix of questions a trainer added; pack questions are "<course>:<title>"


def question_types() -> dict:
    """The installed question types of the current app, by name (instances)."""
    return current_app.extensions["quizzes"]["types"]


def content_of(parsed: dict) -> dict:
    """The versioned content of a parsed (GIFT) question."""
    return {
        "stem": parsed["stem"],
        "stem_format": parsed.get("format", "moodle"),
        "general_feedback": parsed.get("general_feedback", ""),
        "config": parsed["config"],
    }


def save_question(question: Question, qtype: str, title: str, tags: list, content: dict) -> Question:
    """Store new content: edit the current version in place unless an attempt used it, then add a version."""
    question.type, question.title, question.tags, question.active = qtype, title, list(tags), True
    current = next((v for v in question.versions if v.number == question.current_version), None)
    if current is not None and all(getattr(current, key) == value for key, value in content.items()):
        return question
    if current is None or current.locked:
        number = max((v.number for v in question.versions), default=0) + 1
        version = QuestionVersion(number=number, **content)
        question.versions.append(version)
        question.current_version = number
    else:
        for key, value in content.items():
            setattr(current, key, value)
    return question


def from_pack(question: Question) -> bool:
    """Whether the question came from a content pack (rather than a trainer's form or import)."""
    return not question.uid.startswith(AUTHORED)


def new_authored_question(course_id: int, qtype: str, title: str, tags: list, content: dict) -> Question:
    """Add a question a trainer wrote or imported to the bank (flushed, so it has its id)."""
    question = Question(uid=f"{AUTHORED}{uuid.uuid4().hex}", course_id=course_id, type=qtype, current_version=0)
    db.session.add(question)
    save_question(question, qtype, title, tags, content)
    db.session.flush()
    return question


def edit_question_content(question: Question, qtype: str, title: str, tags: list, content: dict) -> None:
    """A trainer's change to a question: retired stays retired, and a pack question is marked changed locally,
    so the next sync keeps the trainer's version and says so."""
    active = question.active
    save_question(question, qtype, title, tags, content)
    question.active = active
    if from_pack(question):
        question.locally_changed = True


def upsert_question(
    uid: str, course_id: int | None, parsed: dict, known: dict[str, Question] | None = None
) -> Question:
    """Create or update the bank question with this uid from a parsed question.

    `known` maps uids to questions already loaded (a sync loads them all at once rather than one by one).
    """
    if known is not None:
        question = known.get(uid)
    else:
        question = db.session.scalar(select(Question).where(Question.uid == uid))
    if question is None:
        question = Question(uid=uid, course_id=course_id, type=parsed["type"], current_version=0)
        db.session.add(question)
    return save_question(
        question, parsed["type"], parsed.get("title") or "", parsed.get("tags", []), content_of(parsed)
    )


def question_uid(course_slug: str, quiz_slug: str, parsed: dict, position: int) -> str:
    """A stable key for a pack question: its title, or its position when it has none."""
    return f"{course_slug}:{parsed.get('title') or f'{quiz_slug}#{position}'}"


def read_quiz_file(pack: Pack, relative: str) -> tuple[list, list]:
    """Parse one of the pack's question files, GIFT or (for the types GIFT cannot hold) YAML: (questions,
    problems)."""
    text = (pathlib.Path(pack.path) / relative).read_text(encoding="utf-8")
    if relative.endswith((".yaml", ".yml")):
        # Imported here: only reading a pack needs PyYAML, and web workers never do.
        from quizzes.question_files import QuestionFileError, parse_question_file

        try:
            return parse_question_file(text, question_types()), []
        except QuestionFileError as exc:
            return [], [Problem(relative, exc.line, exc.message)]
    try:
        return parse_gift(text, question_types()), []
    except GiftError as exc:
        return [], [Problem(relative, exc.line, exc.message)]


def pack_title_problems(course_slug: str, parsed: dict, titles: dict[str, str], where: tuple) -> list[str]:
    """Problems of a pack question's title: used twice in the course (`titles` holds where each was first seen,
    and learns this one), or too long to key the question (its course and title, in a column of that size)."""
    title = parsed.get("title")
    if not title:
        return []
    problems = []
    keep = MAX_TITLE_LENGTH - len(course_slug) - 1
    if len(title) > keep:
        problems.append(f"keep the title under {keep} characters (with the course's slug, it keys the question)")
    if title in titles:
        problems.append(f"duplicate question title {title!r} (also in {titles[title]})")
    else:
        titles[title] = f"{where[0]}:{where[1]}"
    return problems


def check_quizzes(pack: Pack) -> list:
    """Every problem in the pack's quiz files: GIFT syntax, unknown types, invalid questions, short draws."""
    types = question_types()
    problems, tagged = [], []
    titles: dict[str, str] = {}  # title -> where it was first seen
    for spec in pack_quizzes(pack):
        if not isinstance(spec.file, str) or not (pathlib.Path(pack.path) / spec.file).is_file():
            continue  # no file, or a missing one the pack reader already reported
        questions, found = read_quiz_file(pack, spec.file)
        spec.questions = questions if not found else None
        problems += found
        for parsed in questions:
            where = (spec.file, parsed.get("line", 1))
            if parsed["type"] not in types:
                problems.append(Problem(*where, f"question type {parsed['type']!r} is not installed"))
                continue
            problems += [Problem(*where, message) for message in type_problems(parsed)]
            problems += [Problem(*where, message) for message in pack_title_problems(pack.slug, parsed, titles, where)]
            tagged.append(parsed)
    final = pack.sections.get("final_assessment")
    if final and final.draw:
        # Only graded questions can be drawn (see quizzes.attempts.pick_questions).
        pool = [q for q in tagged if matches_tags(q.get("tags", []), final.from_tags) and types[q["type"]].graded]
        if len(pool) < final.draw:
            problems.append(
                Problem(
                    "course.yaml",
                    1,
                    f"final assessment draws {final.draw} questions but only {len(pool)} match tags {final.from_tags}",
                )
            )
        if final.counts_towards_completion:
            problems += borrowed_questions(pack, final)
    return problems + duplicate_slugs(pack) + short_pools(pack) + objective_problems(pack)


def duplicate_slugs(pack: Pack) -> list:
    """A problem for each quiz slug used twice (a module's exercise named like another module's quiz)."""
    seen: set[str] = set()
    problems = []
    for spec in pack_quizzes(pack):
        if spec.slug in seen:
            problems.append(Problem("course.yaml", 1, f"two quizzes are named {spec.slug!r}: give each its own slug"))
        seen.add(spec.slug)
    return problems


def short_pools(pack: Pack) -> list:
    """A quiz that draws from its own questions needs at least as many as it draws."""
    problems = []
    for spec in pack_quizzes(pack):
        if spec.draw and not spec.from_tags and spec.questions and len(spec.questions) < spec.draw:
            problems.append(
                Problem(
                    spec.file or "course.yaml",
                    1,
                    f"the quiz draws {spec.draw} questions but its file holds {len(spec.questions)}",
                )
            )
    return problems


def borrowed_questions(pack: Pack, final) -> list:
    """A final assessment that counts draws from questions of its own: learners have seen the module quizzes'
    questions, and their answers once they passed them. One problem per module quiz whose questions it would
    draw."""
    problems = []
    for module in pack.modules:
        spec = module.sections.get("quiz")
        if spec is None or not spec.questions:
            continue
        shared = [q for q in spec.questions if matches_tags(q.get("tags", []), final.from_tags)]
        if shared:
            problems.append(
                Problem(
                    spec.file,
                    shared[0].get("line", 1),
                    f"the final assessment would draw {len(shared)} question(s) of this module quiz "
                    f"(tags {final.from_tags}): a final that counts draws from questions of its own",
                )
            )
    return problems


def matches_tags(tags: list, wanted: list) -> bool:
    """True when a tag equals a wanted tag or sits below it ("bpo" matches "bpo/roles")."""
    if not wanted:
        return True
    return any(tag == want or tag.startswith(want.rstrip("/") + "/") for tag in tags for want in wanted)


def sync_quizzes(pack: Pack, course, run=None) -> None:
    """Load the pack's quizzes and questions into the open transaction (`run`: a courses.services.SyncRun)."""
    module_ids = {module.slug: module.id for module in course.modules}
    # Quizzes trainers created are theirs: a sync neither updates nor retires them.
    existing = {
        q.slug: q for q in db.session.scalars(select(Quiz).where(Quiz.course_id == course.id, Quiz.authored.is_(False)))
    }
    for dropped in existing.values():
        dropped.active = False  # until the pack lists it again below
    for spec in pack_quizzes(pack):
        quiz = existing.get(spec.slug)
        if quiz is None:
            quiz = Quiz(course_id=course.id, slug=spec.slug, title=spec.title or spec.slug)
            db.session.add(quiz)
        quiz.module_id = module_ids.get(spec.module_slug) if spec.module_slug else None
        quiz.title = spec.title or spec.slug
        quiz.pass_mark, quiz.max_attempts, quiz.time_limit_minutes = (
            spec.pass_mark,
            spec.max_attempts,
            spec.time_limit_minutes,
        )
        quiz.cooldown_minutes, quiz.counts_towards_completion = spec.cooldown_minutes, spec.counts_towards_completion
        quiz.review, quiz.shuffle_questions, quiz.shuffle_options = (
            spec.review,
            spec.shuffle_questions,
            spec.shuffle_options,
        )
        quiz.draw_count, quiz.draw_tags, quiz.active = spec.draw, list(spec.from_tags), True
        db.session.flush()
        if spec.file:
            questions = spec.questions if spec.questions is not None else read_quiz_file(pack, spec.file)[0]
            uids = [question_uid(pack.slug, spec.slug, parsed, n) for n, parsed in enumerate(questions, start=1)]
            known = {q.uid: q for q in db.session.scalars(select(Question).where(Question.uid.in_(uids)))}
            rows = [
                sync_question(uid, course.id, parsed, known, spec.slug, run)
                for uid, parsed in zip(uids, questions, strict=True)
            ]
            db.session.flush()
            pack_ids = [row.id for row in rows]
            # Questions a trainer added stay in the quiz, after the pack's, in the order they had.
            kept = [qid for qid in authored_question_ids(quiz.id) if qid not in pack_ids]
            set_quiz_questions(quiz, pack_ids + kept)


def sync_question(uid: str, course_id: int, parsed: dict, known: dict[str, Question], quiz_slug: str, run) -> Question:
    """Upsert one pack question, unless a trainer changed it locally: then their version stays (and is reported),
    or, when the run says so, the pack's replaces it (and that is reported)."""
    question = known.get(uid)
    if question is None or not question.locally_changed or not differs_from_pack(question, parsed):
        return upsert_question(uid, course_id, parsed, known)
    name = f"“{question.title or uid}” in quiz {quiz_slug}"
    if run is not None and run.replace_local:
        run.notes.append(f"replaced the local change to {name} with the pack's version")
        question.locally_changed = False
        return upsert_question(uid, course_id, parsed, known)
    if run is not None:
        run.notes.append(f"kept the local change to {name} (courses sync --replace-local takes the pack's)")
    return question


def differs_from_pack(question: Question, parsed: dict) -> bool:
    """Whether the question as trainers left it differs from the pack's (retiring it counts as a difference)."""
    current = question.current
    ours = [question.type, question.title, list(question.tags or []), question.active]
    ours += [getattr(current, key) for key in CONTENT_FIELDS]
    theirs = [parsed["type"], parsed.get("title") or "", list(parsed.get("tags", [])), True]
    theirs += list(content_of(parsed).values())
    return ours != theirs


def authored_question_ids(quiz_id: int) -> list[int]:
    """The ids of the questions trainers added to the quiz (not from its pack), in quiz order."""
    return list(
        db.session.scalars(
            select(QuizQuestion.question_id)
            .join(Question, Question.id == QuizQuestion.question_id)
            .where(QuizQuestion.quiz_id == quiz_id, Question.uid.startswith(AUTHORED, autoescape=True))
            .order_by(QuizQuestion.position)
        )
    )


def set_quiz_questions(quiz: Quiz, question_ids: list) -> None:
    """Make the quiz hold exactly these questions in this order."""
    db.session.execute(delete(QuizQuestion).where(QuizQuestion.quiz_id == quiz.id))
    db.session.add_all(QuizQuestion(quiz_id=quiz.id, question_id=qid, position=n) for n, qid in enumerate(question_ids))
    db.session.flush()
    db.session.expire(quiz, ["items"])


def gift_dicts(quiz: Quiz) -> list:
    """The quiz's questions (current versions) in the parsed-GIFT shape."""
    return [gift_dict(item.question) for item in quiz.items]


def gift_dict(question: Question) -> dict:
    """A question's current version in the parsed-GIFT shape."""
    version = question.current
    return {
        "type": question.type,
        "title": question.title or None,
        "stem": version.stem,
        "format": version.stem_format,
        "general_feedback": version.general_feedback,
        "tags": list(question.tags or []),
        "config": version.config,
    }


MAX_STEM_LENGTH = 20_000  # a question's text, in characters
MAX_TITLE_LENGTH = 200  # a question's name in the bank (its column's size)
MAX_TAGS = 20  # tags on one question
TAG_LENGTH = 100  # characters in one tag


def feedback_problems(qtype, general_feedback) -> list[str]:
    """A question that is not answered (a description) has no result for general feedback to explain, and GIFT
    has nowhere to write it."""
    if general_feedback and not qtype.graded:
        return [f"A {qtype.label.lower()} is not answered, so it has no general feedback: put that in its text."]
    return []


def type_problems(parsed: dict) -> list:
    """Problems of one parsed question against its installed type, its size limits included."""
    qtype = question_types().get(parsed["type"])
    if qtype is None:
        return [f"question type {parsed['type']!r} is not installed"]
    problems = qtype.size_problems(parsed["config"]) + qtype.validate(parsed["config"])
    problems += weight_problems(parsed["config"]) + feedback_problems(qtype, parsed.get("general_feedback"))
    if len(parsed.get("stem", "")) > MAX_STEM_LENGTH:
        problems.append(f"Keep the question text under {MAX_STEM_LENGTH} characters.")
    if len(parsed.get("title") or "") > MAX_TITLE_LENGTH:
        problems.append(f"Keep the question's title under {MAX_TITLE_LENGTH} characters.")
    return problems + tag_problems(parsed.get("tags") or [])


def tag_problems(tags: list[str]) -> list[str]:
    """Problems of a question's tags: at most MAX_TAGS, none longer than TAG_LENGTH (as the editor holds them)."""
    problems = [f"Use at most {MAX_TAGS} tags."] if len(tags) > MAX_TAGS else []
    if any(len(tag) > TAG_LENGTH for tag in tags):
        problems.append(f"Keep each tag under {TAG_LENGTH} characters.")
    return problems


def export_gift(quiz: Quiz) -> str:
    """The quiz's questions as GIFT text, or for a random-draw quiz the pool it draws from."""
    return as_gift([gift_dict(q) for q in draw_pool(quiz)] if draws_from_bank(quiz) else gift_dicts(quiz))


def export_bank(tag: str | None = None, course_ids: set[int] | None = None) -> str:
    """Every active question of the bank as GIFT text, or those carrying `tag` (or a tag below it); only those
    of these courses when `course_ids` is given."""
    query = select(Question).where(Question.active.is_(True))
    if course_ids is not None:
        query = query.where(Question.course_id.in_(course_ids))
    questions = db.session.scalars(query.order_by(Question.course_id, Question.id)).all()
    return as_gift([gift_dict(q) for q in questions if not tag or matches_tags(q.tags or [], [tag])])


def as_gift(questions: list[dict]) -> str:
    """Questions (parsed-GIFT shape) as GIFT text; those of a type without a GIFT form (or not installed) are
    left out, and so is a question GIFT cannot hold as written (a matching prompt with "->", say), named in a
    comment at the top so that one such question does not cost the trainer the whole file."""
    types = question_types()
    writable = [q for q in questions if has_gift_form(types.get(q["type"]))]
    text, refused = write_gift_report(writable, types)
    notes = [
        one_line(
            f"// Left out, as GIFT cannot hold it as written: {writable[n - 1].get('title') or 'untitled'} "
            f"({writable[n - 1]['type']}): {reason}"
        )
        + "\n"
        for n, reason in refused
    ]
    return "".join(notes) + ("\n" if notes else "") + text


def one_line(text: str) -> str:
    """The text with every run of whitespace, line breaks included, as one space (a GIFT comment is one line)."""
    return " ".join(text.split())


def draws_from_bank(quiz: Quiz) -> bool:
    """Whether attempts draw from the course's bank by tag (a final assessment) rather than from the quiz's own
    questions (all of them, or a random draw of them when the quiz names no tags)."""
    return quiz.draws_by_tag or (bool(quiz.draw_count) and not quiz.items)


def question_pool(quiz: Quiz) -> list[Question]:
    """What attempts at the quiz ask or draw from: the bank's pool for a draw from the bank, else the quiz's own
    active questions."""
    return draw_pool(quiz) if draws_from_bank(quiz) else [item.question for item in quiz.items if item.question.active]


def draw_pool(quiz: Quiz) -> list[Question]:
    """The active graded questions of the quiz's course that carry its draw tags, in bank order."""
    graded = [name for name, qtype in question_types().items() if qtype.graded]
    pool = db.session.scalars(
        select(Question)
        .where(Question.course_id == quiz.course_id, Question.active.is_(True), Question.type.in_(graded))
        .order_by(Question.id)
    ).all()
    return [q for q in pool if matches_tags(q.tags or [], quiz.draw_tags or [])]
