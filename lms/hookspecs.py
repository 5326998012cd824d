"""The core's extension points. Plugins implement them with `lms.plugins.hookimpl`.

A plugin that offers extension points of its own declares them in its own hookspecs module and adds them in
`lms_addhooks` (the courses plugin declares the content-pack hooks, the quizzes plugin the question types).
"""

import pluggy

hookspec = pluggy.HookspecMarker("lms")


@hookspec
def lms_addhooks(pm):
    """Add this plugin's own hook specifications to the plugin manager (`pm.add_hookspecs(module)`)."""


@hookspec
def lms_init_app(app):
    """Set up this plugin's per-app state (kept in `app.extensions`), once, while the app is built."""


@hookspec
def lms_blueprints(app):
    """Return a list of Flask blueprints to register on the app."""


@hookspec
def lms_cli_commands(app):
    """Return a list of click commands or groups to add to `flask --app lms`."""


@hookspec
def lms_nav_links(app, user):
    """Return a list of (label, endpoint) pairs for the main navigation, for the given user.

    The links may depend on whether the user is signed in and on their role, nothing else: each app asks once
    per role and shows the answer on every page.
    """


@hookspec
def lms_dashboard_sections(app, user):
    """Return a list of (template name, context dict) pairs shown on the signed-in user's dashboard."""


@hookspec
def lms_event(app, event):
    """React to a domain event (an `lms.events.Event`), called after the transaction that emitted it committed."""


@hookspec
def lms_past_events(app, event_types):
    """Return the events of these types that this plugin's records show happened, oldest first.

    A listener that missed events (one installed after they happened, a learning record store that was down)
    replays them from here; listeners must therefore treat an event they already handled as a no-op. Events a
    listener failed on are also kept for it one by one (`lms.events.redeliver_failed`), which costs what failed.
    """


@hookspec
def lms_record_scope(app, viewer, learner_id):
    """Which of a learner's records this viewer may see, for a viewer who is neither the learner nor an admin:
    a set of course ids (empty: none), or None when this plugin has no say. The courses plugin answers for
    trainers: the courses of the learner's they were assigned to."""


@hookspec
def lms_learner_record(app, learner_id, course_ids, viewer):
    """Return a list of `lms.records.RecordPart`: this plugin's part of a learner's record (enrolments, lessons,
    attempts, badges), limited to these course ids unless `course_ids` is None (everything), as `viewer` (the
    learner, an admin or a trainer of those courses) sees it."""


@hookspec
def lms_audit_names(app, refs):
    """Names for the records of the kinds this plugin keeps, among `refs` (a kind, as audit targets write it, to a
    set of ids as strings: {"course": {"3"}}): a dict of "kind:id" to a name a person reads ("course:3" to its
    title), in one statement per kind at most, since the audit log names a page of entries at once."""


@hookspec
def lms_demo_learners(app, learners, rng, now):
    """Write this plugin's part of generated demo learners (`lms.demo.DemoLearner`: enrolments, progress,
    attempts, awards) in the open transaction, drawing chance from `rng` and placing every date before `now`."""
