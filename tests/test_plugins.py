"""The plugin manager: hooks, isolation between apps, duplicate detection, failing listeners."""

import sys
import types

import pytest
from flask import Blueprint
from flask_login import AnonymousUserMixin as AnonymousUser

from lms import create_app
from lms.plugins import PluginError, hookimpl


def make_plugin(name, **hooks):
    """A throwaway plugin module with the given hook implementations."""
    module = types.ModuleType(name)
    for hook_name, function in hooks.items():
        function.__name__ = hook_name
        setattr(module, hook_name, hookimpl(function))
    sys.modules[name] = module
    return module


@pytest.fixture
def extra_plugin(app_config):
    """Build an app with the built-ins plus one extra plugin module."""
    created = []

    def build(name, **hooks):
        make_plugin(name, **hooks)
        created.append(name)
        return create_app({**app_config, "LMS_PLUGINS": [*app_config["LMS_PLUGINS"], name]})

    yield build
    for name in created:
        sys.modules.pop(name, None)


def hook_names(app) -> set[str]:
    """Every hook the app's plugin manager knows: the core's and those the plugins declare."""
    pm = app.extensions["lms"].pm
    return {name for name in dir(pm.hook) if name.startswith("lms_") and getattr(pm.hook, name).spec is not None}


def recording_plugin(name: str, names: set[str], calls: list) -> None:
    """A plugin implementing every named hook; each records its call and contributes nothing."""

    def recorder(hook_name):
        def implementation(**_kwargs):
            calls.append(hook_name)
            return []

        return implementation

    make_plugin(name, **{hook_name: recorder(hook_name) for hook_name in names})


def test_every_hook_is_called(app_config, app):
    """The guard: a hook that no code path in this test calls fails here, so every hook has a test."""
    from flask_login import AnonymousUserMixin

    from courses import installed_packs
    from courses.events import CourseCompleted
    from courses.outline import outline_by_id
    from courses.progress import course_progress
    from courses.services import check_pack, sync_pack
    from lms.db import commit
    from lms.demo import generate
    from lms.events import emit
    from lms.plugins import plugin_manager

    names = hook_names(app)
    calls: list[str] = []
    recording_plugin("lms_test_every_hook", names, calls)
    try:
        app = create_app({**app_config, "LMS_PLUGINS": [*app_config["LMS_PLUGINS"], "lms_test_every_hook"]})
    finally:
        sys.modules.pop("lms_test_every_hook", None)
    pm = plugin_manager(app)
    with app.test_request_context():
        pm.hook.lms_nav_links(app=app, user=AnonymousUserMixin())
        pm.hook.lms_dashboard_sections(app=app, user=AnonymousUserMixin())
        pack, problems = check_pack(installed_packs(app)[0])  # lms_check_pack
        assert problems == []
        course = sync_pack(pack)  # lms_sync_pack, then lms_event
        course_progress(user_id=0, course=outline_by_id(course.id))  # lms_progress_steps
        pm.hook.lms_past_events(app=app, event_types=[CourseCompleted])
        emit(CourseCompleted(user_id=0, course_id=course.id, course_slug="x", course_title="X", best_score=None))
        commit()
        # A learner's record, as an admin sees it: lms_learner_record (lms_record_scope is for other viewers).
        pm.hook.lms_record_scope(app=app, viewer=AnonymousUserMixin(), learner_id=0)
        pm.hook.lms_learner_record(app=app, learner_id=0, course_ids=None, viewer=AnonymousUserMixin())
        pm.hook.lms_audit_names(app=app, refs={"course": {str(course.id)}})  # the audit log names its records
        pm.hook.lms_learner_table_columns(app=app, course_id=course.id)  # the learner table
        pm.hook.lms_course_figures(app=app, course_id=course.id)  # the course dashboard
        pm.hook.lms_course_charts(app=app, course_id=course.id)
        pm.hook.lms_module_followups(app=app, module_id=0)  # a module's last lesson page
        pm.hook.lms_course_completed_links(app=app, user_id=0, course_id=0)  # a completed course's page
        pm.hook.lms_course_links(app=app, user_id=0, course=outline_by_id(course.id))  # an enrolled learner's
        pm.hook.lms_course_report_links(app=app, course=outline_by_id(course.id))  # the course dashboard
        for _batch in generate(2, seed=1):  # lms_demo_learners, then lms_demo_progress
            pass
    missing = names - set(calls)
    assert not missing, f"no test calls these hooks: {sorted(missing)}; call each in this test"


def test_built_in_plugins_contribute_through_the_hooks(extra_plugin):
    """What the plugins return is used: blueprints are registered, packs and question types collected."""
    bp = Blueprint("extra", __name__)
    app = extra_plugin("lms_test_contributes", lms_blueprints=lambda app: [bp])
    assert {"extra", "auth", "courses", "quizzes", "badges"} <= set(app.blueprints)
    assert app.extensions["courses"]["packs"], "the BPO pack is installed"
    assert {"single_choice", "matching", "description"} <= set(app.extensions["quizzes"]["types"])
    with app.test_request_context():
        links = [
            link
            for group in app.extensions["lms"].pm.hook.lms_nav_links(app=app, user=AnonymousUser())
            for link in group
        ]
    assert ("Sign in", "auth.login") in links


def ordered_listener_plugins(app_config, seen, first_marker=None):
    """Two listener plugins, registered in the order A, B; A may carry a tryfirst/trylast marker."""

    def listener(label):
        def lms_event(event):
            seen.append(label)

        return lms_event

    make_plugin("lms_test_listener_b", lms_event=listener("B"))
    module = types.ModuleType("lms_test_listener_a")
    module.lms_event = hookimpl(**({first_marker: True} if first_marker else {}))(listener("A"))
    sys.modules["lms_test_listener_a"] = module
    plugins = [*app_config["LMS_PLUGINS"], "lms_test_listener_a", "lms_test_listener_b"]
    return create_app({**app_config, "LMS_PLUGINS": plugins})


@pytest.mark.parametrize(("marker", "order"), [(None, ["B", "A"]), ("tryfirst", ["A", "B"]), ("trylast", ["B", "A"])])
def test_listeners_run_in_pluggys_order(app_config, marker, order):
    """The plugin registered last hears an event first, unless a listener is marked tryfirst or trylast."""
    from lms.db import commit
    from lms.events import UserRegistered, emit

    seen: list[str] = []
    try:
        app = ordered_listener_plugins(app_config, seen, marker)
        with app.app_context():
            emit(UserRegistered(user_id=1, role="learner"))
            commit()
    finally:
        sys.modules.pop("lms_test_listener_a", None)
        sys.modules.pop("lms_test_listener_b", None)
    assert seen == order


def test_event_listener_failure_is_logged_and_isolated(app_config, caplog):
    from lms.events import UserRegistered

    seen = []

    def broken(app, event):
        raise RuntimeError("listener exploded")

    make_plugin("lms_test_listener_broken", lms_event=broken)
    make_plugin("lms_test_listener_ok", lms_event=lambda app, event: seen.append(event))
    plugins = [*app_config["LMS_PLUGINS"], "lms_test_listener_ok", "lms_test_listener_broken"]
    app = create_app({**app_config, "LMS_PLUGINS": plugins})
    from lms.db import commit
    from lms.events import emit

    try:
        with app.app_context():
            emit(UserRegistered(user_id=7, role="learner"))
            commit()
    finally:
        sys.modules.pop("lms_test_listener_broken", None)
        sys.modules.pop("lms_test_listener_ok", None)
    # The broken listener was registered last, so it ran first; the good one still heard the event.
    assert seen == [UserRegistered(user_id=7, role="learner")]
    assert "listener exploded" in caplog.text


def test_emit_refuses_anything_but_an_event(app):
    from lms.events import emit

    with app.app_context(), pytest.raises(TypeError, match="lms.events.Event"):
        emit("user.registered")


def test_events_of_a_rolled_back_transaction_are_never_dispatched(extra_plugin):
    seen = []
    app = extra_plugin("lms_test_rollback", lms_event=lambda app, event: seen.append(event))
    from lms.db import commit
    from lms.events import UserRegistered, emit
    from lms.extensions import db

    with app.app_context():
        emit(UserRegistered(user_id=1, role="learner"))
        db.session.rollback()
        commit()
    assert seen == []


def test_two_apps_share_no_plugin_state(app_config):
    first = create_app(app_config)
    second = create_app(app_config)
    assert first.extensions["lms"].pm is not second.extensions["lms"].pm
    assert first.extensions["quizzes"]["types"] is not second.extensions["quizzes"]["types"]
    assert first.login_manager is not second.login_manager
    make_plugin("lms_test_only_first", lms_blueprints=lambda app: [Blueprint("only_first", __name__)])
    third = create_app({**app_config, "LMS_PLUGINS": [*app_config["LMS_PLUGINS"], "lms_test_only_first"]})
    assert "only_first" in third.blueprints
    assert "only_first" not in first.blueprints and "only_first" not in create_app(app_config).blueprints
    sys.modules.pop("lms_test_only_first", None)


def test_duplicate_plugin_stops_startup(app_config):
    with pytest.raises(PluginError, match="listed twice"):
        create_app({**app_config, "LMS_PLUGINS": [*app_config["LMS_PLUGINS"], "lms.auth"]})


def test_duplicate_blueprint_stops_startup(extra_plugin):
    with pytest.raises(PluginError, match="duplicate blueprint 'auth'"):
        extra_plugin("lms_test_dup_bp", lms_blueprints=lambda app: [Blueprint("auth", __name__)])


def test_duplicate_question_type_stops_startup(extra_plugin, app):
    existing = next(iter(app.extensions["quizzes"]["types"].values()))
    clash = type("Clash", (), {"name": existing.name})
    with pytest.raises(PluginError, match=f"duplicate question type '{existing.name}'"):
        extra_plugin("lms_test_dup_type", lms_question_types=lambda app: [clash])


def test_unknown_plugin_module_is_a_clear_error(app_config):
    with pytest.raises(PluginError, match="could not be imported"):
        create_app({**app_config, "LMS_PLUGINS": ["lms.auth", "no_such_plugin_module"]})


def test_a_hook_no_plugin_declares_stops_startup(extra_plugin):
    with pytest.raises(PluginError, match="no installed plugin declares"):
        extra_plugin("lms_test_unknown_hook", lms_no_such_hook=lambda app: [])


def test_the_core_imports_no_plugin():
    """Nothing under lms/ imports the courses, quizzes or badges plugins: they build on the core, not it on them."""
    import ast
    import pathlib

    plugins = {"courses", "quizzes", "badges"}
    core = pathlib.Path(__file__).resolve().parent.parent / "lms"
    found = []
    for path in sorted(core.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            found += [
                f"{path.relative_to(core.parent)}:{node.lineno} {name}"
                for name in names
                if name.split(".")[0] in plugins
            ]
    assert found == []


@pytest.mark.parametrize(
    ("key", "level", "clash"),
    [("quiz", "module", "duplicate course.yaml section"), ("title", "course", "reads itself")],
)
def test_a_pack_section_two_plugins_claim_stops_startup(extra_plugin, key, level, clash):
    from courses.sections import PackSection

    section = PackSection(key=key, level=level, schema={}, build=lambda value, context: (value, []))
    with pytest.raises(PluginError, match=clash):
        extra_plugin("lms_test_section_clash", lms_pack_sections=lambda app: [section])


def test_a_plugin_checks_its_own_section_of_course_yaml(app, extra_plugin, tmp_path):
    """A third party's section is checked against its schema, with file and line, and its spec reaches sync."""
    import shutil

    from courses import installed_packs
    from courses.sections import COURSE, PackSection
    from courses.services import check_pack

    synced = []
    schema = {
        "type": "object",
        "title": "survey",
        "required": ["questions"],
        "additionalProperties": False,
        "properties": {
            "questions": {"type": "integer", "minimum": 1, "errorMessage": "{key} must be a whole number above 0"}
        },
    }
    section = PackSection(key="survey", level=COURSE, schema=schema, build=lambda value, context: (dict(value), []))
    app = extra_plugin(
        "lms_test_survey",
        lms_pack_sections=lambda app: [section],
        lms_sync_pack=lambda app, pack, course: synced.append(pack.sections.get("survey")),
    )
    pack_dir = tmp_path / "pack"
    shutil.copytree(installed_packs(app)[0], pack_dir)
    manifest = pack_dir / "course.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text + "survey:\n  questions: 0\n  colour: blue\n", encoding="utf-8")
    line = len(text.splitlines()) + 2
    with app.app_context():
        pack, problems = check_pack(pack_dir)
        assert [str(problem) for problem in problems] == [
            f"course.yaml:{line}: questions must be a whole number above 0",
            f"course.yaml:{line + 1}: unknown key 'colour' in survey (allowed: questions)",
        ]
        manifest.write_text(text + "survey:\n  questions: 3\n", encoding="utf-8")
        pack, problems = check_pack(pack_dir)
        assert problems == []
        from courses.services import sync_pack

        sync_pack(pack)
    assert synced == [{"questions": 3}]
