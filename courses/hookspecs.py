"""Extension points the courses plugin offers other plugins: content packs and course progress.

The types these hooks pass around live beside them: `courses.pack.Problem`, `courses.pack.Pack`,
`courses.pack.PackSection` and `courses.progress.Step`.
"""

from lms.plugins import hookspec


@hookspec
def lms_course_packs(app):
    """Return a list of paths to course content pack folders."""


@hookspec
def lms_check_pack(app, pack):
    """Return a list of `courses.pack.Problem` found in the parts of a pack this plugin owns (e.g. quiz files)."""


@hookspec
def lms_sync_pack(app, pack, course, run):
    """Load this plugin's part of a valid pack into the open transaction (no commit).

    `run` is the `courses.services.SyncRun`: whether trainers' local changes are replaced, and the notes the
    sync reports (a plugin appends one per thing a person should know, such as a local change it kept).
    """


@hookspec
def lms_progress_steps(app, user_id, courses):
    """Return the `courses.progress.Step`s this plugin adds to each of these course outlines (e.g. each module's
    quiz), as a dict of course id to its list of steps; read them for all the courses at once, so a page showing
    several courses costs no more statements than one showing one."""


@hookspec
def lms_pack_sections(app):
    """Return a list of `courses.sections.PackSection`: the parts of course.yaml this plugin owns and checks."""


@hookspec
def lms_learner_table_columns(app, course_id):
    """Return a list of `courses.learner_table.Column`: this plugin's columns of a course's learner table (each
    quiz's best score, the badges), each showing a learner's text from the cells this plugin keeps on their
    enrolment (`courses.progress.keep_cells`)."""


@hookspec
def lms_course_figures(app, course_id):
    """Return a list of (count, label) pairs this plugin adds to a course's dashboard, e.g. badges issued."""


@hookspec
def lms_course_charts(app, course_id):
    """Return a list of `courses.dashboard.Chart` this plugin adds to a course's dashboard (e.g. quiz results)."""


@hookspec
def lms_demo_progress(app, course, walks, rng):
    """Write this plugin's part of generated learners' progress through a course (`courses.demo.Walk`: the steps
    each learner did and tried, with when), in the open transaction, drawing chance from `rng`; put the
    learner-table cells it keeps into each walk's `cells` (the enrolments are written after this hook)."""


@hookspec
def lms_module_followups(app, module_id):
    """Return a list of (title, endpoint, url values): what a learner does after the module's last lesson, in
    order (its quiz). The last lesson's "Next" leads to the first of them."""


@hookspec
def lms_course_links(app, user_id, course):
    """Return a list of (text, url): pages a plugin offers an enrolled learner from the course page (their role
    readiness). `course` is the `courses.outline.CourseOutline`."""


@hookspec
def lms_course_report_links(app, course):
    """Return a list of (text, url): reports a plugin adds to a course's dashboard for its trainers and admins
    (a cohort's role readiness). `course` is the `courses.outline.CourseOutline`."""


@hookspec
def lms_course_completed_links(app, user_id, course_id):
    """Return a list of (text, url): what a learner who completed the course can take away from its page (a
    certificate)."""
