"""The plugin manager: hooks, isolation between apps, duplicate detection, failing listeners."""

import sys
import types

import pytest
from flask import Blueprint

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


def test_every_hook_is_called_and_contributes(extra_plugin):
    calls = []
    bp = Blueprint("extra", __name__)

    app = extra_plugin(
        "lms_test_every_hook",
        lms_blueprints=lambda app: calls.append("blueprints") or [bp],
        lms_course_packs=lambda app: calls.append("packs") or [],
        lms_question_types=lambda app: calls.append("types") or [],
        lms_cli_commands=lambda app: calls.append("cli") or [],
    )
    assert {"blueprints", "packs", "types", "cli"} <= set(calls)
    assert "extra" in app.blueprints
    pm = app.extensions["lms"].pm
    import lms.hookspecs

    specs = [name for name in dir(lms.hookspecs) if name.startswith("lms_")]
    for hook_name in specs:
        assert getattr(pm.hook, hook_name).get_hookimpls(), f"no built-in plugin implements {hook_name}"
    # The hooks not called by create_app are called on demand; call each of them here.
    from flask_login import AnonymousUserMixin

    from courses.progress import course_progress
    from courses.services import check_pack, sync_pack

    with app.test_request_context():
        links = pm.hook.lms_nav_links(app=app, user=AnonymousUserMixin())
        assert ("Sign in", "auth.login") in [link for group in links for link in group]
        assert pm.hook.lms_dashboard_sections(app=app, user=AnonymousUserMixin()) == [[]]
        pack_path = app.extensions["lms"].course_packs[0]
        pack, problems = check_pack(pack_path)  # calls lms_check_pack
        assert problems == []
        course = sync_pack(pack)  # calls lms_sync_pack, then lms_event with "course.synced"
        progress = course_progress(user_id=0, course=course)  # calls lms_progress_steps
        assert any(step.kind == "quiz" for module in progress.modules for step in module.steps)


def test_event_listener_failure_is_logged_and_isolated(app_config, caplog):
    seen = []

    def broken(app, name, payload):
        raise RuntimeError("listener exploded")

    make_plugin("lms_test_listener_broken", lms_event=broken)
    make_plugin("lms_test_listener_ok", lms_event=lambda app, name, payload: seen.append((name, payload)))
    plugins = [*app_config["LMS_PLUGINS"], "lms_test_listener_ok", "lms_test_listener_broken"]
    app = create_app({**app_config, "LMS_PLUGINS": plugins})
    from lms.db import commit
    from lms.events import emit

    try:
        with app.app_context():
            emit("something.happened", answer=42)
            commit()
    finally:
        sys.modules.pop("lms_test_listener_broken", None)
        sys.modules.pop("lms_test_listener_ok", None)
    # pluggy calls the last registered first: the broken listener ran before the good one and did not stop it.
    assert ("something.happened", {"answer": 42}) in seen
    assert "listener exploded" in caplog.text


def test_events_of_a_rolled_back_transaction_are_never_dispatched(extra_plugin):
    seen = []
    app = extra_plugin("lms_test_rollback", lms_event=lambda app, name, payload: seen.append(name))
    from lms.db import commit
    from lms.events import emit
    from lms.extensions import db

    with app.app_context():
        emit("never.happened")
        db.session.rollback()
        commit()
    assert seen == []


def test_two_apps_share_no_plugin_state(app_config):
    first = create_app(app_config)
    second = create_app(app_config)
    assert first.extensions["lms"].pm is not second.extensions["lms"].pm
    assert first.extensions["lms"].question_types is not second.extensions["lms"].question_types
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
    existing = next(iter(app.extensions["lms"].question_types.values()))
    clash = type("Clash", (), {"name": existing.name})
    with pytest.raises(PluginError, match=f"duplicate question type '{existing.name}'"):
        extra_plugin("lms_test_dup_type", lms_question_types=lambda app: [clash])


def test_unknown_plugin_module_is_a_clear_error(app_config):
    with pytest.raises(PluginError, match="could not be imported"):
        create_app({**app_config, "LMS_PLUGINS": ["lms.auth", "no_such_plugin_module"]})
