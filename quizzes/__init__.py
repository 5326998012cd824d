"""The quizzes plugin: question types, the bank, quizzes, attempts, GIFT import and export."""

from lms.access import has_role
from lms.plugins import collect_unique, hookimpl, plugin_manager


@hookimpl
def lms_addhooks(pm):
    """Declare the question-type hook."""
    from quizzes import hookspecs

    pm.add_hookspecs(hookspecs)


@hookimpl
def lms_init_app(app):
    """Collect the installed question types; two types with one name stop start-up."""
    classes = collect_unique(
        plugin_manager(app).hook.lms_question_types(app=app), lambda cls: cls.name, "question type"
    )
    app.extensions["quizzes"] = {"types": {name: cls() for name, cls in classes.items()}}


@hookimpl
def lms_question_types(app):
    """The built-in question types."""
    from quizzes.types import BUILTIN_TYPES

    return list(BUILTIN_TYPES)


@hookimpl
def lms_blueprints(app):
    """Quiz, attempt and authoring pages."""
    # Importing registers the tables (models) and the routes that join the author blueprint.
    from quizzes import (  # noqa: F401
        attempt_exports,
        author_allowances,
        author_bank,
        author_marking,
        author_questions,
        author_settings,
        models,
        readiness_views,
        step_views,
    )
    from quizzes.api import bp as api_bp
    from quizzes.author import bp as author_bp
    from quizzes.views import bp

    return [bp, author_bp, api_bp]


@hookimpl
def lms_cli_commands(app):
    """`flask --app lms quizzes import|export`."""
    from quizzes.cli import quizzes_cli

    return [quizzes_cli]


@hookimpl
def lms_pack_sections(app):
    """Each module's `quiz:` settings and the course's `final_assessment:`."""
    from quizzes.pack import SECTIONS

    return SECTIONS


@hookimpl
def lms_check_pack(app, pack):
    """Problems in the pack's quiz files, and roles whose evidence names no quiz."""
    from quizzes.bank import check_quizzes
    from quizzes.readiness import role_problems

    return check_quizzes(pack) + role_problems(pack)


@hookimpl
def lms_sync_pack(app, pack, course, run):
    """Load the pack's quizzes and questions, keeping (or, when asked, replacing) trainers' local changes; name
    each published quiz the sync left with nothing to ask (a trainer's draw by a tag the pack's questions no longer
    carry, say)."""
    from quizzes.authoring import published_with_nothing_to_ask
    from quizzes.bank import sync_quizzes
    from quizzes.readiness import sync_roles

    sync_quizzes(pack, course, run)
    sync_roles(pack, course)
    for quiz in published_with_nothing_to_ask(course.id):
        run.notes.append(
            f"the published quiz “{quiz.title}” has nothing to ask now: learners cannot start it until a trainer "
            "gives it a question or unpublishes it"
        )


@hookimpl
def lms_progress_steps(app, user_id, courses):
    """Each module's quiz is a step; the final assessment is a course-level step."""
    from quizzes.progress import quiz_steps

    return quiz_steps(user_id, courses)


@hookimpl
def lms_nav_links(app, user):
    """Trainers reach the quiz authoring pages."""
    return [("Quizzes", "author.quizzes"), ("Marking", "author.marking")] if has_role(user, "trainer") else []


@hookimpl
def lms_learner_record(app, learner_id, course_ids, viewer):
    """Every attempt, with its score and a link to its answers; the learner's time allowances on timed quizzes."""
    from quizzes.allowances import allowances_part
    from quizzes.record import attempts_part

    return [attempts_part(learner_id, course_ids), *allowances_part(learner_id, course_ids, viewer)]


@hookimpl
def lms_audit_names(app, refs):
    """Quizzes and questions by their titles."""
    from lms.audit_log import names_by_id
    from quizzes.models import Question, Quiz

    return names_by_id("quiz", Quiz.id, Quiz.title, refs) | names_by_id("question", Question.id, Question.title, refs)


@hookimpl
def lms_learner_table_columns(app, course_id):
    """Each quiz's best score, and the learner's readiness for each role of the course."""
    from quizzes.readiness import readiness_columns
    from quizzes.record import best_score_columns

    return best_score_columns(course_id) + readiness_columns(course_id)


@hookimpl
def lms_course_links(app, user_id, course):
    """The learner's role readiness, when the course defines roles."""
    from flask import url_for

    from quizzes.readiness import course_roles

    if not course_roles(course.id, course.synced_at):
        return []
    return [
        (
            "Your readiness for the jobs this course prepares you for",
            url_for("quizzes.readiness", course_slug=course.slug),
        )
    ]


@hookimpl
def lms_course_report_links(app, course):
    """A cohort's role readiness, when the course defines roles."""
    from flask import url_for

    from quizzes.readiness import course_roles

    if not course_roles(course.id, course.synced_at):
        return []
    return [("Role readiness of a cohort", url_for("quizzes.cohort_readiness_page", course_slug=course.slug))]


@hookimpl
def lms_course_charts(app, course_id):
    """Each quiz's learners, mean best score, mean attempts and pass rate."""
    from quizzes.record import quiz_results_chart

    return quiz_results_chart(course_id)


@hookimpl
def lms_demo_progress(app, course, walks, rng):
    """Generated learners' attempts: failed tries and the passes their progress needs."""
    from quizzes.demo import add_attempts

    add_attempts(course, walks, rng)


@hookimpl
def lms_module_followups(app, module_id):
    """The module's quiz comes after its last lesson."""
    from lms.db import prepared
    from lms.extensions import db
    from quizzes.attempts import module_quizzes

    quizzes = db.session.connection().execute(prepared(module_quizzes), {"module_id": module_id})
    return [(title, "quizzes.quiz", {"quiz_id": quiz_id}) for quiz_id, title in quizzes]
