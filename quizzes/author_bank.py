"""The trainer's question bank: search and filters, retiring, a question's versions, and putting bank questions
into quizzes (shared, copied or moved)."""

import dataclasses
import json

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import String, and_, cast, exists, func, or_, select

from courses.trainers import authored_course_ids
from lms.access import allow
from lms.errors import fail
from lms.extensions import db
from lms.forms import id_arg, posted_id
from lms.security import safe_next_url
from lms.services import ServiceError
from quizzes import authoring
from quizzes.author import action_form_or_400, bp, editable_quizzes, get_quiz, may_edit
from quizzes.author_questions import get_question
from quizzes.bank import CONTENT_FIELDS, question_types
from quizzes.models import Question, QuestionVersion, Quiz, QuizQuestion
from quizzes.statistics import SMALL_SAMPLE, quiz_figures

PAGE_SIZE = 50
STATUSES = {"active": "In use", "retired": "Retired", "all": "All"}


@dataclasses.dataclass
class BankFilters:
    """What the bank page is narrowed to, read from its query string."""

    text: str = ""
    tag: str = ""
    qtype: str = ""
    quiz_id: int | None = None
    unused: bool = False
    status: str = "active"

    @classmethod
    def from_args(cls, args) -> "BankFilters":
        """The filters in the query string; unknown values are ignored rather than refused."""
        status = args.get("status", "active")
        return cls(
            text=(args.get("q") or "").strip()[:200],
            tag=(args.get("tag") or "").strip().strip("/")[:100],
            qtype=args.get("type", "") if args.get("type", "") in question_types() else "",
            quiz_id=id_arg("quiz"),
            unused=args.get("unused") == "1",
            status=status if status in STATUSES else "active",
        )

    def args(self) -> dict:
        """The filters as query-string arguments (for the pager links)."""
        status = self.status if self.status != "active" else None
        values = {"q": self.text, "tag": self.tag, "type": self.qtype, "quiz": self.quiz_id, "status": status}
        values["unused"] = "1" if self.unused else None
        return {key: value for key, value in values.items() if value}


def bank_query(filters: BankFilters, course_ids: set[int] | None):
    """Questions with their current text and how many quizzes hold them, narrowed by the filters, newest first."""
    holders = select(func.count()).where(QuizQuestion.question_id == Question.id).correlate(Question).scalar_subquery()
    query = select(Question, QuestionVersion.stem, holders.label("quizzes")).join(
        QuestionVersion,
        and_(QuestionVersion.question_id == Question.id, QuestionVersion.number == Question.current_version),
    )
    query = query.where(Question.course_id.is_not(None))
    if course_ids is not None:
        query = query.where(Question.course_id.in_(course_ids))
    for word in filters.text.split():
        query = query.where(
            or_(Question.title.icontains(word, autoescape=True), QuestionVersion.stem.icontains(word, autoescape=True))
        )
    if filters.tag:
        # Tags are a JSON list: its text holds "tag" exactly, or "tag/... for the tags below it.
        tags = cast(Question.tags, String)
        query = query.where(
            or_(
                tags.contains(json.dumps(filters.tag), autoescape=True),
                tags.contains(json.dumps(filters.tag + "/")[:-1], autoescape=True),
            )
        )
    if filters.qtype:
        query = query.where(Question.type == filters.qtype)
    if filters.quiz_id is not None:
        query = query.where(
            exists().where(QuizQuestion.question_id == Question.id, QuizQuestion.quiz_id == filters.quiz_id)
        )
    if filters.unused:
        query = query.where(~exists().where(QuizQuestion.question_id == Question.id))
    if filters.status != "all":
        query = query.where(Question.active.is_(filters.status == "active"))
    return query.order_by(Question.id.desc())


@bp.route("/bank")
@allow("trainer")
def bank():
    """Every question the trainer may edit, searchable and filtered, 50 a page (by key, newest first).

    With `?add_to=<quiz id>` each question of that quiz's course offers an "Add to the quiz" button.
    """
    filters = BankFilters.from_args(request.args)
    query = bank_query(filters, authored_course_ids(current_user))
    before = id_arg("before")
    if before is not None:
        query = query.where(Question.id < before)
    rows = db.session.execute(query.limit(PAGE_SIZE + 1)).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    add_to_id = id_arg("add_to")
    add_to = get_quiz(add_to_id) if add_to_id is not None else None
    held = {item.question_id for item in add_to.items} if add_to else set()
    return render_template(
        "author/bank.html",
        rows=rows,
        filters=filters,
        statuses=STATUSES,
        types=question_types(),
        quizzes=editable_quizzes(),
        add_to=add_to,
        held=held,
        next_before=rows[-1][0].id if more and rows else None,
    )


@bp.route("/questions/<int:question_id>/retire", methods=["POST"])
@allow("trainer")
def retire(question_id: int):
    """Retire a question (kept when it was answered, deleted when it never was)."""
    question = get_question(question_id)
    action_form_or_400()
    title, course_id = question.title or "The question", question.course_id
    if authoring.retire_question(current_user, question):
        flash(f"{title} is retired: new attempts no longer ask it; attempts that did keep it.", "success")
    else:
        flash(f"{title} was never answered, so it was deleted.", "success")
    for quiz in authoring.published_with_nothing_to_ask(course_id):
        flash(
            f"Learners cannot start the published quiz {quiz.title} now: it has no question left to ask. Add one, "
            "or unpublish the quiz.",
            "warning",
        )
    return redirect(safe_next_url(request.form.get("next_page")) or url_for("author.bank"))


@bp.route("/questions/<int:question_id>/unretire", methods=["POST"])
@allow("trainer")
def unretire(question_id: int):
    """Bring a retired question back into use."""
    question = get_question(question_id)
    action_form_or_400()
    authoring.bring_back(current_user, question)
    flash(f"{question.title or 'The question'} is in use again.", "success")
    return redirect(url_for("author.bank", status="retired"))


@bp.route("/quizzes/<int:quiz_id>/questions/add", methods=["POST"])
@allow("trainer")
def add_from_bank(quiz_id: int):
    """Add a bank question (`question_id`) to the end of the quiz."""
    quiz = get_quiz(quiz_id)
    action_form_or_400()
    question = get_question(posted_id("question_id"))
    try:
        authoring.add_existing(current_user, quiz, question)
    except ServiceError as error:
        fail(error.status, error.message)
    flash(f"Added {question.title or 'the question'} to {quiz.title}.", "success")
    return redirect(url_for("author.bank", add_to=quiz.id, **BankFilters.from_args(request.args).args()))


@bp.route("/quizzes/<int:quiz_id>/questions/<int:question_id>/copy-or-move", methods=["POST"])
@allow("trainer")
def copy_or_move(quiz_id: int, question_id: int):
    """Copy the question to another quiz (`action=copy`), or move it there (`action=move`)."""
    source = get_quiz(quiz_id)
    action_form_or_400()
    question = get_question(question_id)
    if not request.form.get("target", "").strip():
        fail(400, "Choose the quiz to copy or move the question to: none was chosen, so nothing changed.")
    target = db.session.get(Quiz, posted_id("target"))
    if target is None or not may_edit(current_user, target):
        fail(400, "Choose one of your quizzes to copy or move the question to.")
    try:
        if request.form.get("action") == "move":
            authoring.move_to(current_user, source, question, target)
            flash(f"Moved to {target.title}.", "success")
        else:
            authoring.copy_to(current_user, question, target)
            flash(f"Copied to {target.title}.", "success")
    except ServiceError as error:
        fail(error.status, error.message)
    return redirect(url_for("author.quiz", quiz_id=source.id))


@dataclasses.dataclass
class VersionRow:
    """One version of a question as its history lists it."""

    version: QuestionVersion
    changed: list[str]


CHANGE_NAMES = {
    "stem": "question text",
    "stem_format": "text format",
    "general_feedback": "general feedback",
    "config": "answers",
}


def history_rows(question: Question) -> list[VersionRow]:
    """Each version, newest first, with what it changed from the one before."""
    rows, previous = [], None
    for version in question.versions:
        if previous is None:
            changed = ["first version"]
        else:
            changed = [CHANGE_NAMES[key] for key in CONTENT_FIELDS if getattr(version, key) != getattr(previous, key)]
        rows.append(VersionRow(version=version, changed=changed or ["nothing"]))
        previous = version
    return rows[::-1]


@bp.route("/questions/<int:question_id>/history")
@allow("trainer")
def history(question_id: int):
    """A question's versions, what each changed, and which ones learners answered."""
    question = get_question(question_id)
    return render_template(
        "author/question_history.html", question=question, rows=history_rows(question), types=question_types()
    )


@bp.route("/questions/<int:question_id>/restore", methods=["POST"])
@allow("trainer")
def restore(question_id: int):
    """Make an earlier version (`version`) current again."""
    question = get_question(question_id)
    action_form_or_400()
    number = posted_id("version")
    try:
        authoring.restore_version(current_user, question, number)
    except ServiceError as error:
        fail(error.status, error.message)
    flash(f"Version {number} is current again, as version {question.current_version}.", "success")
    return redirect(url_for("author.history", question_id=question.id))


@bp.route("/quizzes/<int:quiz_id>/statistics")
@allow("trainer")
def statistics(quiz_id: int):
    """How each question version of the quiz performs: facility, discrimination, option picks and flags."""
    quiz = get_quiz(quiz_id)
    return render_template(
        "author/statistics.html",
        quiz=quiz,
        figures=quiz_figures(quiz, question_types()),
        types=question_types(),
        small_sample=SMALL_SAMPLE,
    )
