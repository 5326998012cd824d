"""Builds the per-app plugin manager and collects what the plugins contribute.

Call order: pluggy calls the plugin registered last first (LMS_PLUGINS in order, then installed entry
points), unless an implementation is marked `tryfirst` or `trylast`. Hooks whose results are shown to people
(navigation links, dashboard sections) are displayed in registration order instead: `in_registration_order`.
"""

import importlib
from collections.abc import Callable, Iterable
from typing import Any

import pluggy
from flask import Flask, current_app

from lms import hookspecs
from lms.hookspecs import hookspec as hookspec  # for plugins that declare hooks of their own

hookimpl = pluggy.HookimplMarker("lms")
ENTRY_POINT_GROUP = "lms.plugins"


class PluginError(RuntimeError):
    """A plugin set that cannot start: a duplicate name, a missing module, an unknown hook."""


def build_plugin_manager(plugin_names: Iterable[str], load_entry_points: bool) -> pluggy.PluginManager:
    """Create a fresh plugin manager with the named built-in plugins and the installed entry points."""
    pm = pluggy.PluginManager("lms")
    pm.add_hookspecs(hookspecs)
    for name in plugin_names:
        if pm.has_plugin(name):
            raise PluginError(f"plugin {name!r} is listed twice in LMS_PLUGINS")
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise PluginError(f"plugin {name!r} could not be imported: {exc}") from exc
        if pm.is_registered(module):
            raise PluginError(f"plugin module {module.__name__!r} is registered twice")
        pm.register(module, name=name)
    if load_entry_points:
        try:
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        except ValueError as exc:
            raise PluginError(f"an installed plugin clashes with another: {exc}") from exc
    pm.hook.lms_addhooks(pm=pm)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"a plugin implements a hook that no installed plugin declares: {exc}") from exc
    return pm


def real_app() -> Flask:
    """The current app itself rather than its context-local proxy, to hand to hook implementations."""
    return current_app._get_current_object()  # type: ignore[attr-defined]


def plugin_manager(app: Flask) -> pluggy.PluginManager:
    """The app's plugin manager."""
    return app.extensions["lms"].pm


def in_registration_order(results: list) -> list:
    """Flatten a list hook's results in the order the plugins were registered (pluggy returns them reversed)."""
    return [item for group in reversed(results) for item in group or ()]


def collect_unique(results: Iterable[Any], key: Callable[[Any], str], what: str) -> dict:
    """Flatten hook results (lists) into a dict by `key(item)`, refusing duplicates with a clear error."""
    found: dict[str, Any] = {}
    for items in results:
        for item in items or ():
            name = key(item)
            if name in found:
                raise PluginError(f"duplicate {what} {name!r}: two plugins provide it")
            found[name] = item
    return found
