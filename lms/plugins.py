"""Builds the per-app plugin manager and collects what the plugins contribute."""

import importlib

import pluggy

from lms import hookspecs

hookimpl = pluggy.HookimplMarker("lms")
ENTRY_POINT_GROUP = "lms.plugins"


class PluginError(RuntimeError):
    """A plugin set that cannot start: a duplicate name, a missing module."""


def build_plugin_manager(plugin_names, load_entry_points: bool) -> pluggy.PluginManager:
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
    pm.check_pending()
    return pm


def collect_unique(results, key, what: str) -> dict:
    """Flatten hook results (lists) into a dict by `key(item)`, refusing duplicates with a clear error."""
    found = {}
    for items in results:
        for item in items or ():
            name = key(item)
            if name in found:
                raise PluginError(f"duplicate {what} {name!r}: two plugins provide it")
            found[name] = item
    return found
