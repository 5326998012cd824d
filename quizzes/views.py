"""Learner pages: a quiz, its attempt (saved as you go), practice checks, submission and review."""

import dataclasses

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import contains_eager
from wtforms.form import BaseForm

from courses.markdown import render_markdown, sanitize_html
from courses.models import Course, Enrolment
from courses.outline import CourseOutline, current_outline, outline_by_id
from courses.trainers import may_author
from lms.access import SIGNED_IN, allow, has_role
from lms.errors import fail
from lms.extensions import db
from lms.forms import MAX_ROW_ID, ActionForm
from lms.models import User, aware
from lms.services import ServiceError
from quizzes import attempts as service
from quizzes.allowances import allowed_minutes
from quizzes.exercises import Exercise, attempt_exercise, quiz_exercise
from quizzes.key_guard import withheld_among
from quizzes.models import Attempt, Question, Quiz, QuizQuestion, TimeAllowance
from quizzes.review import FULL, POLICY_TEXT, SCORE_ONLY, WRONG_ONLY, missed, review_level, revisit_for
from quizzes.types.base import index

bp = Blueprint("quizzes", __name__, url_prefix="/quizzes")

# Built once, as every quiz page and every save or submit runs them: a statement built once is compiled once.
# The quiz page's facts in one statement: the quiz, its course's sync stamp (for the cached outline), the
# learner's enrolment, how many active questions the quiz holds, the learner's time allowance and a question type.
QUIZ_PAGE = (
    select(
        Quiz,
        Course.synced_at,
        select(Enrolment.id)
        .where(Enrolment.user_id == bindparam("user_id"), Enrolment.course_id == Quiz.course_id)
        .scalar_subquery(),
        select(func.count())
        .select_from(QuizQuestion)
        .join(Question, Question.id == QuizQuestion.question_id)
        .where(QuizQuestion.quiz_id == Quiz.id, Question.active.is_(True))
        .scalar_subquery(),
        select(TimeAllowance.time_percent)
        .where(TimeAllowance.user_id == bindparam("user_id"), TimeAllowance.course_id == Quiz.course_id)
        .scalar_subquery(),
        # The type of a quiz's one question (with more, the first by name: unused): an exercise is described as such.
        select(func.min(Question.type))
        .select_from(QuizQuestion)
        .join(Question, Question.id == QuizQuestion.question_id)
        .where(QuizQuestion.quiz_id == Quiz.id, Question.active.is_(True))
        .scalar_subquery(),
    )
    .join(Course, Course.id == Quiz.course_id)
    .where(Quiz.id == bindparam("quiz_id"), Quiz.active.is_(True))
)
# Built once: the attempt and review pages run it. The course's sync stamp comes with the attempt and its quiz, so
# the page's breadcrumbs need no statement of their own.
OWN_ATTEMPT = (
    select(Attempt, Course.synced_at)
    .join(Quiz, Quiz.id == Attempt.quiz_id)
    .join(Course, Course.id == Quiz.course_id)
    .options(contains_eager(Attempt.quiz))
    .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"))
)


def render_stem(text: str, stem_format: str) -> Markup:
    """Question text as safe HTML, whatever format the author used."""
    # Each form is made safe before it is marked so: Markdown is rendered without raw HTML and then cleaned,
    # HTML is cleaned by nh3's allow-list, and plain text is escaped.
    if stem_format == "markdown":
        return Markup(render_markdown(text))  # nosec B704
    if stem_format in ("html", "moodle"):
        return Markup(sanitize_html(text.replace("\n", "<br>")))  # nosec B704
    return Markup(str(escape(text)).replace("\n", "<br>"))  # nosec B704


def get_quiz(quiz_id: int) -> Quiz:
    """An active quiz, or 404."""
    quiz = db.get_or_404(Quiz, quiz_id)
    if not quiz.active:
        abort(404)
    return quiz


def get_own_attempt(attempt_id: int) -> tuple[Attempt, CourseOutline]:
    """The signed-in learner's attempt, and the outline of its course; anyone else's is a 404, exactly like a
    missing one."""
    row = db.session.execute(OWN_ATTEMPT, {"attempt_id": attempt_id, "user_id": current_user.id}).first()
    if row is None:
        abort(404)
    attempt, synced_at = row
    return attempt, current_outline(attempt.quiz.course_id, synced_at)


@dataclasses.dataclass(frozen=True)
class Posted:
    """An attempt's answer form as posted: its questions, the form, the responses by slot, the questions flagged
    and the typed answers a question refused, by slot."""

    views: list
    form: BaseForm
    responses: dict
    flagged: frozenset[int]
    problems: dict[int, str]


def answer_form(views, formdata=None) -> BaseForm:
    """A form with one answer field per question of the attempt, filled with the saved answers (and with what was
    posted, given `formdata`).

    Built for the request, not as a class: each attempt shuffles its options, so a class per layout would be one
    per attempt (about 45 KB each, kept by every worker that served it). The CSRF token is checked for every post
    by CSRFProtect before the view runs, so the form carries none of its own.
    """
    fields = []
    data = {}
    for view in views:
        if view.qtype is None:
            continue
        label = f"Your answer to question {view.slot + 1}"
        field = view.qtype.answer_field(view.version.config, view.layout, label)
        if field is None:
            continue
        name = f"q{view.slot}"
        fields.append((name, field))
        if view.answer is not None:
            data[name] = view.qtype.field_data(view.version.config, view.layout, view.answer.response)
    form = BaseForm(fields)
    form.process(formdata, data=data)
    return form


def responses_from(form, views) -> dict:
    """Responses by slot from a submitted answer form (questions with no field are skipped)."""
    responses = {}
    for view in views:
        field = form._fields.get(f"q{view.slot}")
        if field is not None and view.qtype is not None:
            responses[view.slot] = view.qtype.response_from_data(view.version.config, view.layout, field.data)
    return responses


def quiz_context(quiz: Quiz, outline: CourseOutline | None = None):
    """The course and module a quiz belongs to, for breadcrumbs (from the course's `outline`, when the caller
    read it, else from the cached one)."""
    return module_of(quiz, outline if outline is not None else outline_by_id(quiz.course_id))


def module_of(quiz: Quiz, course: CourseOutline):
    """The course outline and the module of it that holds the quiz (None for a course-level quiz)."""
    return course, next((m for m in course.modules if m.id == quiz.module_id), None)


def question_count(quiz: Quiz, active_questions: int) -> int:
    """How many questions an attempt at the quiz asks, given how many active questions the quiz holds."""
    if quiz.draws_by_tag:
        return quiz.draw_count or 0
    if quiz.draw_count:
        return min(quiz.draw_count, active_questions) if active_questions else quiz.draw_count
    return active_questions


def askable_count(quiz: Quiz, active_questions: int) -> int:
    """How many of the quiz's active questions its attempts may ask: a quiz that does not count leaves out those a
    counting quiz asks (quizzes.key_guard)."""
    if quiz.counts_towards_completion or not active_questions:
        return active_questions
    held = db.session.scalars(
        select(QuizQuestion.question_id)
        .join(Question, Question.id == QuizQuestion.question_id)
        .where(QuizQuestion.quiz_id == quiz.id, Question.active.is_(True))
    )
    return active_questions - len(withheld_among(quiz, set(held)))


@bp.route("/<int:quiz_id>")
@allow(SIGNED_IN)
def quiz(quiz_id: int):
    """The quiz's rules, the learner's attempts and a start or resume button."""
    found = db.session.execute(QUIZ_PAGE, {"quiz_id": quiz_id, "user_id": current_user.id}).first()
    if found is None:
        abort(404)
    quiz, synced_at, enrolment_id, active_questions, time_percent, sole_type = found
    course, module = module_of(quiz, current_outline(quiz.course_id, synced_at))
    attempts = service.learner_attempts(quiz.id, current_user.id)
    open_attempt = next((a for a in attempts if a.status == "open"), None)
    refusal = service.start_refusal(quiz, attempts, current_user.id)
    asked = question_count(quiz, askable_count(quiz, active_questions or 0))
    exercise = quiz_exercise(quiz, asked, sole_type if active_questions == 1 else None)
    return render_template(
        "quizzes/quiz.html",
        quiz=quiz,
        course=course,
        module=module,
        attempts=attempts,
        open_attempt=open_attempt,
        refusal=refusal,
        policy=exercise.policy if exercise else POLICY_TEXT[quiz.review],
        enrolled=enrolment_id is not None,
        question_count=asked,
        exercise=exercise,
        introduction=render_stem(quiz.introduction, "markdown") if quiz.introduction else None,
        time_allowance=time_percent,
        minutes=allowed_minutes(quiz.time_limit_minutes, time_percent),
    )


@bp.route("/<int:quiz_id>/start", methods=["POST"])
@allow(SIGNED_IN)
def start(quiz_id: int):
    """Start a new attempt, or resume the one in progress."""
    quiz = get_quiz(quiz_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        attempt = service.start_attempt(quiz, current_user.id)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("quizzes.quiz", quiz_id=quiz.id)), 303
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>")
@allow(SIGNED_IN)
def attempt(attempt_id: int):
    """The attempt page: every question with the answers saved so far."""
    attempt, outline = get_own_attempt(attempt_id)
    if attempt.status != "open":
        return redirect(url_for("quizzes.review", attempt_id=attempt.id))
    if service.is_late(attempt):
        # A GET changes nothing: the learner closes the attempt with a POST from this page.
        course, module = quiz_context(attempt.quiz, outline)
        return render_template("quizzes/time_up.html", attempt=attempt, quiz=attempt.quiz, course=course, module=module)
    views = service.slot_views(attempt)
    return render_attempt(attempt, views, answer_form(views, formdata=None), outline=outline)


def parse_answers(attempt: Attempt) -> Posted:
    """What the learner posted for the attempt. A form not sent from this site, or an answer no learner could
    give (a choice not offered), is a 400; a typed answer its question refuses ("two" for a number) is kept in
    `problems`, for the learner to correct."""
    views = service.slot_views(attempt)
    form = answer_form(views, formdata=request.form)
    problems: dict[int, str] = {}
    if not form.validate():
        for view in views:
            errors = form.errors.get(f"q{view.slot}")
            if errors and view.qtype is not None and view.qtype.checks_typed_answer:
                problems[view.slot] = " ".join(errors)
        if len(problems) < len(form.errors):
            fail(400, "Some answers could not be read. Reload the page and try again; your saved answers are kept.")
    numbers = (index(n, len(views) + 1) for n in request.form.getlist("flag"))  # 1-based, as the page shows them
    flagged = frozenset(n - 1 for n in numbers if n)
    return Posted(views, form, responses_from(form, views), flagged, problems)


def render_attempt(attempt: Attempt, views, form, status: int = 200, outline: CourseOutline | None = None):
    """The attempt page: every question, with `form`'s answers (and any refusal beside its question)."""
    course, module = quiz_context(attempt.quiz, outline)
    answered = {view.slot for view in views if view.answer is not None and not service.is_blank(view.answer.response)}
    flagged = {view.slot for view in views if view.answer is not None and view.answer.flagged}
    if request.method == "POST":  # what was just posted, not what was saved before
        answered = {view.slot for view in views if not service.is_blank(posted_response(form, view))}
        flagged = {int(n) - 1 for n in request.form.getlist("flag") if n.isdigit()}
    page = render_template(
        "quizzes/attempt.html",
        attempt=attempt,
        quiz=attempt.quiz,
        views=views,
        form=form,
        course=course,
        module=module,
        render_stem=render_stem,
        answered=answered,
        flagged=flagged,
        exercise=attempt_exercise(attempt.quiz, views),
        # SQLite hands back naive datetimes: make the deadline explicit UTC so the browser's timer reads it right.
        deadline=aware(attempt.deadline),
    )
    return page, status


def posted_response(form, view) -> dict:
    """The response the form holds for a question ({} for one without an answer field)."""
    field = form._fields.get(f"q{view.slot}")
    if field is None or view.qtype is None:
        return {}
    return view.qtype.response_from_data(view.version.config, view.layout, field.data)


def unanswered(views, form, responses: dict) -> list[int]:
    """The numbers of the questions that count and are not answered: a field of the form with no answer in
    `responses`, or a question answered step by step (a conversation) not taken to its end."""
    missing = []
    for view in views:
        if not view.graded or view.qtype is None:
            continue
        if f"q{view.slot}" in form._fields:
            if service.is_blank(responses.get(view.slot)):
                missing.append(view.slot + 1)
        elif not view.qtype.finished(view.version.config, view.answer.response if view.answer else {}):
            missing.append(view.slot + 1)
    return missing


@bp.route("/attempts/<int:attempt_id>/save", methods=["POST"])
@allow(SIGNED_IN)
def save(attempt_id: int):
    """Save answers (the page does this as the learner goes, and on "Save"), then check or submit if asked."""
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        # Read once, under the lock the save needs: the answers are read against the attempt as it stands then.
        attempt = service.lock_for_answers(attempt_id, current_user.id)
    except ServiceError as exc:
        if exc.status == 404:
            abort(404)  # someone else's attempt: exactly like a missing one
        if wants_json:
            return jsonify(error=exc.message), exc.status
        flash(exc.message, "error")
        return redirect(url_for("quizzes.review", attempt_id=attempt_id)), 303
    posted = parse_answers(attempt)  # a post that cannot be read is a 400, and the transaction is rolled back
    saved_at = service.save_locked(attempt, posted.responses, posted.flagged)
    if wants_json:
        problems = {str(slot + 1): message for slot, message in posted.problems.items()}
        return jsonify(saved_at=saved_at.isoformat(), **({"problems": problems} if problems else {}))
    if "reply" in request.form:
        return reply(attempt)
    if posted.problems:
        return answers_to_correct(attempt, posted)
    if "check" in request.form:
        return check(attempt, posted)
    if "submit" in request.form:
        return confirm_or_submit(attempt, posted)
    flash("Your answers are saved.", "success")
    return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))


def reply(attempt: Attempt):
    """A conversation's reply button (the answers were saved with it): record the reply, back to the question."""
    slot_text, _, position = request.form["reply"].partition(":")
    slot = index(slot_text, MAX_ROW_ID)
    if slot is None:
        fail(400, "This reply could not be read. Reload the page and try again; your saved answers are kept.")
    try:
        service.record_step(attempt.id, current_user.id, slot, "reply", {"choice": position})
    except ServiceError as exc:
        if exc.status != 409:  # a reply no page offered
            fail(exc.status, exc.message)
        flash(exc.message, "error")  # a second click, or a page left open after the conversation moved on
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id, _anchor=f"question-{slot + 1}")), 303


def answers_to_correct(attempt: Attempt, posted: Posted):
    """The attempt page again, with what was typed and why a question refused it; nothing is graded (400)."""
    numbers = ", ".join(str(slot + 1) for slot in sorted(posted.problems))
    flash(f"Your answers are saved, but question {numbers} needs correcting before you submit.", "error")
    return render_attempt(attempt, service.slot_views(attempt), posted.form, status=400)


def confirm_or_submit(attempt: Attempt, posted: Posted):
    """Submit, unless questions are unanswered and the learner has not yet confirmed submitting without them:
    then a page asks (the answers are saved), which works without JavaScript."""
    if unanswered(posted.views, posted.form, posted.responses) and request.form.get("unanswered") != "confirmed":
        # A page of its own, not this post's answer: Back from the result returns to it without resending a form.
        return redirect(url_for("quizzes.confirm_submit", attempt_id=attempt.id), 303)
    return submit_and_review(attempt, posted.responses)


@bp.route("/attempts/<int:attempt_id>/confirm")
@allow(SIGNED_IN)
def confirm_submit(attempt_id: int):
    """Ask before submitting an attempt with questions that count left unanswered in its saved answers."""
    attempt, outline = get_own_attempt(attempt_id)
    if attempt.status != "open":
        return redirect(url_for("quizzes.review", attempt_id=attempt.id))
    views = service.slot_views(attempt)
    saved = {view.slot: view.answer.response for view in views if view.answer is not None}
    missing = unanswered(views, answer_form(views), saved)
    if not missing:  # answered since (in another tab): nothing to ask
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    course, module = quiz_context(attempt.quiz, outline)
    return render_template(
        "quizzes/confirm_submit.html",
        attempt=attempt,
        quiz=attempt.quiz,
        course=course,
        module=module,
        missing=missing,
        form=ActionForm(),
        exercise=attempt_exercise(attempt.quiz, views),
    )


def check(attempt: Attempt, posted: Posted):
    """Practice mode: grade one answer now and show its feedback."""
    slot = index(request.form["check"], MAX_ROW_ID)
    if slot is None:
        fail(400, "No such question.")
    try:
        service.check_answer(attempt.id, current_user.id, slot, posted.responses, posted.flagged)
    except service.KeyWithheld as exc:
        # The page offered this check: a counting quiz came to ask the question after the attempt began. The
        # answers are saved, so back to the question with the reason.
        flash(exc.message, "error")
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id, _anchor=f"question-{slot + 1}")), 303
    except ServiceError as exc:  # a check no page offered
        fail(exc.status, exc.message)
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id, _anchor=f"question-{slot + 1}"))


def submit_and_review(attempt: Attempt, responses: dict, locked: bool = False, views: list | None = None):
    """Submit once and show the result (`locked`: the attempt was read under the submit's lock, and `views`, its
    questions, with it)."""
    attempt_id = attempt.id  # read now: the submit's commit expires the loaded attempt
    if locked:
        _result, on_time = service.submit_locked(attempt, responses, views)
    else:
        _result, on_time = service.submit_attempt(attempt_id, current_user.id, responses)
    if not on_time:
        flash(
            "Time was up: answers sent after the deadline were not accepted. Your attempt was graded on the "
            "answers saved before the deadline.",
            "warning",
        )
        return redirect(url_for("quizzes.review", attempt_id=attempt_id)), 303
    return redirect(url_for("quizzes.review", attempt_id=attempt_id))


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@allow(SIGNED_IN)
def submit(attempt_id: int):
    """Submit the attempt: grades once; a repeated submit shows the first result. Sent from the confirmation
    page (no answers, `unanswered=confirmed`), it submits the answers saved."""
    try:
        # Read once, under the lock the submit needs, so nothing changes it between these checks and the grading.
        attempt = service.lock_for_submit(attempt_id, current_user.id)
    except ServiceError:
        abort(404)  # someone else's attempt: exactly like a missing one
    saved_only = request.form.get("unanswered") == "confirmed" and not any(key[:1] == "q" for key in request.form)
    if attempt.status != "open" or service.is_late(attempt) or saved_only:
        if not ActionForm().validate_on_submit():
            abort(400)
        if attempt.status != "open":
            db.session.rollback()
            return redirect(url_for("quizzes.review", attempt_id=attempt_id))
        # late: answers sent now do not count; confirmed: the saved ones
        return submit_and_review(attempt, {}, locked=True)
    posted = parse_answers(attempt)
    if posted.problems:
        service.save_locked(attempt, posted.responses, posted.flagged)
        return answers_to_correct(attempt, posted)
    return submit_and_review(attempt, posted.responses, locked=True, views=posted.views)


@bp.route("/attempts/<int:attempt_id>/review")
@allow(SIGNED_IN)
def review(attempt_id: int):
    """The result of a submitted attempt, as much as the quiz's review policy allows."""
    attempt, outline = get_own_attempt(attempt_id)
    if attempt.status == "open":
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    level = review_level(attempt)
    views = service.slot_views(attempt)
    revisit = revisit_for(attempt, views, outline) if level != FULL else []
    shown = views if level != SCORE_ONLY else []
    exercise = attempt_exercise(attempt.quiz, views)
    return render_review(attempt, level, shown, revisit=revisit, outline=outline, exercise=exercise)


def render_review(
    attempt: Attempt,
    level: str,
    views: list,
    learner: User | None = None,
    revisit=(),
    outline: CourseOutline | None = None,
    exercise: Exercise | None = None,
):
    """The review page of a submitted attempt at this level, with the modules to `revisit`; with `learner`, the
    staff's read-only record; `outline`, its course's, when the caller read it; `exercise`, the one its attempt
    asks alone, worded as such."""
    course, module = quiz_context(attempt.quiz, outline)
    return render_template(
        "quizzes/review.html",
        attempt=attempt,
        quiz=attempt.quiz,
        views=views,
        missed=missed(views) if level == WRONG_ONLY else [],
        revisit=revisit,
        level=level,
        FULL=FULL,
        WRONG_ONLY=WRONG_ONLY,
        course=course,
        module=module,
        render_stem=render_stem,
        policy=exercise.policy if exercise else POLICY_TEXT[attempt.quiz.review],
        exercise=exercise,
        learner=learner,
    )


@bp.route("/attempts/<int:attempt_id>/record")
@allow(SIGNED_IN)
def attempt_record(attempt_id: int):
    """A submitted attempt as recorded, read-only, with every answer, mark and the key, for admins and the
    trainers of its course; its learner is sent to their own review. Anyone else gets a 404."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is not None and attempt.user_id == current_user.id:
        return redirect(url_for("quizzes.review", attempt_id=attempt.id))
    if attempt is None or not (has_role(current_user, "trainer") and may_author(current_user, attempt.quiz.course_id)):
        abort(404)
    if attempt.status == "open":
        fail(409, "This attempt is still in progress: its answers show here once it is submitted.")
    views = service.slot_views(attempt)
    learner = db.session.get_one(User, attempt.user_id)
    return render_review(attempt, FULL, views, learner, exercise=attempt_exercise(attempt.quiz, views))
