"""Every extension point of the LMS. Plugins implement these with `lms.plugins.hookimpl`."""

import pluggy

hookspec = pluggy.HookspecMarker("lms")


@hookspec
def lms_blueprints(app):
    """Return a list of Flask blueprints to register on the app."""


@hookspec
def lms_course_packs(app):
    """Return a list of paths to course content pack folders."""


@hookspec
def lms_check_pack(app, pack):
    """Return a list of courses.pack.Problem found in a pack's parts this plugin owns (e.g. quiz files)."""


@hookspec
def lms_sync_pack(app, pack, course):
    """Load this plugin's part of a valid pack into the open transaction (no commit)."""


@hookspec
def lms_progress_steps(app, user_id, course):
    """Return a list of courses.progress.Step this plugin adds to a course (e.g. each module's quiz)."""


@hookspec
def lms_question_types(app):
    """Return a list of question type classes (see quizzes.types.base.QuestionType)."""


@hookspec
def lms_event(app, name, payload):
    """React to a domain event (e.g. "quiz.submitted"), called after the transaction that emitted it committed."""


@hookspec
def lms_dashboard_sections(app, user):
    """Return a list of (template name, context dict) pairs shown on the signed-in user's dashboard."""


@hookspec
def lms_cli_commands(app):
    """Return a list of click commands or groups to add to `flask --app lms`."""


@hookspec
def lms_nav_links(app, user):
    """Return a list of (label, endpoint) pairs for the main navigation, for the given user."""
