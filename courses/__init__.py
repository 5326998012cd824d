"""The courses plugin: content packs, the catalog and the learner's journey through a course."""

import pathlib

from flask import Flask

from lms.plugins import PluginError, collect_unique, hookimpl, plugin_manager

PACKS_DIR = pathlib.Path(__file__).resolve().parent


def installed_packs(app: Flask) -> list[pathlib.Path]:
    """The content pack folders the app's plugins provide (collected once, when the app was built)."""
    return app.extensions["courses"]["packs"]


def pack_sections(app: Flask) -> list:
    """The course.yaml sections other plugins own (`courses.sections.PackSection`)."""
    return app.extensions["courses"]["sections"]


@hookimpl
def lms_addhooks(pm):
    """Declare the content-pack and progress hooks."""
    from courses import hookspecs

    pm.add_hookspecs(hookspecs)


@hookimpl
def lms_init_app(app):
    """Collect the installed content packs and the course.yaml sections plugins own (one owner per key)."""
    from courses.pack import COURSE_KEYS, MODULE_KEYS

    hook = plugin_manager(app).hook
    paths = [pathlib.Path(path) for group in hook.lms_course_packs(app=app) for path in group or ()]
    sections = collect_unique(  # in registration order, so problems and counts are listed in a stable order
        reversed(hook.lms_pack_sections(app=app)),
        lambda section: f"{section.level} key {section.key}",
        "course.yaml section",
    )
    for section in sections.values():
        if section.key in (COURSE_KEYS if section.level == "course" else MODULE_KEYS):
            raise PluginError(f"course.yaml section {section.key!r} is one the courses plugin reads itself")
    app.extensions["courses"] = {"packs": paths, "sections": list(sections.values())}


@hookimpl
def lms_course_packs(app):
    """The packs that ship with the LMS."""
    return [PACKS_DIR / "bpo_operations"]


@hookimpl
def lms_blueprints(app):
    """Catalog, course, module and lesson pages, and the course's progress reports."""
    from courses import models  # noqa: F401 - register the tables
    from courses.api import bp as api_bp
    from courses.report_views import bp as reports_bp
    from courses.views import bp

    return [bp, reports_bp, api_bp]


@hookimpl
def lms_cli_commands(app):
    """`flask --app lms courses check|sync` and `flask --app lms mail reminders`."""
    from courses.cli import courses_cli
    from courses.reminders import mail_cli

    return [courses_cli, mail_cli]


@hookimpl
def lms_nav_links(app, user):
    """The catalog, for everyone signed in."""
    return [("Courses", "courses.catalog")] if user.is_authenticated else []


@hookimpl
def lms_dashboard_sections(app, user):
    """ "My learning": each enrolled course with its progress; for trainers and admins, the courses they run."""
    if not user.is_authenticated:
        return []
    from courses.trainers import taught_courses
    from courses.views import my_learning

    taught = taught_courses(user)  # first, for the people whose work it is
    sections = [("courses/_teaching.html", {"courses": taught})] if taught else []
    return [*sections, ("courses/_my_learning.html", {"courses": my_learning(user.id)})]


@hookimpl(tryfirst=True)
def lms_event(app, event):
    """Tell the learner when they complete a module or the course, with the way on (first, so the message comes
    before the one of the badge it earns)."""
    from courses.events import CourseCompleted, ModuleCompleted
    from courses.progress import celebrate_completion

    if isinstance(event, ModuleCompleted | CourseCompleted):
        celebrate_completion(event)


@hookimpl
def lms_past_events(app, event_types):
    """Module and course completions, replayed from the recorded completion facts."""
    from courses.events import CourseCompleted, ModuleCompleted
    from courses.progress import recorded_completions

    wanted = {ModuleCompleted, CourseCompleted} & set(event_types)
    return recorded_completions(wanted) if wanted else []


@hookimpl
def lms_record_scope(app, viewer, learner_id):
    """A trainer sees the records of the learner's courses they were assigned to."""
    from courses.record import trainer_scope

    return trainer_scope(viewer, learner_id)


@hookimpl
def lms_learner_record(app, learner_id, course_ids):
    """Enrolments, completions and the lessons read, with their dates."""
    from courses.record import courses_part

    return [courses_part(learner_id, course_ids)]


@hookimpl
def lms_audit_names(app, refs):
    """Courses by their titles."""
    from courses.models import Course
    from lms.audit_log import names_by_id

    return names_by_id("course", Course.id, Course.title, refs)


@hookimpl
def lms_demo_learners(app, learners, rng, now):
    """Enrol generated learners in every course and write how far each got."""
    from courses.demo import add_walks

    add_walks(learners, rng, now)
