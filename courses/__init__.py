"""The courses plugin: content packs, the catalog and the learner's journey through a course."""

import pathlib

from lms.plugins import hookimpl

PACKS_DIR = pathlib.Path(__file__).resolve().parent


@hookimpl
def lms_course_packs(app):
    """The packs that ship with the LMS."""
    return [PACKS_DIR / "bpo_operations"]


@hookimpl
def lms_blueprints(app):
    """Catalog, course, module and lesson pages."""
    from courses import models  # noqa: F401 - register the tables
    from courses.views import bp

    return [bp]


@hookimpl
def lms_cli_commands(app):
    """`flask --app lms courses check|sync`."""
    from courses.cli import courses_cli

    return [courses_cli]


@hookimpl
def lms_nav_links(app, user):
    """The catalog, for everyone signed in."""
    return [("Courses", "learn.catalog")] if user.is_authenticated else []


@hookimpl
def lms_dashboard_sections(app, user):
    """ "My learning": each enrolled course with its progress."""
    if not user.is_authenticated:
        return []
    from courses.views import my_learning

    return [("learn/_my_learning.html", {"courses": my_learning(user.id)})]
